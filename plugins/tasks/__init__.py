"""Task runs: `seedbed task run | ls | show`, a task file (PRP) in, a worktree
and a hardened pod per task, results out (docs/tasks.md).

Modules, one job each: taskfile (parse and check a task file), worktree (make,
set up, diff, remove a task's worktree), pod (the task's pod through the pods
plugin's public functions, commands run in it, its peak figures), run (one
task run, stage by stage), results (results/<task>/<run id>/), record (metrics
rows), settings (config keys), parallel (several runs, signals), commands
(the click group). Nothing heavy is imported until a task command runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from seedbed.core.hookspecs import hookimpl
from seedbed.core.types import ConfigKey

if TYPE_CHECKING:
    import click


@hookimpl
def seedbed_config_keys() -> Sequence[ConfigKey]:
    from seedbed.plugins.tasks.settings import CONFIG_KEYS

    return CONFIG_KEYS


@hookimpl
def seedbed_register_commands(cli: click.Group) -> None:
    from seedbed.plugins.tasks.commands import task

    cli.add_command(task)
