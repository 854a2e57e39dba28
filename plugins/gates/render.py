"""Text for people from gate records (the JSON form is GateResult.as_dict)."""

from __future__ import annotations

from collections.abc import Sequence

from seedbed.core.types import GateResult

MAX_FINDINGS = 50


def figure_text(result: GateResult) -> str:
    if result.figure is None:
        return ""
    if result.name == "tests":
        return f"{result.figure:.1f}% coverage"
    count = int(result.figure)
    return f"{count} finding{'' if count == 1 else 's'}"


def table(results: Sequence[GateResult]) -> str:
    from seedbed.core.cli.output import table as render_table

    rows = [[r.name, _shown(r), f"{r.seconds:.2f}", figure_text(r)] for r in results]
    return render_table(rows, ["gate", "result", "seconds", "figure"])


def details(results: Sequence[GateResult], messages: bool = True) -> list[str]:
    """What to read after the table: each failure's message, findings, output."""
    lines: list[str] = []
    for result in results:
        if result.passed:
            continue
        if messages:
            lines.append(f"{result.name}: {result.message}")
        for finding in result.findings[:MAX_FINDINGS]:
            lines.append(f"  {finding}")
        hidden = len(result.findings) - MAX_FINDINGS
        if hidden > 0:
            lines.append(f"  … and {hidden} more")
        if result.output and not result.findings:
            lines.extend(f"  | {line}" for line in result.output.splitlines())
    return lines


def summary_line(result: GateResult) -> str:
    return f"{result.name}: {_shown(result)} ({result.seconds:.2f} s) {result.message}"


def _shown(result: GateResult) -> str:
    """A verdict that needs the reader's eye stands out in text."""
    return (
        result.status.upper() if result.status in ("fail", "error") else result.status
    )
