"""Lifecycle commands: `seedbed new`, `rm`, `ls`, `doctor`, `conflicts` and
`shell-init`.

One module per command (new, rm, ls, doctor, conflicts, shell_init) plus
worktrees (git's list of worktrees, seedbed's state of each, the `--worktree`
resolver) and settings (config keys); the dev servers `rm` stops are recorded
by core/serving.py.
Importing this module costs nothing: the command modules load when the command
list is built, and they import GitPython and the core only when a command runs.
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
    from seedbed.plugins.lifecycle.settings import CONFIG_KEYS

    return CONFIG_KEYS


@hookimpl
def seedbed_register_commands(cli: click.Group) -> None:
    from seedbed.plugins.lifecycle import conflicts, doctor, ls, new, rm, shell_init

    for module in (ls, new, rm, doctor, conflicts, shell_init):
        cli.add_command(module.command)
