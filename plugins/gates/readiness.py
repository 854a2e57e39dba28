"""Whether the gates can run here, without running them (for `seedbed doctor`).

Each check is (check, status, message, fix) with doctor's statuses (ok, info,
warn, error); no process is started. A gate that could not run would report
`error`: these say so before a commit does.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from seedbed.core.contributions import DoctorCheck
from seedbed.core.types import GateContext
from seedbed.plugins.gates import styles, toolenv, tools

if TYPE_CHECKING:
    from seedbed.core.plugins import Registry
    from seedbed.core.workspace import Workspace


class Readiness(NamedTuple):
    check: str
    status: str  # ok | info | warn | error
    message: str
    fix: str = ""


def check(context: GateContext) -> list[Readiness]:
    found: list[Readiness] = []
    chosen = styles.detect(context.workspace)
    wanted = {chosen.formatter, chosen.linter, "mypy"}
    if chosen.isort:
        wanted.add("isort")
    lacking = sorted(n for n in wanted if tools.in_env(context, n) is None)
    uv = (Path(sys.executable).parent / "uv").is_file() or shutil.which("uv")
    if not lacking:
        found.append(Readiness("gates:tools", "ok", "gate tools: the project's own"))
    elif toolenv.is_ready():
        found.append(
            Readiness(
                "gates:tools",
                "ok",
                f"gate tools {', '.join(lacking)}: seedbed's tool environment "
                f"({toolenv.env_dir()})",
            )
        )
    elif uv:
        found.append(
            Readiness(
                "gates:tools",
                "info",
                f"gate tools {', '.join(lacking)}: seedbed's tool environment is "
                "made on first use (needs the package index once)",
                "seedbed gate --only format,lint,types",
            )
        )
    else:
        found.append(
            Readiness(
                "gates:tools",
                "error",
                f"gates cannot run {', '.join(lacking)}: not in the project and "
                "uv is missing to make seedbed's tool environment",
                "install uv, or add the tools to the dev dependencies and run "
                "`seedbed setup`",
            )
        )
    if tools.env_python(context) is None:
        found.append(
            Readiness(
                "gates:environment",
                "error",
                "the types and tests gates cannot run: no worktree environment",
                "seedbed setup",
            )
        )
        return found
    django = (context.workspace.root / "manage.py").is_file()
    runner = tools.env_has(context, "pytest") or (
        django and tools.env_has(context, "django")
    )
    if not runner:
        found.append(
            Readiness(
                "gates:tests",
                "warn",
                "the tests gate cannot run: pytest is not in the environment",
                "add pytest to the dev dependencies and run `seedbed setup`",
            )
        )
    elif not (
        tools.env_has(context, "pytest_cov") or tools.env_has(context, "coverage")
    ):
        found.append(
            Readiness(
                "gates:coverage",
                "info",
                "the tests gate will not measure coverage (no pytest-cov or coverage)",
                "add pytest-cov to the dev dependencies",
            )
        )
    else:
        found.append(Readiness("gates:tests", "ok", "tests gate: runner and coverage"))
    return found


def doctor(workspace: Workspace, registry: Registry) -> list[DoctorCheck]:
    """check's findings as doctor's records (seedbed_doctor)."""
    from seedbed.core.app import App
    from seedbed.plugins.gates.run import context_for

    context = context_for(App(workspace, registry))
    return [DoctorCheck(r.check, r.status, r.message, r.fix) for r in check(context)]
