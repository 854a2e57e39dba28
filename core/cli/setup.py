"""`seedbed setup`: prepare this worktree by hand (what the git hook does).

The body is core/setupfast.perform, shared with the route that skips click
for the plain forms (core/entry.py); this command parses every other form and
reports click's usage errors.
"""

from __future__ import annotations

import click
from seedbed.core import setupfast
from seedbed.core.cli.output import disk_errors, json_option
from seedbed.core.errors import EXIT_SETUP

TRIGGERS = setupfast.TRIGGERS


@click.command("setup")
@click.option("--recreate", is_flag=True, help="Remove the environment and rebuild it.")
@click.option(
    "-v", "--verbose", is_flag=True, help="Show the package manager's output."
)
@click.option("--trigger", type=click.Choice(TRIGGERS), default="manual", hidden=True)
@json_option
@disk_errors(EXIT_SETUP)
def command(recreate: bool, verbose: bool, trigger: str, as_json: bool) -> int:
    """Create or sync this worktree's environment; mark it ready.

    Does nothing when the environment is already in sync with the lock files
    (use --recreate to force a rebuild).
    """
    return setupfast.perform(recreate, verbose, trigger, as_json, click.echo)
