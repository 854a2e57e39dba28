"""The steps of one setup, in order: the .worktreeinclude copy, the reuse of a
sibling's environment (or the manager's own install), then every plugin's
steps (`seedbed_setup_steps`: .env, ports, database, migrations, editors)."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from seedbed.core import ownership, reuse, worktreeinclude
from seedbed.core.app import App
from seedbed.core.types import SetupContext, Step


@dataclass(frozen=True)
class Reuse:
    """Steps that build the environment from a sibling's, and what to note."""

    steps: Sequence[Step] = ()
    donor: str = ""  # the sibling worktree's root
    note: str = ""  # why a found sibling could not be used


def reuse_plan(
    context: SetupContext, fingerprint: str, recreate: bool, rebuild: bool
) -> Reuse:
    """Only for an environment that is missing or must be rebuilt (an
    existing healthy one is synced in place by the manager, which is cheaper);
    never on --recreate, which promises the manager's own full install."""
    workspace, manager = context.workspace, context.manager
    if manager is None or recreate or not workspace.config.get("reuse", True):
        return Reuse()
    env_dir = manager.env_dir(workspace)
    if env_dir.exists() and not rebuild and manager.health_check(workspace) is None:
        return Reuse()
    if os.path.lexists(env_dir) and not ownership.owned(workspace.root, env_dir):
        return Reuse()  # the user's folder: never replaced by a sibling's copy
    first = ""
    for donor in reuse.donors(workspace.root, workspace.common_dir, fingerprint):
        steps = manager.reuse_steps(context, donor.root, donor.env_dir)
        if steps:
            return Reuse(list(steps), str(donor.root))
        first = first or str(donor.root)
    if first:
        return Reuse(note=f"not possible from {first} for {manager.name}")
    return Reuse()


def include_step(app: App, copied: Callable[[list[str]], None]) -> Step:
    """Copy the files .worktreeinclude lists from the main worktree; copied
    receives their names."""
    workspace = app.workspace

    def copy() -> None:
        done = worktreeinclude.apply(workspace.root, workspace.common_dir)
        if done.copied:
            copied(list(done.copied))

    return Step("worktreeinclude", action=copy)


def plugin_steps(app: App, context: SetupContext) -> list[Step]:
    steps: list[Step] = []
    for found in app.registry.pm.hook.seedbed_setup_steps(context=context):
        steps.extend(found)
    return steps
