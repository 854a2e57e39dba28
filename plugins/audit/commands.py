"""`seedbed audit update | status | check`: thin click wrappers."""

from __future__ import annotations

from pathlib import Path

import click
from seedbed.core.cli.output import emit_json, json_option
from seedbed.core.errors import EXIT_ENVIRONMENT, EXIT_FAILED, EXIT_OK
from seedbed.plugins.audit import update


@click.group("audit")
def audit() -> None:
    """Known vulnerabilities in this worktree's installed packages (OSV).

    The offline source reads a local advisory database (`seedbed audit
    update` downloads OSV's PyPI/all.zip); the online one asks pip-audit.
    Exit codes: 1 findings, 3 a broken setting or acceptance file, 6 no
    database, a damaged one or pip-audit missing or offline, 10 not found.
    """


@audit.command("update")
@click.option(
    "--url",
    default=update.DEFAULT_URL,
    show_default=True,
    help="Where to download the OSV database (a zip of OSV JSON files).",
)
@json_option
def update_command(url: str, as_json: bool) -> int:
    """Download the advisory database into the per-user data folder."""
    state = update.download(url)
    if as_json:
        emit_json(state.as_dict())
    else:
        click.echo(f"{state.path}: {state.advisories} advisories from {url}")
    return EXIT_OK


@audit.command("status")
@json_option
def status_command(as_json: bool) -> int:
    """Show the advisory database: path, age and number of advisories."""
    from seedbed.plugins.audit import osv

    path = _configured_database()
    state = update.status(path)
    data = state.as_dict()
    if state.exists:
        data["advisories"] = osv.load(path).count
    if as_json:
        emit_json(data)
    elif not state.exists:
        click.echo(f"{path}: no advisory database; run `seedbed audit update`")
    else:
        click.echo(f"{path}: {data['advisories']} advisories, {state.age_text()}")
    return EXIT_OK if state.exists else EXIT_ENVIRONMENT


def _configured_database() -> Path:
    """The worktree's configured database when run in one, else the user's."""
    from seedbed.core import app as application
    from seedbed.core.errors import NotARepositoryError
    from seedbed.plugins.audit import check, settings
    from seedbed.plugins.gates.run import context_for

    try:
        app = application.load()
    except NotARepositoryError:
        return update.default_database()
    context = context_for(app)
    return check.database_path(context, dict(settings.read(app.workspace)))


@audit.command("check")
@json_option
def check_command(as_json: bool) -> int:
    """Check this worktree's installed packages now and print the findings."""
    from seedbed.core import app as application
    from seedbed.plugins.audit import check
    from seedbed.plugins.audit.gate import result
    from seedbed.plugins.gates.run import context_for

    context = context_for(application.load())
    report = check.run(context)
    if as_json:
        emit_json(report.as_dict())
    else:
        gate_result = result(report)
        click.echo(gate_result.message)
        for line in gate_result.output.splitlines():
            click.echo(f"  {line}")
        for item, acceptance in report.verdict.accepted:
            until = f" until {acceptance.expires}" if acceptance.expires else ""
            click.echo(f"  accepted{until}: {item.line()}: {acceptance.reason}")
    return EXIT_FAILED if report.verdict.failing else EXIT_OK
