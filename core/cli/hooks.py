"""`seedbed hooks install|uninstall|status`: the git hooks that run setup."""

from __future__ import annotations

from pathlib import Path

import click

from core.cli.output import emit_json, json_option, table


@click.group("hooks")
def command() -> None:
    """Install, remove or inspect seedbed's git hooks (post-checkout, post-merge,
    post-rewrite). Hooks are shared by every worktree of the repository."""


@command.command("install")
@json_option
def install(as_json: bool) -> int:
    """Install the hooks, chaining any hook already there."""
    from core import githooks
    from core.workspace import Workspace

    facts = Workspace.facts_for(Path.cwd())
    result = githooks.install(facts)
    if as_json:
        emit_json(result)
        return 0
    for hook in result["hooks"]:
        chained = " (chains the hook that was there)" if hook["chained"] else ""
        click.echo(f"installed {hook['path']}{chained}")
    if result["warning"]:
        click.echo(f"seedbed: warning: {result['warning']}", err=True)
    return 0


@command.command("uninstall")
@json_option
def uninstall(as_json: bool) -> int:
    """Remove the hooks and restore exactly what was there before."""
    from core import githooks
    from core.workspace import Workspace

    facts = Workspace.facts_for(Path.cwd())
    result = githooks.uninstall(facts)
    if as_json:
        emit_json(result)
        return 0
    for path in result["removed"]:
        click.echo(f"removed {path}")
    for path in result["restored"]:
        click.echo(f"restored the previous {path}")
    for path in result["left_alone"]:
        click.echo(f"left alone {path} (the hook beside it is no longer seedbed's)")
    if not result["removed"]:
        click.echo("no seedbed hooks were installed")
    return 0


@command.command("status")
@json_option
def status(as_json: bool) -> int:
    """Show which hooks are installed and whether git will run them."""
    from core import githooks
    from core.workspace import Workspace

    facts = Workspace.facts_for(Path.cwd())
    states = githooks.status(facts)
    problem = githooks.bypassed(facts)
    if as_json:
        emit_json({"hooks": [s.as_dict() for s in states], "bypassed": problem})
        return 0
    rows = [
        [
            s.name,
            "installed" if s.installed else ("other hook" if s.foreign else "absent"),
            "yes" if s.chained else "no",
            s.path,
        ]
        for s in states
    ]
    click.echo(table(rows, ["hook", "state", "chained", "path"]))
    if problem:
        click.echo(
            f"seedbed: warning: {problem}; run `seedbed hooks install`", err=True
        )
    return 0
