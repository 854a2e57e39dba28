"""`seedbed gc`: release what worktrees git no longer lists still hold."""

from __future__ import annotations

import click

from core.cli.output import emit_json, json_option, table


@click.command("gc")
@click.option(
    "--dry-run", is_flag=True, help="Say what would be released; change nothing."
)
@json_option
def command(dry_run: bool, as_json: bool) -> int:
    """Release ports, databases, containers and state of removed worktrees.

    Metrics are kept. Safe to interrupt and run again.
    """
    from core import app as application
    from core import githooks

    app = application.load()
    facts = app.workspace.facts
    live = githooks.worktree_paths(facts)
    actions = [
        action
        for results in app.registry.pm.hook.seedbed_gc(
            common_dir=facts.common_dir, live_worktrees=live, dry_run=dry_run
        )
        for action in results
    ]
    if as_json:
        emit_json({"dry_run": dry_run, "actions": [a.as_dict() for a in actions]})
        return 0
    if not actions:
        click.echo("nothing to release")
        return 0
    verb = "would release" if dry_run else "released"
    rows = [
        [a.plugin, a.resource, a.worktree, verb if a.done or dry_run else "failed"]
        for a in actions
    ]
    click.echo(table(rows, ["plugin", "resource", "worktree", "result"]))
    return 0 if all(a.done or dry_run for a in actions) else 1
