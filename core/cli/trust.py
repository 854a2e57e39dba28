"""`seedbed trust`: review this worktree's seedbed configuration and trust it.

Like `direnv allow`: shows what changed against the configuration trusted
most recently, then records its digest so the git hooks act on it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from seedbed.core.cli.output import emit_json, json_option

if TYPE_CHECKING:
    from seedbed.core.trust import Recorded, Snapshot, Store


@click.command("trust")
@click.option("--show", is_flag=True, help="Only show what changed; record nothing.")
@json_option
def command(show: bool, as_json: bool) -> int:
    """Show what changed in this worktree's seedbed configuration (.seedbed.toml,
    [tool.seedbed], .worktreeinclude) and trust it, so git hooks act on it."""
    from seedbed.core import trust
    from seedbed.core.errors import NotARepositoryError
    from seedbed.core.gitfacts import GitFacts

    facts = GitFacts.read(Path.cwd())
    if facts is None:
        raise NotARepositoryError(str(Path.cwd()))
    snap = trust.snapshot(facts.root)  # malformed: ConfigError, exit 3
    store = trust.read_store(facts.common_dir)
    was_trusted = snap.implicit or store.trusts(snap.digest)
    changes = [] if snap.implicit else trust.changes(snap, store.latest())
    recorded = None
    if not show and not snap.implicit:
        recorded = trust.record(facts.common_dir, snap, "seedbed trust")
    result: dict[str, Any] = {
        "trusted": was_trusted or recorded is not None,
        "digest": snap.digest,
        "files": snap.files,
        "changes": changes,
        "recorded": recorded is not None,
    }
    if as_json:
        if store.problem:
            result["problem"] = store.problem
        emit_json(result)
        return 0
    _explain(snap, store, changes, was_trusted)
    if recorded is not None:
        _confirm(recorded)
    return 0


def _explain(
    snap: Snapshot, store: Store, changes: list[dict[str, Any]], was: bool
) -> None:
    from seedbed.core import trust

    if store.problem:
        click.echo(f"seedbed: warning: {store.problem}; it trusts nothing", err=True)
    if snap.implicit:
        click.echo(
            "no seedbed configuration here (.seedbed.toml, [tool.seedbed], "
            ".worktreeinclude): seedbed's defaults need no trust"
        )
        return
    click.echo(f"configuration: {', '.join(snap.files)} (digest {snap.digest[:12]})")
    latest = store.latest()
    against = (
        f"the configuration trusted {latest.get('when', '?')} "
        f"({latest.get('how', '?')})"
        if latest
        else "no configuration (nothing trusted yet)"
    )
    if was:
        click.echo("already trusted")
    elif not changes:
        click.echo(f"same keys and lines as {against}")
    else:
        click.echo(f"changes against {against}:")
        for change in changes:
            click.echo(f"  {trust.describe(change)}")


def _confirm(recorded: Recorded) -> None:
    if recorded.moved_aside:
        click.echo(f"seedbed: moved the damaged trust file to {recorded.moved_aside}")
    click.echo(
        "trusted; git hooks will act on this configuration. "
        "Run `seedbed setup` to set this worktree up now"
    )
