"""`seedbed metrics`: export the repository's metrics store."""

from __future__ import annotations

import contextlib
import sqlite3
import sys
import time
from pathlib import Path
from typing import Any

import click
from seedbed.core import metrics
from seedbed.core.cli.output import disk_errors, json_option, table


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
    if as_json:
        stream_json(store, kind, worktree, since, limit)
        return 0
    rows = store.rows(kind=kind, worktree=worktree, since=since, limit=limit)
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


def stream_json(
    store: metrics.MetricsStore,
    kind: str | None,
    worktree: str | None,
    since: float | None,
    limit: int | None,
) -> None:
    """The JSON contract's one object, {"runs": [...], "schema_version",
    "store"} (keys sorted, as emit_json writes them), streamed: SQLite renders
    each row as a JSON object (ISO 8601 UTC timestamps, `ok` a boolean,
    `detail` the stored object) and rows go out as they are read, so 100,000
    runs cost about what `sqlite3 -json` costs, in constant memory."""
    import json

    with contextlib.ExitStack() as stack:
        cursor: sqlite3.Cursor | None = None
        if store.path.exists():
            # Opened (checked, migrated) and queried before the first byte, so
            # a store error is still the one JSON error object on stdout.
            db = stack.enter_context(store.connect())
            cursor = db.execute(*_json_query(db, kind, worktree, since, limit))
        out = sys.stdout
        out.write('{\n  "runs": [')
        first = True
        while cursor is not None and (batch := cursor.fetchmany(2000)):
            text = ",\n    ".join(row[0] for row in batch)
            out.write(("\n    " if first else ",\n    ") + text)
            first = False
    out.write("]" if first else "\n  ]")
    out.write(f',\n  "schema_version": {metrics.SCHEMA_VERSION},\n')
    out.write(f'  "store": {json.dumps(str(store.path))}\n}}\n')
    out.flush()


def _json_query(
    db: sqlite3.Connection,
    kind: str | None,
    worktree: str | None,
    since: float | None,
    limit: int | None,
) -> tuple[str, list[Any]]:
    columns = sorted(row[1] for row in db.execute("PRAGMA table_info(runs)"))
    special = {
        "started_at": "strftime('%Y-%m-%dT%H:%M:%S+00:00', started_at, 'unixepoch')",
        "ok": "CASE WHEN ok THEN json('true') ELSE json('false') END",
        "detail": (
            "CASE WHEN detail IS NULL OR detail = '' THEN json('{}') "
            "WHEN json_valid(detail) THEN json(detail) "
            "ELSE json_object('unparsed', detail) END"
        ),
    }
    fields = ", ".join(f"'{c}', {special.get(c, quote(c))}" for c in columns)
    clauses: list[str] = []
    params: list[Any] = []
    for clause, value in (
        ("kind = ?", kind),
        ("worktree = ?", worktree),
        ("started_at >= ?", since),
    ):
        if value is not None and value != "":
            clauses.append(clause)
            params.append(value)
    where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
    # Oldest first; with a limit, the newest N (as `rows` keeps them).
    inner = f"SELECT * FROM runs{where} ORDER BY started_at DESC, id DESC"
    if limit:
        inner += " LIMIT ?"
        params.append(int(limit))
    sql = f"SELECT json_object({fields}) FROM ({inner}) AS runs ORDER BY started_at, id"
    return sql, params


def quote(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'
