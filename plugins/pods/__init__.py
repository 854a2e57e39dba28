"""Container workspaces: `seedbed pod …`, isolated Docker workspaces for a worktree.

Modules, one job each: settings (config keys), engine (connect, errors), naming
(names, labels), limits (counts and the engine lock), image (build from
templates/pod), spec (one pod's hardened definition), provision (parallel
create/start with rollback), inventory (find pods), stats (figures, memory
metric), commands (the click group). The Docker SDK is imported only when a
pod command runs, so other commands never pay for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from core.hookspecs import hookimpl
from core.records import ConfigKey

if TYPE_CHECKING:
    import click


@hookimpl
def seedbed_config_keys() -> Sequence[ConfigKey]:
    from plugins.pods.settings import CONFIG_KEYS

    return CONFIG_KEYS


@hookimpl
def seedbed_register_commands(cli: click.Group) -> None:
    from plugins.pods.commands import pod

    cli.add_command(pod)
