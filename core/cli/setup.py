"""`seedbed setup`: prepare this worktree by hand (what the git hook does)."""

from __future__ import annotations

import sys

import click
from seedbed.core.cli.output import disk_errors, emit_json, json_option
from seedbed.core.errors import EXIT_SETUP

TRIGGERS = ("manual", "create", "checkout", "merge", "rewrite", "recreate")


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
    from seedbed.core import app as application
    from seedbed.core import setup, trust
    from seedbed.core.progress import TextProgress

    app = application.load()
    # By hand is consent (as `pre-commit run` is); say so when a checkout would
    # not have acted on this configuration.
    note = trust.untrusted_note(app.workspace.root, app.workspace.common_dir)
    if note and not as_json:
        click.echo(note, err=True)
    if recreate and trigger == "manual":
        trigger = "recreate"
    progress = None if as_json else TextProgress(sys.stderr)
    outcome = setup.run_setup(
        app, trigger, recreate=recreate, progress=progress, echo=verbose and not as_json
    )
    if as_json:
        emit_json(outcome.as_dict())
    elif outcome.skipped:
        click.echo(
            f"{app.workspace.name}: already ready ({outcome.manager}, "
            f"fingerprint {outcome.fingerprint[:12]})"
        )
    elif outcome.ok:
        click.echo(
            f"{app.workspace.name}: ready ({outcome.manager} via {outcome.installer}, "
            f"Python {outcome.python}, {outcome.package_count or 0} packages) "
            f"in {outcome.seconds:.1f} s"
        )
    else:
        click.echo(f"seedbed: error: {outcome.error}", err=True)
        for line in outcome.hint.splitlines():
            click.echo(f"  {line}", err=True)
    return 0 if outcome.ok else (outcome.exit_code or EXIT_SETUP)
