"""The lock gate: the lock file agrees with pyproject.toml.

Each package manager plugin owns its check (`Manager.lock_check`): uv runs
`uv lock --check`, poetry `poetry check --lock`, pdm `pdm lock --check`. A
manager without a lock (pip's requirements files) has nothing to check.
"""

from __future__ import annotations

from seedbed.core import runner
from seedbed.core.types import Finding, GateContext, GateResult
from seedbed.plugins.gates import tools

NAME = "lock"


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
        # 127: the manager could not start, so the lock was never checked.
        drift = not result.ok and result.exit_code != 127
        if result.ok:
            message = f"{manager.name}: lock agrees with pyproject.toml"
        elif not drift:
            message = f"{manager.name}: {result.output_tail.strip()}"
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
        )


GATE = LockGate()


def main(argv: list[str] | None = None) -> int:
    from seedbed.plugins.gates.entry import run_hook

    return run_hook(NAME, argv)
