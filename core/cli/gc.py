"""`seedbed gc`: release what worktrees git no longer lists still hold.

Order, so an interrupted gc resumes where it stopped: every plugin's
`seedbed_gc` first (each releases its resources, then drops its own records:
ports, databases, pods), then seedbed's own per-worktree state, last. The
metrics store is never pruned: the history of a removed worktree stays.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click
from seedbed.core.cli.output import disk_errors, emit_json, json_option, table
from seedbed.core.types import GcAction

if TYPE_CHECKING:
    from seedbed.core.gitfacts import GitFacts


def recorded_worktrees(common_dir: Path) -> set[str]:
    """Every worktree path the metrics store has seen (it keeps them all)."""
    from seedbed.core.errors import SeedbedError
    from seedbed.core.metrics import MetricsStore, store_path

    store = MetricsStore(store_path(common_dir))
    if not store.path.exists():
        return set()
    try:
        with store.connect() as db:
            rows = db.execute("SELECT DISTINCT worktree_path FROM runs").fetchall()
    except (sqlite3.Error, SeedbedError):  # damaged: `seedbed doctor` says so
        return set()
    return {str(row[0]) for row in rows if row[0]}


def state_actions(common_dir: Path, live: list[Path], dry_run: bool) -> list[GcAction]:
    """seedbed's `.seedbed/` in folders that were worktrees and are not any
    more (git forgot them, the folder stayed). A folder that is a worktree
    again (it has a `.git`) is not touched, nor is its environment: only the
    state seedbed wrote."""
    live_paths = {str(path) for path in live}
    actions = []
    for path in sorted(recorded_worktrees(common_dir) - live_paths):
        folder = Path(path)
        state = folder / ".seedbed"
        if not state.is_dir() or (folder / ".git").exists():
            continue
        done, detail = True, ""  # in a dry run: it would be released
        if not dry_run:
            try:
                shutil.rmtree(state)
            except OSError as exc:
                done, detail = False, str(exc)
        actions.append(GcAction("seedbed", f"state {state}", path, done, detail))
    return actions


def record(facts: GitFacts, actions: list[GcAction], started_at: float) -> None:
    """One metrics row per gc run (kind "gc"), figure = what was released."""
    from seedbed.core.metrics import record_runs

    failed = [a for a in actions if not a.done]
    record_runs(
        facts,
        {
            "kind": "gc",
            "name": "gc",
            "branch": "",
            "started_at": started_at,
            "seconds": time.time() - started_at,
            "exit_code": 1 if failed else 0,
            "figure": float(len(actions) - len(failed)),
            "detail": {
                "released": len(actions) - len(failed),
                "failed": len(failed),
                "plugins": sorted({a.plugin for a in actions}),
            },
        },
        warn="gc",
    )


def shown(action: GcAction, dry_run: bool) -> dict[str, object]:
    """An action for --json: `done` only for what was released now; `result`
    is released, would_release (a dry run) or failed."""
    verb = "would_release" if dry_run else "released"
    result = verb if action.done else "failed"
    return {**action.as_dict(), "done": result == "released", "result": result}


@click.command("gc")
@click.option(
    "--dry-run", is_flag=True, help="Say what would be released; change nothing."
)
@json_option
@disk_errors()
def command(dry_run: bool, as_json: bool) -> int:
    """Release ports, databases, containers and state of removed worktrees.

    Metrics are kept. Safe to interrupt and run again.
    """
    from seedbed.core import app as application
    from seedbed.core import githooks

    started_at = time.time()
    app = application.load()
    facts = app.workspace.facts
    live = githooks.worktree_paths(facts)
    actions = [
        action
        for results in reversed(  # pluggy answers last-registered first
            app.registry.pm.hook.seedbed_gc(
                common_dir=facts.common_dir, live_worktrees=live, dry_run=dry_run
            )
        )
        for action in results
    ]
    actions.extend(state_actions(facts.common_dir, live, dry_run))
    if not dry_run:
        # The release happened; a lost row is only a warning.
        record(facts, actions, started_at)
    if as_json:
        emit_json({"dry_run": dry_run, "actions": [shown(a, dry_run) for a in actions]})
        return 0 if all(a.done or dry_run for a in actions) else 1
    if not actions:
        click.echo("nothing to release")
        return 0
    verb = "would release" if dry_run else "released"
    rows = [
        [a.plugin, a.resource, a.worktree, verb if a.done or dry_run else "failed"]
        for a in actions
    ]
    click.echo(table(rows, ["plugin", "resource", "worktree", "result"]))
    for action in actions:
        if not action.done and not dry_run and action.detail:
            click.echo(f"  {action.resource}: {action.detail}", err=True)
    return 0 if all(a.done or dry_run for a in actions) else 1
