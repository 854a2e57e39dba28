"""`seedbed status`: is this worktree ready, and how did its last setup go?"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from seedbed.core import state
from seedbed.core.cli.output import disk_errors, emit_json, json_option, table


def describe(root: Path) -> dict[str, Any]:
    """The worktree's status; DamagedState (exit 3) when a state file is damaged."""
    ready, found, unsealed = state.inspect(root)
    last = found or {}
    if state.is_locked(root):
        status = "running"
    elif ready and state.is_in_sync(root):
        status = "ready"
    elif ready or unsealed:
        status = "stale"
    elif last.get("status") == "failed":
        status = "failed"
    elif last.get("status") == "running":
        status = "interrupted"
    else:
        status = "missing"
    info: dict[str, Any] = {"worktree": str(root), "status": status}
    if ready:
        info.update(
            manager=ready.get("manager"),
            installer=ready.get("installer"),
            fingerprint=ready.get("fingerprint"),
            python=(ready.get("python") or {}).get("version"),
            env=str(root / ready.get("env_dir", ".venv")),
            package_count=ready.get("package_count"),
            seconds=ready.get("seconds"),
            steps=ready.get("steps", []),
        )
    if last.get("status") == "failed":
        info["last_error"] = last.get("error", "")
        info["log"] = last.get("log", "")
    return info


@click.command("status")
@json_option
@disk_errors()
def command(as_json: bool) -> int:
    """Show whether this worktree's environment is ready, with step timings."""
    from seedbed.core.workspace import Workspace

    facts = Workspace.facts_for(Path.cwd())
    info = describe(facts.root)
    if as_json:
        emit_json(info)
        return 0
    click.echo(f"{facts.root.name}: {info['status']}")
    for key in (
        "manager",
        "installer",
        "python",
        "env",
        "package_count",
        "fingerprint",
    ):
        if info.get(key) is not None:
            click.echo(f"  {key.replace('_', ' ')}: {info[key]}")
    if info.get("steps"):
        rows = [
            [s["name"], f"{s['seconds']:.2f} s", str(s["exit_code"])]
            for s in info["steps"]
        ]
        click.echo(
            "\n".join(
                "  " + line
                for line in table(rows, ["step", "time", "exit"]).splitlines()
            )
        )
    if info.get("last_error"):
        click.echo(f"  last setup failed: {info['last_error']}")
        click.echo(f"  log: {info['log']}; retry with `seedbed setup`")
    elif info["status"] in ("missing", "stale", "interrupted"):
        click.echo("  run `seedbed setup` to prepare it")
    return 0
