"""`seedbed run -- CMD` without click or the plugins, when nothing can differ.

The full command (core/cli/run.py) loads the App, asks the manager how to run
a command and the plugins for variables (PORT, DATABASE_URL), then supervises
the command and records it. When the manager's answer was the plain
virtual-environment one (argv unchanged; PATH = the environment's bin first;
VIRTUAL_ENV set) it leaves a note in the worktree's own git dir (which no
checkout can write, as the ready seal; mode 0600, as `.env`: it may hold a
PostgreSQL password): the ready fingerprint it was made for, the worktree's
facts (root, common dir, branch with the HEAD it was read from, slug), a key
of everything else that could change the answer (the interpreter and its
import path with their folders' mtimes, every SEEDBED_* variable, the user's
config file, the worktree's .env), the plugins' variables and the key of what
they were computed from (`inputs_key`):

- the variables of os.environ that place seedbed's files (HOME, XDG_*);
- the files each plugin declares it reads (its `seedbed_run_env_inputs`
  hook, core/hookspecs.py: the resources family names the port
  registry, `.seedbed/resources.json` and Django's settings modules, and
  answers None when a framework without `markers` (one from another package)
  detects, as that may read anything), by stat identity;
- when a plugin says it reads the project (framework detection walks every
  .py file; `.flaskenv`, compose files, alembic.ini, pyproject.toml, `.env`),
  the project tree as core/discovery walks it (core/runinputs.py): every
  folder's entry names and every file's stat identity (mtime, ctime, size,
  inode), dot folders and the skipped ones (environments, caches) left out but
  the .py names directly in a skipped top folder kept; SQLite and log files
  (db.sqlite3 and its journal) are left out, as no detection reads them and
  the app writes them all the time. A .py file holding none of the declared
  markers (the text a detection needs before it reads anything in a file:
  "flask", "fastapi", "DJANGO_SETTINGS_MODULE", "DATABASE_URL", "postgres"...)
  is inert: only its name is keyed and the note lists its identity; once
  edited it is read again on each run until a full one (still inert: the
  fast path).
  Editing ordinary code thus keeps the fast path; a new file, or an edit of a
  file detection reads, costs one full run. A tree over TREE_LIMIT entries is
  not keyed: no note, the full command runs (~8 ms per thousand entries here,
  against ~0.2 s for the full command).

The inputs key is taken before the plugins answer and again after; the note
is written only when both agree (a file changed meanwhile: no note). A
plugin whose module declares nothing (a third-party one) can only have added
no variable, as before: when it did, no note. With resources.provision =
"never" the resources family reads nothing: no tree is keyed.

The next run whose worktree is in sync and whose note still matches starts the
command directly with the note's variables, waits for it and records it the
same way: the same behaviour at the cost of the in-sync check and the stats.
Every read here is core/quickstate's (the standard library alone, no `git`
process), the command is supervised by core/supervise (as the full command's)
and recorded with one INSERT (core/metricstable.append, the statement
core/metrics writes with) when the store is ready for it, else through
core/metrics.record_runs; Python's start-up, the console script's own
`import re` and the command are the rest. The bin path comes from the sealed
ready marker, never from the note. No variable is ever printed or recorded.

Anything else (options, --json, no note, a changed key or HEAD, a git variable
in the environment) returns None and the full command runs.
"""

from __future__ import annotations

import json
import os
import sys
import time

from seedbed.core import quickstate, runinputs

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs ~3 ms to import; annotations only
    from typing import Any

    from seedbed.core.gitfacts import GitFacts

NOTE = "seedbed-run.json"
FACTS = ("branch", "common_dir", "manager", "slug")  # what the record needs
EXIT_USAGE = 2  # core.errors.EXIT_USAGE (importing it costs dataclasses)


def note_path(facts: GitFacts) -> str:
    return os.path.join(facts.git_dir, NOTE)


def key(root: str) -> str:
    user = os.environ.get("SEEDBED_CONFIG") or os.path.join(
        os.environ.get("XDG_CONFIG_HOME")
        or os.path.join(os.path.expanduser("~"), ".config"),
        "seedbed",
        "config.toml",
    )
    parts: list[Any] = [
        sys.executable,
        sys.path,
        sorted((k, v) for k, v in os.environ.items() if k.startswith("SEEDBED_")),
    ]
    for path in (*sys.path, user, os.path.join(root, ".env")):
        try:
            found = os.stat(path or ".")
            parts.append([path, found.st_mtime_ns, found.st_size, found.st_ino])
        except OSError:
            parts.append([path, None])
    return quickstate.sha256(json.dumps(parts).encode())


def venv_bin(root: str, ready: dict[str, Any]) -> str:
    return os.path.join(root, str(ready["env_dir"]), "bin")


def _head(git_dir: str) -> str:
    with open(os.path.join(git_dir, "HEAD")) as handle:
        return handle.read()


def remember(
    facts: GitFacts,
    manager: str,
    argv: tuple[str, ...],
    spec_argv: tuple[str, ...],
    spec_env: dict[str, str],
    plugin_env: dict[str, str],
    inputs: dict[str, Any] | None,
    inputs_before: tuple[str, dict[str, Any]] | None,
) -> None:
    """Leave the note when the manager's answer is the plain venv one and the
    plugins' variables can be keyed (inputs_before: their inputs' key taken
    before they answered); else remove any older note. Never fails the run."""
    from seedbed.core import state

    root, git_dir = str(facts.root), str(facts.git_dir)
    try:
        target = note_path(facts)
        ready = state.read_ready(facts.root)
        plain = bool(ready) and state.is_in_sync(facts.root)
        if plain and ready is not None:
            bin_dir = venv_bin(root, ready)
            expected = {
                "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
                "VIRTUAL_ENV": os.path.dirname(bin_dir),
            }
            plain = spec_argv == argv and spec_env == expected
        inputs_now = None
        if inputs is None:  # an undeclared plugin: only "no variable" is known
            plain = plain and not plugin_env
        else:
            inputs_now = runinputs.inputs_key(root, inputs)
            plain = plain and inputs_now is not None and inputs_now == inputs_before
        if not plain or ready is None:
            os.unlink(target)
            return
        from seedbed.core import files

        files.write_json_atomic(
            facts.git_dir / NOTE,
            {
                "branch": facts.branch,
                "common_dir": str(facts.common_dir),
                "fingerprint": ready["fingerprint"],
                "head": _head(git_dir),
                "inputs": inputs,
                "inputs_key": inputs_now and inputs_now[0],
                "inert": inputs_now and inputs_now[1],
                "key": key(root),
                "manager": manager,
                "root": root,
                "slug": facts.slug,
                "variables": plugin_env,
            },
            mode=0o600,  # the variables may hold a password, as `.env` does
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
    try:
        root, git_dir = quickstate.locate(os.getcwd())
        ready = quickstate.sealed_ready(root, git_dir)
        if not ready or not quickstate.in_sync(root, ready):
            return None
        note = quickstate.read_object(os.path.join(git_dir, NOTE))
        if (
            not note
            or note.get("fingerprint") != ready["fingerprint"]
            or note.get("root") != root
            or note.get("head") != _head(git_dir)
            or note.get("key") != key(root)
            or not all(isinstance(note.get(k), str) for k in FACTS)
        ):
            return None
        variables = note.get("variables") or {}
        if not isinstance(variables, dict) or not all(
            isinstance(value, str) for value in variables.values()
        ):
            return None
        inputs = note.get("inputs")
        if inputs is not None:
            now = runinputs.inputs_key(root, inputs, note.get("inert") or {})
            if now is None or now[0] != note.get("inputs_key"):
                return None
        bin_dir = venv_bin(root, ready)
    except (quickstate.Unsure, OSError, KeyError, TypeError, ValueError):
        return None
    from seedbed.core import supervise

    env = quickstate.clean_git_env()
    env.update(variables)  # then the manager's, as the full command applies them
    env["PATH"] = f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"
    env["VIRTUAL_ENV"] = os.path.dirname(bin_dir)
    started_at = time.time()
    try:
        child = supervise.start(argv, env)
    except OSError:  # found but refused (not executable)
        child = None
    if child is None:  # nothing ran: the full command reports it
        return None
    done = child.wait(meanwhile=_load_recorder)
    record(
        note,
        git_dir,
        {
            "kind": "run",
            "name": os.path.basename(argv[0]),
            "manager": note["manager"],
            "started_at": started_at,
            "seconds": done.seconds,
            "exit_code": done.exit_code,
            "peak_rss_kb": done.peak_rss_kb,
            "cpu_seconds": done.cpu_seconds,
        },
    )
    code = done.exit_code if done.exit_code >= 0 else EXIT_USAGE
    if "coverage" not in sys.modules:  # a measured test run must write its data
        # No interpreter teardown: it would close the metrics connection and
        # pay the WAL checkpoint (core/metricstable.append), and nothing is
        # left to clean up.
        for stream in (sys.stdout, sys.stderr):
            try:  # noqa: SIM105 (contextlib is one more import)
                stream.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    return code


def _load_recorder() -> None:
    """While the command runs, what record() writes with (sqlite3: ~3 ms)."""
    try:
        import sqlite3  # noqa: F401

        from seedbed.core import metricstable  # noqa: F401
    except ImportError:  # record_runs reports it
        pass


def record(note: dict[str, Any], git_dir: str, row: dict[str, Any]) -> None:
    """Record one run of the worktree the note describes: one INSERT into a
    ready store, else record_runs (which creates, migrates or warns). Never
    fails the run."""
    from seedbed.core import metricstable

    store = metricstable.store_file(str(note["common_dir"]))
    fields = {
        "run_id": metricstable.new_run_id(),
        "worktree": str(note["slug"]),
        "worktree_path": str(note["root"]),
        "branch": str(note["branch"]),
        "installer": "",
        "package_count": None,
        "figure": None,
        "detail": {},
        **row,
    }
    if metricstable.append(store, fields):
        return
    from pathlib import Path

    from seedbed.core import metrics
    from seedbed.core.gitfacts import GitFacts

    facts = GitFacts(
        Path(str(note["root"])),
        Path(git_dir),
        Path(str(note["common_dir"])),
        str(note["branch"]),
    )
    metrics.record_runs(facts, row)
