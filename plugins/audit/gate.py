"""The audit gate: known-vulnerable distributions in the worktree's environment.

Its figure is the number of findings (accepted ones excluded), which the gate
runner records in the metrics store. GateResult has no "error" status yet, so
a check that cannot run is a failed result whose message starts with
"error:" and says the fix, and whose figure is empty (nothing was counted):
it never passes.
"""

from __future__ import annotations

from seedbed.core.errors import SeedbedError
from seedbed.core.types import Finding, GateContext, GateResult
from seedbed.plugins.audit import check

NAME = "audit"


def _count(count: int, one: str, many: str = "") -> str:
    return f"{count} {one if count == 1 else (many or one + 's')}"


class AuditGate:
    name = NAME
    stage = "pre-push"
    description = "no installed distribution has a known vulnerability (OSV)"

    def run(self, context: GateContext) -> GateResult:
        if context.manager is None:
            return GateResult(
                NAME, True, skipped=True, message="no Python project detected"
            )
        try:
            report = check.run(context)
        except SeedbedError as exc:
            fix = f"; {exc.hint}" if exc.hint else ""
            return GateResult(
                NAME, False, message=f"error: {exc.message}{fix}", error=True
            )
        return result(report)


def result(report: check.Report) -> GateResult:
    verdict = report.verdict
    failing = verdict.failing
    findings = tuple(
        Finding(f"{m.package} {m.version}", 0, m.advisory.id) for m in failing
    )
    where = _count(report.packages, "package")
    if report.advisories is not None:
        where += f", {_count(report.advisories, 'advisory', 'advisories')}"
    if report.database is not None:
        where += f", database {report.database.age_text()}"
    if failing:
        packages = len({m.package for m in failing})
        message = (
            f"{_count(len(failing), 'known vulnerability', 'known vulnerabilities')}"
            f" in {_count(packages, 'package')} ({where}): upgrade to the fixed "
            "versions, or accept the risk in the acceptance file"
        )
    else:
        message = f"no known vulnerabilities ({report.source}: {where})"
    if verdict.accepted:
        message += f"; {len(verdict.accepted)} accepted"
    if report.warnings:
        message += "; warning: " + "; ".join(report.warnings)
    lines = [report.finding_line(m) for m in failing]
    return GateResult(
        NAME,
        not failing,
        figure=float(len(failing)),
        findings=findings,
        message=message,
        tool="pip-audit" if report.source == "online" else "seedbed (OSV database)",
        output="\n".join(lines),
    )


GATE = AuditGate()


def main(argv: list[str] | None = None) -> int:
    """The `seedbed-audit` console script pre-commit calls."""
    from seedbed.plugins.gates.entry import run_hook

    return run_hook(NAME, argv)
