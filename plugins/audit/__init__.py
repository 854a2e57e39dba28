"""Dependency vulnerability audit: the `audit` gate and `seedbed audit`.

Every distribution installed in the worktree's environment is checked against
advisories in the OSV format: offline from a local database (OSV's
`PyPI/all.zip`, renewed by `seedbed audit update`), or online through
pip-audit. Accepted risks live in a committed file with optional expiry dates.
A self-contained plugin family, registered under its own entry point. See
docs/audit.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from seedbed.core.hookspecs import hookimpl

if TYPE_CHECKING:
    import click
    from seedbed.core.types import ConfigKey, Gate


@hookimpl
def seedbed_gates() -> Sequence[Gate]:
    from seedbed.plugins.audit.gate import GATE

    return [GATE]


@hookimpl
def seedbed_config_keys() -> Sequence[ConfigKey]:
    from seedbed.plugins.audit.settings import CONFIG_KEYS

    return CONFIG_KEYS


@hookimpl
def seedbed_register_commands(cli: click.Group) -> None:
    from seedbed.plugins.audit.commands import audit

    cli.add_command(audit)
