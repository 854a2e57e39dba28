"""The lock gate: the lock file agrees with pyproject.toml.

Each package manager plugin owns its check (`Manager.lock_check`): uv runs
`uv lock --check`, poetry `poetry check --lock`, pdm `pdm lock --check`. A
manager without a lock (pip's requirements files) has nothing to check.

Only a check that ran and disagreed is a `fail` (re-lock and commit). A check
that could not run (the manager or the interpreter it needs is missing, a
network or config error: any exit code but 1, or exit 1 with words saying
so) is an `error` with the manager's own words and no drift is claimed.
"""

from __future__ import annotations

import re

from seedbed.core import runner
from seedbed.core.types import Finding, GateContext, GateResult
from seedbed.plugins.gates import tools

NAME = "lock"
# Words in a manager's output meaning it could not check, whatever its exit code.
_CANNOT = re.compile(
    r"No (?:Python|interpreter)|interpreter .*not found|python.*not (?:installed|found)"
    r"|not installed|No such file|Failed to (?:inspect|query|fetch|download)"
    r"|NoCompatiblePythonVersionFound|not supported by the project"
    r"|network|connection",
    re.I,
)


class LockGate:
    name = NAME
    stage = "pre-commit"
    description = "the lock file agrees with pyproject.toml (the manager's check)"

    def run(self, context: GateContext) -> GateResult:
        manager = context.manager
        if manager is None:
            return GateResult(
                NAME, True, skipped=True, message="no Python project detected"
            )
        step = manager.lock_check(context.workspace)
        if step is None:
            return GateResult(
                NAME, True, skipped=True, message=f"{manager.name}: no lock to check"
            )
        env = {**context.run_env, **step.env}
        result = runner.run_argv(
            step.name,
            step.argv,
            cwd=step.cwd or context.workspace.root,
            env=runner.child_env(env),
            timeout=step.timeout or tools.TOOL_TIMEOUT,
        )
        said = result.output_tail.strip()
        # Exit 1 alone means "the lock disagrees"; 127 is a manager that could
        # not start, 2 (uv) an error before any comparison.
        drift = result.exit_code == 1 and not _CANNOT.search(said)
        cannot = not result.ok and not drift
        if result.ok:
            message = f"{manager.name}: lock agrees with pyproject.toml"
        elif cannot:
            last = said.splitlines()[-1] if said else f"exit {result.exit_code}"
            message = (
                f"{manager.name}: the lock could not be checked ({last}); "
                "fix that (e.g. install the interpreter the project pins, or "
                f"{manager.name} itself) and run the gate again"
            )
        else:
            message = (
                f"{manager.name}: the lock file does not match pyproject.toml "
                f"({step.name}): re-lock and commit the lock"
            )
        return GateResult(
            NAME,
            result.ok,
            findings=(Finding("pyproject.toml", 0, "lock drift"),) if drift else (),
            message=message,
            tool=step.argv[0] if step.argv else "",
            output="" if result.ok else tools.tail(result.output_tail),
            error=cannot,
        )


GATE = LockGate()


def main(argv: list[str] | None = None) -> int:
    from seedbed.plugins.gates.entry import run_hook

    return run_hook(NAME, argv)
