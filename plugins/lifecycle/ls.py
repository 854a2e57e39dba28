"""`seedbed ls`: every worktree of the repository and the state of each.

Status is `seedbed status`'s (ready, stale, running, interrupted, failed,
missing: no environment yet) plus `gone`: git lists the worktree but its folder
no longer exists. Port and database come from the plugins that hold them
(seedbed_worktree_summary: the resources family's registries); a registry not
there yet shows as empty.
"""

from __future__ import annotations

import contextlib
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from seedbed.core.cli.output import disk_errors, emit_json, json_option, table
from seedbed.core.errors import EXIT_CONFIG

if TYPE_CHECKING:
    from seedbed.core.gitfacts import GitFacts


def _plugin_columns(facts: GitFacts, paths: list[Path]) -> dict[Path, dict[str, Any]]:
    """What plugins fill in per worktree (seedbed_worktree_summary: the port
    and database the resources family holds); none when they hold nothing."""
    from seedbed.core import config as configuration
    from seedbed.core import plugins
    from seedbed.core.errors import SeedbedError

    blocked: set[str] = set()
    # A broken config still lists the worktrees, as before plugins filled columns.
    with contextlib.suppress(SeedbedError):
        blocked = configuration.disabled_plugins(configuration.load_sources(facts.root))
    columns: dict[Path, dict[str, Any]] = {}
    summaries = plugins.build(blocked).hook.seedbed_worktree_summary(
        common_dir=facts.common_dir, worktrees=paths
    )
    for summary in reversed(summaries):  # registration order: later ones win
        for path, values in summary.items():
            columns.setdefault(path, {}).update(values)
    return columns


def describe_all(cwd: Path) -> list[dict[str, Any]]:
    """One dict per worktree git lists, in git's order (main first)."""
    from seedbed.core.cli.status import describe
    from seedbed.core.gitfacts import GitFacts
    from seedbed.core.state import DamagedState
    from seedbed.plugins.lifecycle.worktrees import (
        disk_usage,
        env_dir,
        last_setup,
        list_worktrees,
    )

    facts = GitFacts.read(cwd)
    worktrees = list_worktrees(cwd)
    paths = [tree.path for tree in worktrees]
    columns = _plugin_columns(facts, paths) if facts else {}
    rows = []
    for tree in worktrees:
        info: dict[str, Any] = {
            "path": str(tree.path),
            "branch": tree.branch,
            "main": tree.main,
            "locked": tree.locked,
            "port": None,
            "database": "",
            "manager": "",
            "env_bytes": None,
            "last_setup_at": None,
        }
        info.update(columns.get(tree.path, {}))
        if tree.gone or tree.bare:
            info["status"] = "gone" if tree.gone else "bare"
            rows.append(info)
            continue
        try:
            info["status"] = describe(tree.path)["status"]
        except DamagedState as exc:
            info["status"] = "damaged"
            info["damaged"] = exc.as_dict()
        last = last_setup(tree.path)
        info["manager"] = last["manager"]
        info["last_setup_at"] = _iso(last["at"])
        environment = env_dir(tree.path)
        if environment.is_dir():
            info["env_bytes"] = disk_usage(environment)
        rows.append(info)
    return rows


def human_size(size: int | None) -> str:
    if size is None:
        return "-"
    value = float(size)
    for unit in ("B", "K", "M", "G"):
        if value < 1024 or unit == "G":
            return f"{value:.0f}{unit}" if unit == "B" else f"{value:.1f}{unit}"
        value /= 1024
    return f"{value:.1f}G"


def _iso(at: Any) -> str | None:
    """A recorded time (epoch seconds, or already ISO 8601) as ISO 8601."""
    from seedbed.core.cli.output import iso

    if isinstance(at, int | float) and not isinstance(at, bool):
        return iso(float(at))
    return at if isinstance(at, str) and at else None


def human_time(at: str | None) -> str:
    """ISO 8601 → local "YYYY-MM-DD HH:MM"."""
    if not at:
        return "-"
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        return at
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


@click.command("ls")
@json_option
@disk_errors()
def command(as_json: bool) -> int:
    """List every worktree: status, manager, port, database, env size.

    A worktree whose state files are damaged is listed as `damaged`, named on
    stderr, and the exit status is 3 (`seedbed doctor --fix` repairs it).
    """
    rows = describe_all(Path.cwd())
    damaged = [r["damaged"] for r in rows if "damaged" in r]
    code = EXIT_CONFIG if damaged else 0
    if as_json:
        emit_json({"worktrees": rows, "damaged": damaged})
        return code
    lines = [
        [
            r["path"] + (" (main)" if r["main"] else ""),
            r["branch"] or "(detached)",
            r["status"],
            r["manager"] or "-",
            str(r["port"]) if r["port"] is not None else "-",
            r["database"] or "-",
            human_size(r["env_bytes"]),
            human_time(r["last_setup_at"]),
        ]
        for r in rows
    ]
    headers = ["worktree", "branch", "status", "manager", "port", "database"]
    click.echo(table(lines, [*headers, "env", "last setup"]))
    for problem in damaged:
        click.echo(f"seedbed: error: {problem['error']}; {problem['hint']}", err=True)
    return code
