"""`seedbed metrics`: export the repository's metrics store."""

from __future__ import annotations

import time
from pathlib import Path

import click
from seedbed.core import metrics
from seedbed.core.cli.output import disk_errors, emit_json, iso, json_option, table


@click.command("metrics")
@click.option(
    "--kind", type=click.Choice(metrics.KINDS), help="Only rows of this kind."
)
@click.option("--worktree", help="Only this worktree (its slug).")
@click.option("--days", type=float, help="Only the last N days.")
@click.option("--limit", type=int, help="At most N rows (the newest).")
@json_option
@disk_errors()
def command(
    kind: str | None,
    worktree: str | None,
    days: float | None,
    limit: int | None,
    as_json: bool,
) -> int:
    """Show recorded runs (setups, steps, gates, ...), oldest first."""
    from seedbed.core.workspace import Workspace

    facts = Workspace.facts_for(Path.cwd())
    store = metrics.MetricsStore(metrics.store_path(facts.common_dir))
    since = time.time() - days * 86400 if days is not None else None
    rows = store.rows(kind=kind, worktree=worktree, since=since, limit=limit)
    if as_json:
        emit_json(
            {
                "store": str(store.path),
                "schema_version": metrics.SCHEMA_VERSION,
                "runs": [{**r, "started_at": iso(r["started_at"])} for r in rows],
            }
        )
        return 0
    if not rows:
        click.echo(f"no runs recorded yet in {store.path}")
        return 0
    shown = [
        [
            time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r["started_at"])),
            r["kind"],
            r["name"],
            r["worktree"],
            f"{r['seconds']:.2f}",
            "ok" if r["ok"] else str(r["exit_code"]),
        ]
        for r in rows
    ]
    click.echo(
        table(shown, ["started", "kind", "name", "worktree", "seconds", "result"])
    )
    return 0
