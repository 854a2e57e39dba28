"""`seedbed status` (plain and `--json`) without click or the plugins.

Status reads only the worktree's state files, so it never needs a plugin; its
cost was click and core/state's imports (dataclasses, tempfile). What it
prints is built here, by the same functions for both ways of reading the
state: the full command (core/cli/status.py) reads through core/state.py,
this fast path through core/quickstate.py. Whenever the fast reader is not
sure (a git variable in the environment, a damaged or odd state file, a
terminal that is not UTF-8, any option, SEEDBED_TRACE), `main` returns None
and the click command runs and reports, byte for byte as before
(tests/e2e/test_fast_paths.py compares both on ready, missing, failed, stale,
running, unsealed and damaged worktrees).
"""

from __future__ import annotations

import json
import os
import sys

from seedbed.core import quickstate
from seedbed.core.text import json_text, table_lines

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

EXIT_OK, EXIT_FAILED = 0, 1  # core.errors' (importing it costs dataclasses)


def describe(
    root: str,
    ready: dict[str, Any] | None,
    last: dict[str, Any] | None,
    unsealed: bool,
    locked: Callable[[], bool],
    in_sync: Callable[[], bool],
    env_of: Callable[[str, str], str],
) -> dict[str, Any]:
    """The worktree's status from its state as read (core.state.inspect's
    triple), asking for the lock and the sync only when the answer needs it;
    env_of joins the root and the marker's env_dir."""
    last = last or {}
    if locked():
        status = "running"
    elif ready and in_sync():
        status = "ready"
    elif ready or unsealed:
        status = "stale"
    elif last.get("status") == "failed":
        status = "failed"
    elif last.get("status") == "running":
        status = "interrupted"
    else:
        status = "missing"
    info: dict[str, Any] = {"worktree": root, "status": status}
    if ready:
        info.update(
            manager=ready.get("manager"),
            installer=ready.get("installer"),
            fingerprint=ready.get("fingerprint"),
            python=(ready.get("python") or {}).get("version"),
            env=env_of(root, ready.get("env_dir", ".venv")),
            package_count=ready.get("package_count"),
            seconds=ready.get("seconds"),
            steps=ready.get("steps", []),
            installed=installed(root, ready),
        )
    if last.get("status") == "failed":
        info["last_error"] = last.get("error", "")
        info["log"] = last.get("log", "")
    return info


def env_path(root: str, env_dir: str) -> str:
    """str(Path(root) / env_dir) for the names setup writes; Unsure for the
    others (pathlib would normalise them, and importing it costs ~3 ms)."""
    if any(part in ("", ".") for part in env_dir.split("/")):
        raise quickstate.Unsure(f"env_dir {env_dir!r}")
    return os.path.join(root, env_dir)


def installed(root: str, ready: dict[str, Any]) -> dict[str, Any] | None:
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


def _record(root: str) -> dict[str, Any] | None:
    # Called after the state folder was found sound (both readers raise
    # before otherwise), so the file is read where core.state.state_dir is.
    try:
        path = os.path.join(root, quickstate.STATE_DIR, "install.json")
        with open(path) as handle:
            data = json.loads(handle.read())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def render_json(info: dict[str, Any]) -> str:
    """core.cli.output.emit_json's text, newline included."""
    return json_text(info) + "\n"


def render_text(root: str, info: dict[str, Any]) -> str:
    lines = [f"{os.path.basename(root)}: {info['status']}"]
    keys = ("manager", "installer", "python", "env", "package_count", "fingerprint")
    for key in keys:
        if info.get(key) is not None:
            lines.append(f"  {key.replace('_', ' ')}: {info[key]}")
    lines += _installed_lines(info)
    if info.get("steps"):
        rows = [
            [s["name"], f"{s['seconds']:.2f} s", str(s["exit_code"])]
            for s in info["steps"]
        ]
        lines += ["  " + line for line in table_lines(rows, ["step", "time", "exit"])]
    if info.get("last_error"):
        lines.append(f"  last setup failed: {info['last_error']}")
        lines.append(f"  log: {info['log']}; retry with `seedbed setup`")
    elif info["status"] in ("missing", "stale", "interrupted"):
        lines.append("  run `seedbed setup` to prepare it")
    return "".join(f"{line}\n" for line in lines)


def _installed_lines(info: dict[str, Any]) -> list[str]:
    found = info.get("installed")
    if not found:
        return []
    lines = []
    parts = [
        ("files", found["files"]),
        ("extras", found["extras"]),
        ("groups", found["groups"]),
        ("left out", found["skipped"]),
    ]
    for label, values in parts:
        if values:
            lines.append(f"  {label}: {', '.join(values)}")
    extra = sorted(set(found["included"]) - set(found["files"]))
    if extra:
        lines.append(f"  included with -r: {', '.join(extra)}")
    for reason in found["reasons"]:
        lines.append(f"    why: {reason}")
    return lines


# ---------------------------------------------------------------------------
# The fast path
# ---------------------------------------------------------------------------


def _load(path: str, shape: Any) -> dict[str, Any] | None:
    """core.state.load for a sound file; Unsure for a damaged one."""
    from seedbed.core.shapes import shape_problem

    data = quickstate.read_object(path)
    if data is not None and shape_problem(data, shape):
        raise quickstate.Unsure(f"{path}: wrong shape")
    return data


def read(root: str, git_dir: str) -> dict[str, Any]:
    """describe() from core/quickstate's readers (core.state.inspect's order)."""
    from seedbed.core.shapes import LAST_SHAPE, READY_SHAPE

    if not quickstate.state_sound(root):
        raise quickstate.Unsure("the state folder")
    folder = os.path.join(root, quickstate.STATE_DIR)
    ready = _load(os.path.join(folder, quickstate.READY), READY_SHAPE)
    last = _load(os.path.join(folder, quickstate.LAST), LAST_SHAPE)
    unsealed = False
    if ready is not None and not quickstate.sealed(root, git_dir):
        ready, unsealed = None, True
    sealed_ready = ready
    return describe(
        root,
        ready,
        last,
        unsealed,
        lambda: quickstate.is_locked(root),
        lambda: sealed_ready is not None and quickstate.in_sync(root, sealed_ready),
        env_path,
    )


def main(args: list[str]) -> int | None:
    """The exit status, or None when the click command must run."""
    if args not in ([], ["--json"]) or os.environ.get("SEEDBED_TRACE"):
        return None  # options, or a trace wanted: the click command
    if (sys.stdout.encoding or "").lower().replace("-", "") != "utf8":
        return None  # click may re-wrap such a stream: let it write
    try:
        root, git_dir = quickstate.locate(os.getcwd())
        info = read(root, git_dir)
        text = render_json(info) if args else render_text(root, info)
    except (quickstate.Unsure, OSError, KeyError, TypeError, ValueError):
        return None
    sys.stdout.write(text)
    return EXIT_OK if info["status"] == "ready" else EXIT_FAILED
