"""`seedbed ports`: the port blocks your worktrees hold, in every repository."""

from __future__ import annotations

import contextlib
from pathlib import Path

import click
from seedbed.core.cli.output import emit_json, json_option, table
from seedbed.core.gitfacts import GitFacts
from seedbed.plugins.resources import ports


@click.command("ports")
@json_option
def ports_command(as_json: bool) -> int:
    """List the port blocks held by your worktrees, in every repository."""
    blocks = ports.Registry().blocks()
    here = ""
    with contextlib.suppress(Exception):
        facts = GitFacts.read(Path.cwd())
        here = str(facts.root) if facts else ""
    rows = [
        {
            **block.as_dict(),
            "current": block.worktree == here,
            "exists": Path(block.worktree).is_dir(),
        }
        for block in blocks
    ]
    if as_json:
        emit_json({"registry": str(ports.Registry().path), "blocks": rows})
        return 0
    if not rows:
        click.echo("no port blocks allocated")
        return 0
    lines = [
        [
            f"{row['start']}-{row['end']}",
            str(row["repository"]),
            str(row["worktree"]) + (" (here)" if row["current"] else ""),
            "" if row["exists"] else "gone: seedbed gc releases it",
        ]
        for row in rows
    ]
    click.echo(table(lines, ["ports", "repository", "worktree", "note"]))
    return 0
