"""Quality gates: format, lint, types, tests, secrets, lock, migrations.

One module per gate, each with a gate object and the `main(argv=None) -> int`
pre-commit calls; `seedbed gate` and `seedbed init` live in commands.py. See
docs/gates.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from seedbed.core.hookspecs import hookimpl

if TYPE_CHECKING:
    import click
    from seedbed.core.contributions import DoctorCheck
    from seedbed.core.plugins import Registry
    from seedbed.core.types import ConfigKey, Gate
    from seedbed.core.workspace import Workspace


@hookimpl
def seedbed_gates() -> Sequence[Gate]:
    from seedbed.plugins.gates import (
        formatting,
        lint,
        lockfile,
        migrations,
        secret_scan,
        testing,
        typecheck,
    )

    # Issue order; fast checks first within each stage.
    return [
        formatting.GATE,
        lint.GATE,
        typecheck.GATE,
        testing.GATE,
        secret_scan.GATE,
        lockfile.GATE,
        migrations.GATE,
    ]


@hookimpl
def seedbed_config_keys() -> Sequence[ConfigKey]:
    from seedbed.plugins.gates.settings import CONFIG_KEYS

    return CONFIG_KEYS


@hookimpl
def seedbed_doctor(workspace: Workspace, registry: Registry) -> Sequence[DoctorCheck]:
    """Whether the gates can judge the code here (tools, environment, test
    runner); nothing is started."""
    from seedbed.plugins.gates.readiness import doctor

    return doctor(workspace, registry)


@hookimpl
def seedbed_register_commands(cli: click.Group) -> None:
    from seedbed.plugins.gates.commands import gate, init, secrets

    cli.add_command(gate)
    cli.add_command(init)
    cli.add_command(secrets)
