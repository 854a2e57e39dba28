"""`seedbed report …`: the Nushell reports, for people who do not live in Nushell.

The figures come from one place, the shipped Nushell module (nushell/seedbed.nu),
which reads the metrics store with `query db`. This family only finds `nu`,
checks that the store is readable, and runs `nu cli.nu <command> <flags>`: the
arguments travel as argv and are parsed against the script's signatures, never
pasted into Nushell source.

Modules: settings (the `[tool.seedbed.reports]` keys), store (which store, and
whether it is readable), nu (finding and running Nushell), commands (click).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from seedbed.core.hookspecs import hookimpl
from seedbed.plugins.reports.settings import ALERT_FLAGS, CONFIG_KEYS, SECTION

if TYPE_CHECKING:
    import click
    from seedbed.core.types import ConfigKey

__all__ = ["ALERT_FLAGS", "CONFIG_KEYS", "SECTION"]


@hookimpl
def seedbed_config_keys() -> Sequence[ConfigKey]:
    return CONFIG_KEYS


@hookimpl
def seedbed_register_commands(cli: click.Group) -> None:
    from seedbed.plugins.reports.commands import report_group

    cli.add_command(report_group)
