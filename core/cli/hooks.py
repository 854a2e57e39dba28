"""`seedbed hooks install|uninstall|status`: the git hooks that run setup."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from seedbed.core.cli.output import emit_json, json_option, table

if TYPE_CHECKING:
    from seedbed.core.gitfacts import GitFacts
    from seedbed.core.githooks import HookState


@click.group("hooks")
def command() -> None:
    """Install, remove or inspect seedbed's git hooks (post-checkout, post-merge,
    post-rewrite). Hooks are shared by every worktree of the repository."""


@command.command("install")
@json_option
def install(as_json: bool) -> int:
    """Install the hooks, chaining any hook already there, and trust this
    worktree's seedbed configuration as it is now (see `seedbed trust`)."""
    from seedbed.core import githooks
    from seedbed.core.workspace import Workspace

    facts = Workspace.facts_for(Path.cwd())
    result = githooks.install(facts)
    result["trust"] = _trust_current(facts)
    if as_json:
        emit_json(result)
        return 0
    for hook in result["hooks"]:
        chained = " (chains the hook that was there)" if hook["chained"] else ""
        click.echo(f"installed {hook['path']}{chained}")
    for repository in result.get("pruned", []):
        click.echo(f"pruned {repository} from the hooks folder's list: it is gone")
    if result["warning"]:
        click.echo(f"seedbed: warning: {result['warning']}", err=True)
    _say_trust(result["trust"])
    return 0


def _trust_current(facts: GitFacts) -> dict[str, Any]:
    """Installing the hooks is consent to this configuration: record it, so
    checkouts of branches that keep it set up without asking."""
    from seedbed.core import trust
    from seedbed.core.errors import ConfigError

    try:
        snap = trust.snapshot(facts.root)
    except ConfigError as exc:  # the hooks are in; trust waits for a fix
        return {"recorded": False, "files": [], "digest": None, "error": exc.message}
    recorded = None
    if not snap.implicit:
        recorded = trust.record(facts.common_dir, snap, "hooks install")
    return {
        "recorded": recorded is not None,
        "files": snap.files,
        "digest": snap.digest,
        "moved_aside": recorded.moved_aside if recorded else "",
    }


def _say_trust(info: dict[str, Any]) -> None:
    if info.get("error"):
        click.echo(
            f"seedbed: warning: {info['error']}; its configuration is not trusted: "
            "fix it, then run `seedbed trust`",
            err=True,
        )
    elif info["recorded"]:
        if info["moved_aside"]:
            click.echo(f"moved the damaged trust file to {info['moved_aside']}")
        click.echo(
            f"trusted this worktree's seedbed configuration ({', '.join(info['files'])}"
            f", digest {info['digest'][:12]}); a checkout that changes it runs "
            "nothing until `seedbed trust`"
        )


@command.command("uninstall")
@json_option
def uninstall(as_json: bool) -> int:
    """Remove the hooks and restore exactly what was there before."""
    from seedbed.core import githooks
    from seedbed.core.workspace import Workspace

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
    for repository in result.get("pruned", []):
        click.echo(f"pruned {repository} from the hooks folder's list: it is gone")
    if result.get("kept_for"):
        click.echo(
            f"kept the hooks in {', '.join(result['kept_in'])}: still used by "
            f"{', '.join(result['kept_for'])}; they no longer act for this repository"
        )
    elif not result["removed"]:
        click.echo("no seedbed hooks were installed")
    return 0


@command.command("status")
@json_option
def status(as_json: bool) -> int:
    """Show which hooks are installed and whether git will run them."""
    from seedbed.core import githooks
    from seedbed.core.workspace import Workspace

    facts = Workspace.facts_for(Path.cwd())
    states = githooks.status(facts)
    problem = githooks.bypassed(facts)
    if as_json:
        emit_json({"hooks": [s.as_dict() for s in states], "bypassed": problem})
        return 0
    rows = [
        [
            s.name,
            _state(s),
            "yes" if s.chained else "no",
            s.path,
        ]
        for s in states
    ]
    click.echo(table(rows, ["hook", "state", "chained", "path"]))
    shared = next((s for s in states if s.shared), None)
    if shared is not None:
        click.echo(
            f"seedbed's hooks here serve {', '.join(shared.used_by)}, not this "
            "repository; `seedbed hooks install` adds it"
        )
    if problem:
        click.echo(
            f"seedbed: warning: {problem}; run `seedbed hooks install`", err=True
        )
    return 0


def _state(hook: HookState) -> str:
    if hook.installed:
        return "installed"
    if hook.shared:
        return "shared (other repositories)"
    return "other hook" if hook.foreign else "absent"
