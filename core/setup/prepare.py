"""Before any step: say a setup is running, stop what a killed one left behind,
and decide whether the environment must be rebuilt (and may be)."""

from __future__ import annotations

import os
from pathlib import Path

from seedbed.core import ownership, runner, state
from seedbed.core.setup import sync
from seedbed.core.types import Manager
from seedbed.core.workspace import Workspace

# While a step runs, its process group (see runner.stop_leftover).
CHILD = "step-running.json"


def announce(root: Path, trigger: str, started_at: float) -> str:
    """Clear the ready marker, record the attempt as running, and stop a step
    a killed seedbed left running (never two writers of one environment).
    Returns what was stopped, or ""."""
    state.clear_ready(root)
    state.write_json_atomic(  # without fsync: a torn record is no record
        state.state_dir(root) / state.LAST,
        {
            "status": "running",
            "trigger": trigger,
            "started_at": started_at,
            "pid": os.getpid(),
        },
    )
    return runner.stop_leftover(state.state_dir(root) / CHILD)


def repairs(workspace: Workspace, manager: Manager, recreate: bool) -> list[str]:
    """Why the environment must be rebuilt ([] when it need not be); refuses
    (SetupError) when it must go and the folder there is not seedbed's."""
    root = workspace.root
    env_dir = manager.env_dir(workspace)
    ownership.check_place(root, env_dir)
    found = [] if recreate else sync.problems(workspace, manager)
    if ownership.pending(root, env_dir) and os.path.lexists(env_dir):
        # Its creation was interrupted: whatever is there is half made.
        found.append(f"{env_dir}: its creation was interrupted; rebuilt")
    in_the_way = os.path.lexists(env_dir) and not ownership.owned(root, env_dir)
    if (found or recreate) and in_the_way:
        raise ownership.not_ours(
            env_dir, "it must be rebuilt, and it is not an environment seedbed made"
        )
    if not os.path.lexists(env_dir):
        ownership.begin_creation(root, env_dir)
    return found
