"""The format gate: the project's formatter in check mode.

ruff (`ruff format --check`, 88 columns unless configured) unless the project
formats with black; then `black --check`, plus `isort --check-only` when the
project configures isort (styles.py decides). Tools the project does not
install come from seedbed's pinned tool environment.
"""

from __future__ import annotations

import re
from pathlib import Path

from seedbed.core.types import Finding, GateContext, GateResult
from seedbed.plugins.gates import ruff_settings, styles, tools

NAME = "format"
# ruff before 0.9 prints "Would reformat: PATH"; later ones print a diagnostic
# whose location line is " --> PATH:ROW:COL". --output-format is not used for
# format because older pinned versions reject it.
_WOULD = re.compile(r"^(?:Would reformat: (.+)|--> (.+?):\d+:\d+)$")
_BLACK = re.compile(r"^would reformat (.+)$")
_ISORT = re.compile(r"^ERROR: (.+?) Imports are incorrectly sorted")


class FormatGate:
    name = NAME
    stage = "pre-commit"
    description = "the project's formatter (ruff, or black and isort) in check mode"

    def run(self, context: GateContext) -> GateResult:
        files = ruff_settings.targets(context)
        if files is None:
            return GateResult(NAME, True, skipped=True, message="no Python files")
        chosen = styles.detect(context.workspace)
        if chosen.formatter == "black":
            listed = ruff_settings.listed_targets(context)
            if listed is None:
                return GateResult(NAME, True, skipped=True, message="no Python files")
            return black(context, listed, chosen.isort)
        tool = tools.find(context, "ruff")
        argv = [
            tool.path,
            "format",
            "--check",
            "--force-exclude",  # the project's excludes apply to named files too
            *ruff_settings.config_args(context),
            "--",
            *files,
        ]
        ran = tools.run(context, "ruff format", argv, ruff_settings.cache_env(context))
        findings = tuple(
            Finding(m.group(1) or m.group(2), 0, "would reformat")
            for line in ran.text.splitlines()
            if (m := _WOULD.match(line.strip()))
        )
        return tools.checker_result(
            NAME,
            tool,
            ran,
            findings,
            label="ruff format",
            clean=f"formatted ({chosen.why})",
            dirty=f"{len(findings)} file(s) would be reformatted: run `ruff format`",
        )


def black(context: GateContext, files: list[str], with_isort: bool) -> GateResult:
    length = ruff_settings.explicit_length(context)
    tool = tools.find(context, "black")
    argv = [tool.path, "--check"]
    argv += ["--line-length", str(length)] if length else []
    ran = tools.run(context, "black --check", [*argv, "--", *files])
    findings = [
        Finding(m.group(1), 0, "would reformat (black)")
        for line in ran.text.splitlines()
        if (m := _BLACK.match(line.strip()))
    ]
    result = tools.checker_result(
        NAME,
        tool,
        ran,
        tuple(findings),
        label="black",
        clean="formatted (black)",
        dirty=f"{len(findings)} file(s) would be reformatted: run `black .`",
    )
    if not with_isort or result.error:
        return result
    sorter = tools.find(context, "isort")
    argv = [sorter.path, "--check-only"]
    argv += ["--line-length", str(length)] if length else []
    sorted_ = tools.run(context, "isort --check-only", [*argv, "--", *files])
    root = context.workspace.root
    unsorted = [
        Finding(_relative(root, m.group(1)), 0, "imports not sorted (isort)")
        for line in sorted_.text.splitlines()
        if (m := _ISORT.match(line.strip()))
    ]
    both = tools.checker_result(
        NAME,
        sorter,
        sorted_,
        tuple(unsorted),
        label="isort",
        clean="formatted (black, isort)",
        dirty=f"{len(unsorted)} file(s) with unsorted imports: run `isort .`",
    )
    if both.error:
        return both
    failed = [r for r in (result, both) if not r.passed]
    return GateResult(
        NAME,
        not failed,
        figure=float(len(findings) + len(unsorted)),
        findings=(*findings, *unsorted),
        message="; ".join(r.message for r in failed) or both.message,
        tool=f"{result.tool}, {both.tool}",
        output="\n".join(r.output for r in failed if r.output),
    )


def _relative(root: Path, name: str) -> str:
    try:
        return str(Path(name).relative_to(root))
    except ValueError:
        return name


GATE = FormatGate()


def main(argv: list[str] | None = None) -> int:
    from seedbed.plugins.gates.entry import run_hook

    return run_hook(NAME, argv)
