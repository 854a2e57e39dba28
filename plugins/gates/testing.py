"""The tests gate: pytest with coverage, failing below the floor (80 % default).

Runs `python -m pytest` with the worktree environment's interpreter, since
tests need the project's own packages; there is no fallback outside the
environment. pytest-cov must be in the environment too. The percentage comes
from coverage's JSON report (totals.percent_covered), written to a temporary
folder with the data file, so the gate leaves nothing in the worktree.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from seedbed.core.types import Finding, GateContext, GateResult
from seedbed.core.workspace import Workspace
from seedbed.plugins.gates import tools
from seedbed.plugins.gates.settings import COVERAGE_FLOOR

NAME = "tests"
_FAILED = re.compile(r"^(FAILED|ERROR) (\S+?)(?:::(\S+))?(?: - .*)?$")
NO_TESTS = 5  # pytest's exit code when it collected nothing


class TestsGate:
    __test__ = False  # a gate, not a pytest test class
    name = NAME
    stage = "pre-push"
    description = "pytest with coverage, failing below the coverage floor"

    def run(self, context: GateContext) -> GateResult:
        python = tools.env_python(context)
        if python is None:
            return GateResult(
                NAME,
                False,
                message="no environment to run the tests in: run `seedbed setup`",
            )
        floor = float(context.settings.get("coverage_floor", COVERAGE_FLOOR))
        with tempfile.TemporaryDirectory(prefix="seedbed-cov-") as scratch:
            report = Path(scratch) / "coverage.json"
            argv = [
                str(python),
                "-m",
                "pytest",
                *cov_args(context),
                f"--cov-report=json:{report}",
                *context.settings.get("pytest_args", []),
            ]
            ran = tools.run(
                context,
                "pytest",
                argv,
                {"COVERAGE_FILE": str(Path(scratch) / ".coverage")},
            )
            percent = _percent(report)
        return judge(ran, percent, floor, str(python))


def judge(ran: tools.Ran, percent: float | None, floor: float, tool: str) -> GateResult:
    code = ran.result.exit_code
    findings = tuple(
        Finding(m.group(2), 0, f"{m.group(1).lower()}: {m.group(3) or 'collection'}")
        for line in ran.text.splitlines()
        if (m := _FAILED.match(line))
    )
    output = tools.tail(ran.text)
    if "unrecognized arguments: --cov" in ran.text:
        message = "pytest-cov is not in the environment: add it to the dev dependencies"
    elif code == NO_TESTS:
        message = "pytest collected no tests"
    elif code == 1:
        message = f"{len(findings) or 'some'} test(s) failed"
    elif code != 0:
        message = f"pytest could not run (exit {code})"
    elif percent is None:
        message = "coverage was not measured (no coverage report)"
    elif percent < floor:
        message = f"coverage {percent:.1f}% is below the floor of {floor:g}%"
    else:
        message = f"coverage {percent:.1f}% (floor {floor:g}%)"
    passed = code == 0 and percent is not None and percent >= floor
    return GateResult(
        NAME,
        passed,
        figure=None if percent is None else round(percent, 2),
        findings=findings,
        message=message,
        tool=tool,
        output="" if passed else output,
    )


def cov_args(context: GateContext) -> list[str]:
    sources = list(context.settings.get("coverage_source") or [])
    if sources:
        return [f"--cov={source}" for source in sources]
    if configures_source(context.workspace):
        return ["--cov"]
    return ["--cov=src"] if (context.workspace.root / "src").is_dir() else ["--cov=."]


def configures_source(workspace: Workspace) -> bool:
    tool = workspace.pyproject.get("tool", {})
    coverage = tool.get("coverage", {}) if isinstance(tool, dict) else {}
    run = coverage.get("run", {}) if isinstance(coverage, dict) else {}
    if isinstance(run, dict) and (run.get("source") or run.get("source_pkgs")):
        return True
    return (workspace.root / ".coveragerc").is_file()


def _percent(report: Path) -> float | None:
    try:
        data = json.loads(report.read_text())
        return float(data["totals"]["percent_covered"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


GATE = TestsGate()


def main(argv: list[str] | None = None) -> int:
    from seedbed.plugins.gates.entry import run_hook

    return run_hook(NAME, argv)
