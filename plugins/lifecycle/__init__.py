"""Lifecycle commands: `seedbed ls`, `doctor`, `conflicts` and `shell-init`.

One module per command (ls, doctor, conflicts, shell_init) plus worktrees (git's
list of worktrees, seedbed's state of each). Importing this module costs
nothing: the command modules load when the command list is built, and they
import GitPython and the core only when a command runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from seedbed.core.hookspecs import hookimpl

if TYPE_CHECKING:
    import click


@hookimpl
def seedbed_register_commands(cli: click.Group) -> None:
    from seedbed.plugins.lifecycle import conflicts, doctor, ls, shell_init

    for module in (ls, doctor, conflicts, shell_init):
        cli.add_command(module.command)
