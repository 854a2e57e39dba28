"""The tests gate: the project's test runner, with coverage when it can be measured.

Runner: pytest when the worktree's environment has it; else `manage.py test`
for a Django project; else the gate reports `error` (pytest missing). Tests
need the project's packages, so they run only with the environment's
interpreter (a missing environment is an `error` too).

Coverage, with whatever the environment has: pytest-cov (`--cov`), else
coverage (`python -m coverage run`, then `coverage json`); the percentage comes
from coverage's JSON report (totals.percent_covered), written to a temporary
folder with the data file, so the gate leaves nothing in the worktree. When
neither is installed, coverage is "not measured" (figure None): the gate
passes on the tests alone, unless `coverage_floor` is set explicitly in
[tool.seedbed.gates], which makes an unmeasured coverage an `error`.

At the pre-commit stage only the tests the change touches run: the staged
test files and the tests named after staged modules (`test_<module>.py`,
`<module>_test.py`), without coverage; nothing staged that has tests is a
skip. The full suite belongs to pre-push.
"""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

from seedbed.core.errors import EXIT_ENVIRONMENT, SeedbedError
from seedbed.core.types import Finding, GateContext, GateResult
from seedbed.core.workspace import Workspace
from seedbed.plugins.gates import files as filelists
from seedbed.plugins.gates import tools
from seedbed.plugins.gates.settings import COVERAGE_FLOOR

NAME = "tests"
_FAILED = re.compile(r"^(FAILED|ERROR) (\S+?)(?:::(\S+))?(?: - .*)?$")
_DJANGO_FAILED = re.compile(r"^(FAIL|ERROR): (\S+) \(([\w.]+)\)")
NO_TESTS = 5  # pytest's exit code when it collected nothing
NO_COVERAGE = "add pytest-cov (or coverage) to the dev dependencies to measure it"


class TestsGate:
    __test__ = False  # a gate, not a pytest test class
    name = NAME
    stage = "pre-push"
    description = "the project's tests (pytest or manage.py test), with coverage"

    def run(self, context: GateContext) -> GateResult:
        if not filelists.python_sources(context.workspace.root):
            return GateResult(NAME, True, skipped=True, message="no Python files")
        python = tools.require_python(context, "run the tests")
        has_pytest = tools.env_has(context, "pytest")
        if context.stage == "pre-commit":
            return touched(context, python, has_pytest)
        django = (context.workspace.root / "manage.py").is_file()
        if not has_pytest and not (django and tools.env_has(context, "django")):
            raise pytest_missing(django)
        with tempfile.TemporaryDirectory(prefix="seedbed-cov-") as scratch:
            report = Path(scratch) / "coverage.json"
            data = {"COVERAGE_FILE": str(Path(scratch) / ".coverage")}
            argv, measured = command(context, python, has_pytest, report)
            ran = tools.run(context, "tests", argv, data)
            # coverage run writes data only; an old pytest-cov without JSON
            # reports still leaves its data file: coverage makes the report.
            if measured and ran.ok and not report.is_file():
                tools.run(
                    context,
                    "coverage json",
                    [str(python), "-m", "coverage", "json", "-q", "-o", str(report)],
                    data,
                )
            percent = _percent(report)
        floor_set = "gates.coverage_floor" in context.workspace.config.origins
        floor = float(context.settings.get("coverage_floor", COVERAGE_FLOOR))
        judged = judge(ran, has_pytest, str(python))
        if judged is not None:
            return judged
        return coverage_verdict(ran, percent, floor, floor_set, measured, str(python))


def pytest_missing(django: bool) -> SeedbedError:
    what = "pytest (or Django, for `manage.py test`)" if django else "pytest"
    return SeedbedError(
        f"cannot run the tests: {what} is not in the worktree's environment",
        "add pytest to the project's dev dependencies and run `seedbed setup`",
        EXIT_ENVIRONMENT,
    )


def command(
    context: GateContext, python: Path, has_pytest: bool, report: Path
) -> tuple[list[str], str]:
    """(argv, what measures coverage: "pytest-cov", "coverage" or "")."""
    extra = [str(a) for a in context.settings.get("pytest_args", [])]
    tail = ["-m", "pytest", *extra] if has_pytest else ["manage.py", "test"]
    if has_pytest and tools.env_has(context, "pytest_cov"):
        cov = [*cov_args(context), f"--cov-report=json:{report}"]
        return [str(python), "-m", "pytest", *cov, *extra], "pytest-cov"
    if tools.env_has(context, "coverage"):
        return [str(python), "-m", "coverage", "run", *source_args(context), *tail], (
            "coverage"
        )
    return [str(python), *tail], ""


def judge(ran: tools.Ran, pytest: bool, tool: str) -> GateResult | None:
    """The verdict on the tests themselves; None when they passed."""
    code = ran.result.exit_code
    if code == 0 and "Ran 0 tests" not in ran.text:
        return None
    output = tools.tail(ran.text)
    if pytest:
        findings = tuple(
            Finding(
                m.group(2), 0, f"{m.group(1).lower()}: {m.group(3) or 'collection'}"
            )
            for line in ran.text.splitlines()
            if (m := _FAILED.match(line))
        )
    else:
        findings = tuple(
            Finding(m.group(3), 0, f"{m.group(1).lower()}: {m.group(2)}")
            for line in ran.text.splitlines()
            if (m := _DJANGO_FAILED.match(line))
        )
    runner = "pytest" if pytest else "manage.py test"
    if "unrecognized arguments: --cov" in ran.text:
        message, error = f"pytest-cov could not run: {NO_COVERAGE}", True
    elif "No module named pytest" in ran.text or "No module named coverage" in ran.text:
        message, error = f"{runner} could not start (a module is missing)", True
    elif code == NO_TESTS or "Ran 0 tests" in ran.text:
        message, error = f"{runner} found no tests to run", True
    elif findings:
        message, error = f"{len(findings)} test(s) failed", False
    elif not pytest and "FAILED (" in ran.text:
        message, error = "some test(s) failed", False
    else:
        message, error = f"{runner} could not run (exit {code}): see its output", True
    return GateResult(
        NAME,
        False,
        findings=findings,
        message=message,
        tool=tool,
        output=output,
        error=error,
    )


def coverage_verdict(
    ran: tools.Ran,
    percent: float | None,
    floor: float,
    floor_set: bool,
    measured: str,
    tool: str,
) -> GateResult:
    if percent is None:
        why = NO_COVERAGE if not measured else f"{measured} wrote no report"
        if floor_set:
            return GateResult(
                NAME,
                False,
                message=f"tests passed, but coverage was not measured ({why}) and "
                f"coverage_floor is set to {floor:g}%",
                tool=tool,
                output=tools.tail(ran.text),
                error=True,
            )
        return GateResult(
            NAME,
            True,
            message=f"tests passed; coverage not measured ({why})",
            tool=tool,
        )
    passed = percent >= floor
    if passed:
        message = f"coverage {percent:.1f}% (floor {floor:g}%)"
    else:
        message = f"coverage {percent:.1f}% is below the floor of {floor:g}%"
    return GateResult(
        NAME,
        passed,
        figure=round(percent, 2),
        message=message,
        tool=tool,
        output="" if passed else tools.tail(ran.text),
    )


def touched(context: GateContext, python: Path, has_pytest: bool) -> GateResult:
    """pre-commit: only the tests the staged change touches, no coverage."""
    chosen = touched_tests(context)
    if not chosen:
        return GateResult(
            NAME,
            True,
            skipped=True,
            message="no tests for the staged files (the full suite runs at pre-push)",
        )
    if not has_pytest:
        raise pytest_missing(False)
    extra = [str(a) for a in context.settings.get("pytest_args", [])]
    ran = tools.run(context, "pytest", [str(python), "-m", "pytest", *extra, *chosen])
    judged = judge(ran, True, str(python))
    if judged is not None:
        return judged
    return GateResult(
        NAME,
        True,
        message=f"{len(chosen)} test file(s) for the staged change passed",
        tool=str(python),
    )


def is_test(name: str) -> bool:
    stem = Path(name).name
    return name.endswith(".py") and (
        stem.startswith("test_") or stem.endswith("_test.py")
    )


def touched_tests(context: GateContext) -> list[str]:
    root = context.workspace.root
    staged = list(context.files) or filelists.staged(root)
    python = [f for f in staged if f.endswith(".py") and (root / f).is_file()]
    chosen = {f: None for f in python if is_test(f)}
    modules = {Path(f).stem for f in python if not is_test(f)} - {"__init__"}
    if modules:
        wanted = {f"test_{m}.py" for m in modules} | {f"{m}_test.py" for m in modules}
        for name in filelists.python_sources(root):
            if Path(name).name in wanted and (root / name).is_file():
                chosen.setdefault(name, None)
    return list(chosen)


def cov_args(context: GateContext) -> list[str]:
    sources = list(context.settings.get("coverage_source") or [])
    if sources:
        return [f"--cov={source}" for source in sources]
    if configures_source(context.workspace):
        return ["--cov"]
    return ["--cov=src"] if (context.workspace.root / "src").is_dir() else ["--cov=."]


def source_args(context: GateContext) -> list[str]:
    sources = list(context.settings.get("coverage_source") or [])
    if sources:
        return [f"--source={','.join(sources)}"]
    if configures_source(context.workspace):
        return []
    return (
        ["--source=src"]
        if (context.workspace.root / "src").is_dir()
        else ["--source=."]
    )


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
