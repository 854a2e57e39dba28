"""`seedbed run -- CMD` without click or the plugins, when nothing can differ.

The full command (core/cli/run.py) loads the App, asks the manager how to run
a command and the plugins for variables (PORT, DATABASE_URL), then supervises
the command and records it. When that answer was the plain virtual-environment
one (argv unchanged; PATH = the environment's bin first; VIRTUAL_ENV set) and
the plugins added no variable, it leaves a note in the worktree's own git dir
(which no checkout can write, as the ready seal): the ready fingerprint it was
made for and a key of everything else that could change the answer (the
interpreter and its import path with their folders' mtimes, every SEEDBED_*
variable, the user's config file, the worktree's .env). The next run whose
worktree is in sync (core.state.is_in_sync) and whose note still matches
supervises the command directly and records it the same way: the same
behaviour at the cost of the in-sync check. The bin path comes from the sealed
ready marker, never from the note.

Anything else (options, --json, no note, a changed key) returns None and the
full command runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from seedbed.core import state
from seedbed.core.gitfacts import GitFacts, clean_git_env

NOTE = "seedbed-run.json"


def note_path(facts: GitFacts) -> Path:
    return facts.git_dir / NOTE


def key(root: Path) -> str:
    user = os.environ.get("SEEDBED_CONFIG") or str(
        Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        / "seedbed"
        / "config.toml"
    )
    parts: list[Any] = [
        sys.executable,
        sys.path,
        sorted((k, v) for k, v in os.environ.items() if k.startswith("SEEDBED_")),
    ]
    for path in (*sys.path, user, str(root / ".env")):
        try:
            found = os.stat(path or ".")
            parts.append([path, found.st_mtime_ns, found.st_size, found.st_ino])
        except OSError:
            parts.append([path, None])
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


def venv_bin(root: Path, ready: dict[str, Any]) -> Path:
    return root / str(ready["env_dir"]) / "bin"


def remember(
    facts: GitFacts,
    manager: str,
    argv: tuple[str, ...],
    spec_argv: tuple[str, ...],
    spec_env: dict[str, str],
    plugin_env: dict[str, str],
) -> None:
    """Leave the note when the full answer is the plain venv one; else remove
    any older note. Never fails the run."""
    try:
        target = note_path(facts)
        ready = state.read_ready(facts.root)
        plain = bool(ready) and state.is_in_sync(facts.root)
        if plain and ready is not None:
            bin_dir = venv_bin(facts.root, ready)
            expected = {
                "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
                "VIRTUAL_ENV": str(bin_dir.parent),
            }
            plain = spec_argv == argv and spec_env == expected and not plugin_env
        if not plain or ready is None:
            target.unlink(missing_ok=True)
            return
        from seedbed.core import files

        files.write_json_atomic(
            target,
            {
                "fingerprint": ready["fingerprint"],
                "key": key(facts.root),
                "manager": manager,
            },
        )
    except (OSError, KeyError, TypeError, ValueError):
        return


def main(args: list[str]) -> int | None:
    """The exit status, or None when the full command must run."""
    if args[:1] == ["--"]:
        argv = args[1:]
    elif not any(arg.startswith("-") for arg in args):
        argv = args  # click would read a later option as seedbed's own
    else:
        return None  # options (--json, --no-sync, --help): the full command
    if not argv or os.environ.get("SEEDBED_TRACE"):
        return None
    cwd = Path.cwd()
    try:
        facts = GitFacts.read(cwd)
        if facts is None or not state.is_in_sync(facts.root):
            return None
        ready = state.read_ready(facts.root)
        note = json.loads(note_path(facts).read_text())
        if (
            not ready
            or not isinstance(note, dict)
            or note.get("fingerprint") != ready["fingerprint"]
            or note.get("key") != key(facts.root)
        ):
            return None
        bin_dir = venv_bin(facts.root, ready)
        manager = str(note.get("manager", ""))
    except (OSError, KeyError, TypeError, ValueError):
        return None
    return _run(facts, manager, bin_dir, argv, cwd)


def _run(
    facts: GitFacts, manager: str, bin_dir: Path, argv: list[str], cwd: Path
) -> int:
    from seedbed.core import metrics, supervise
    from seedbed.core.errors import EXIT_USAGE, SeedbedError

    env = clean_git_env()
    env["PATH"] = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(bin_dir.parent)
    started_at = time.time()
    try:
        done = supervise.foreground(argv, env, cwd)
    except SeedbedError as exc:  # as the full command shows it
        print(f"seedbed: error: {exc.message}", file=sys.stderr)
        for line in exc.hint.splitlines() if exc.hint else ():
            print(f"  {line}", file=sys.stderr)
        return exc.exit_code
    metrics.record_runs(
        facts,
        {
            "kind": "run",
            "name": os.path.basename(argv[0]),
            "manager": manager,
            "started_at": started_at,
            "seconds": done.seconds,
            "exit_code": done.exit_code,
            "peak_rss_kb": done.peak_rss_kb,
            "cpu_seconds": done.cpu_seconds,
        },
    )
    code = done.exit_code
    return code if code >= 0 else EXIT_USAGE
