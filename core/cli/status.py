"""`seedbed status`: is this worktree ready, and how did its last setup go?

Exit 0 when ready, 1 when not (stale, running, interrupted, failed, missing:
the output says which), so `seedbed status && ...` is a readiness check."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
from seedbed.core import state
from seedbed.core.cli.output import disk_errors, emit_json, json_option, table
from seedbed.core.errors import EXIT_FAILED, EXIT_OK, SeedbedError


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
            installed=installed(root, ready),
        )
    if last.get("status") == "failed":
        info["last_error"] = last.get("error", "")
        info["log"] = last.get("log", "")
    return info


def installed(root: Path, ready: dict[str, Any]) -> dict[str, Any] | None:
    """Which files, extras and groups the ready environment got, and why:
    the marker's `install` when the manager recorded it there, else the
    record its last setup wrote (.seedbed/install.json) for this manager."""
    found = ready.get("install")
    if not isinstance(found, dict) or not found:
        found = _record(root)
        if found is None or found.get("manager") != ready.get("manager"):
            return None
    keys = ("source", "files", "included", "skipped", "extras", "groups")
    out: dict[str, Any] = {
        key: found.get(key, [] if key != "source" else "") for key in keys
    }
    out["editable"] = bool(found.get("editable", False))
    out["reasons"] = list(found.get("reasons", []))
    return out


def _record(root: Path) -> dict[str, Any] | None:
    import json

    try:
        data = json.loads((state.state_dir(root) / "install.json").read_text())
    except (OSError, ValueError, SeedbedError):
        return None
    return data if isinstance(data, dict) else None


def _show_installed(info: dict[str, Any]) -> None:
    found = info.get("installed")
    if not found:
        return
    parts = [
        ("files", found["files"]),
        ("extras", found["extras"]),
        ("groups", found["groups"]),
        ("left out", found["skipped"]),
    ]
    for label, values in parts:
        if values:
            click.echo(f"  {label}: {', '.join(values)}")
    extra = sorted(set(found["included"]) - set(found["files"]))
    if extra:
        click.echo(f"  included with -r: {', '.join(extra)}")
    for reason in found["reasons"]:
        click.echo(f"    why: {reason}")


@click.command("status")
@json_option
@disk_errors()
def command(as_json: bool) -> int:
    """Show whether this worktree's environment is ready, with step timings."""
    from seedbed.core.workspace import Workspace

    facts = Workspace.facts_for(Path.cwd())
    info = describe(facts.root)
    code = EXIT_OK if info["status"] == "ready" else EXIT_FAILED
    if as_json:
        emit_json(info)
        return code
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
    _show_installed(info)
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
    return code
