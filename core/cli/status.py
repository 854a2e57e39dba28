"""`seedbed status`: is this worktree ready, and how did its last setup go?

Exit 0 when ready, 1 when not (stale, running, interrupted, failed, missing:
the output says which), so `seedbed status && ...` is a readiness check.

What it prints is built by core/statusfast.py, which also answers the plain
cases without click (core/entry.py); this command reads the state through
core/state.py and reports damage (exit 3, naming the file)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from seedbed.core import state, statusfast
from seedbed.core.cli.output import disk_errors, json_option
from seedbed.core.errors import EXIT_FAILED, EXIT_OK


def describe(root: Path) -> dict[str, Any]:
    """The worktree's status; DamagedState (exit 3) when a state file is damaged."""
    ready, last, unsealed = state.inspect(root)
    return statusfast.describe(
        str(root),
        ready,
        last,
        unsealed,
        lambda: state.is_locked(root),
        lambda: state.is_in_sync(root),
        lambda base, env_dir: str(Path(base) / env_dir),
    )


@click.command("status")
@json_option
@disk_errors()
def command(as_json: bool) -> int:
    """Show whether this worktree's environment is ready, with step timings."""
    from seedbed.core.workspace import Workspace

    facts = Workspace.facts_for(Path.cwd())
    info = describe(facts.root)
    if as_json:
        click.echo(statusfast.render_json(info), nl=False)
    else:
        click.echo(statusfast.render_text(str(facts.root), info), nl=False)
    return EXIT_OK if info["status"] == "ready" else EXIT_FAILED
