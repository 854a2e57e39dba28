"""Setup: choose the manager → skip when in sync → one attempt under the
worktree's lock (core/setup/attempt.py: plan → run → health → mark ready).

The modules, in the order a setup uses them: choose (manager, interpreter),
sync (identity, watched files, fingerprint, health), prepare (before any
step), plan (the steps), run (running them), mark (the ready marker and the
attempt's record), record (metrics); outcome holds what a setup reports.
"""

from __future__ import annotations

import os
from pathlib import Path

from seedbed.core import files, runner, state
from seedbed.core.app import App
from seedbed.core.errors import SetupError
from seedbed.core.setup.attempt import attempt
from seedbed.core.setup.choose import choose_manager
from seedbed.core.setup.outcome import (
    Outcome,
    Progress,
    QuietProgress,
    disk_hint,
    disk_message,
)
from seedbed.core.setup.sync import in_sync

__all__ = ["Outcome", "Progress", "QuietProgress", "choose_manager", "run_setup"]


def run_setup(
    app: App,
    trigger: str = "manual",
    recreate: bool = False,
    progress: Progress | None = None,
    echo: bool = False,
    wait: bool = True,
) -> Outcome:
    """Set the worktree up unless it is already in sync. wait=False (git hooks)
    raises state.Locked at once when another setup of it is running."""
    workspace = app.workspace
    root = workspace.root
    manager = choose_manager(app)
    env_dir = manager.env_dir(workspace)
    try:
        # seedbed's per-worktree files stay out of git, for every worktree.
        files.exclude(
            workspace.common_dir,
            ["/.seedbed/", f"/{os.path.relpath(env_dir, root)}/", *manager.excludes],
        )
        with state.worktree_lock(root, wait=wait):
            if not recreate and in_sync(app, manager):
                # The environment is in sync; .env still follows its own
                # inputs (detection, .flaskenv, settings): plugins refresh it.
                app.registry.pm.hook.seedbed_run_env(workspace=workspace)
                return _already_ready(trigger, manager.name, root)
            with runner.terminate_as_interrupt():
                return attempt(
                    app, manager, trigger, recreate, progress or QuietProgress(), echo
                )
    except OSError as exc:
        raise SetupError(
            disk_message(exc, "writing seedbed's state"), disk_hint(exc)
        ) from exc


def _already_ready(trigger: str, manager: str, root: Path) -> Outcome:
    ready = state.read_ready(root) or {}
    return Outcome(
        True,
        trigger,
        manager,
        ready.get("installer", ""),
        ready.get("fingerprint", ""),
        skipped=True,
        python=ready.get("python", {}).get("version", ""),
        package_count=ready.get("package_count"),
    )
