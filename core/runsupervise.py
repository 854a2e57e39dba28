"""Start, wait for and record the command of `seedbed run`'s fast path.

core/supervise.foreground (the full command's) imports subprocess, threading
and dataclasses: ~10 ms before the command starts, which is the whole margin
`uv run` leaves. This is the same supervision for the one case runfast needs,
a child that shares seedbed's terminal and process group, with the standard
library's lowest layer:

- the program is looked up on the child's PATH (as subprocess does), started
  with os.posix_spawn, with SIGPIPE and SIGXFSZ back at their defaults and no
  inherited descriptor beyond 0-2 (subprocess's restore_signals, close_fds);
- the terminal's Ctrl-C reaches the child directly (seedbed only ignores it),
  TERM and HUP are forwarded; the exit status is the shell's (128+N for
  signal N), with wall time, CPU time and peak memory from wait4;
- the run is recorded in the metrics store with one INSERT, as
  core.metrics.record_runs writes it, when the store is there at the schema
  version this module knows; any other case goes through record_runs itself.
  The sqlite3 import happens while the command runs. The connection is left
  open for the process's exit (runfast ends with os._exit): closing the last
  connection checkpoints the WAL and removes it, two fdatasync calls (10-40 ms
  on this kind of disk) on every run, and the next run's first write syncs a
  new WAL header. A WAL left behind is what any crashed writer leaves; the
  next connection (ours or record_runs') reads it, and SQLite's automatic
  checkpoint folds it into the database every ~1000 pages.

A program that cannot be started returns None: nothing ran, and the full
command reports it exactly as it always has.
"""

from __future__ import annotations

import os
import signal
import time

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

# core/gitfacts.GIT_CONTEXT_VARIABLES (gitfacts starts with `import subprocess`)
GIT_CONTEXT_VARIABLES = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_PREFIX",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
)
SCHEMA_VERSION = 1  # core.metrics.SCHEMA_VERSION (tests/core check they agree)
_INSERT = (  # core.metrics._INSERT
    "INSERT INTO runs (run_id, kind, name, worktree, worktree_path, branch, manager,"
    " installer, started_at, seconds, exit_code, ok, peak_rss_kb, cpu_seconds,"
    " package_count, figure, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
)
FORWARDED = (signal.SIGTERM, signal.SIGHUP)


def _spawn(argv: list[str], env: Mapping[str, str]) -> int | None:
    import fcntl

    inherited = []
    for name in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else ():
        fd = int(name)
        try:
            if fd > 2 and not fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC:
                inherited.append((os.POSIX_SPAWN_CLOSE, fd))
        except OSError:  # the listing's own descriptor, closed by now
            continue
    program = argv[0]
    if os.path.dirname(program):
        candidates = [program]
    else:
        candidates = [os.path.join(d, program) for d in os.get_exec_path(env)]
    for path in candidates:
        # A failed spawn costs a clone and an exec: try only what can run.
        if not os.access(path, os.X_OK) or os.path.isdir(path):
            continue
        try:
            return os.posix_spawn(
                path,
                argv,
                env,
                file_actions=inherited,
                setsigdef=(signal.SIGPIPE, signal.SIGXFSZ),
            )
        except OSError:
            continue
    return None


def run(
    argv: list[str], env: Mapping[str, str]
) -> tuple[int, float, int, float] | None:
    """(exit status as a shell reports it, seconds, peak RSS in kB, CPU
    seconds), or None when the program could not be started."""
    start = time.perf_counter()
    pid = _spawn(argv, env)
    if pid is None:
        return None

    def forward(signum: int, frame: object) -> None:
        if signum in FORWARDED:  # SIGINT: the terminal sent it to the child too
            try:  # noqa: SIM105 (contextlib is one more import)
                os.kill(pid, signum)
            except (ProcessLookupError, PermissionError):
                pass

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, *FORWARDED)}
    try:
        import sqlite3  # noqa: F401  (while the command runs: record() needs it)

        _, status, usage = os.wait4(pid, 0)  # PEP 475 retries on a signal
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    code = os.waitstatus_to_exitcode(status)
    return (
        128 - code if code < 0 else code,
        time.perf_counter() - start,
        int(usage.ru_maxrss),  # kilobytes on Linux
        usage.ru_utime + usage.ru_stime,
    )


def run_id() -> str:
    """As uuid.uuid4().hex (uuid imports platform: ~2 ms)."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC 4122 variant
    return raw.hex()


class _Elsewhere(Exception):
    """The store is not one this module writes: record_runs does."""


_KEPT: list[object] = []  # the open connection, kept from garbage collection


def record(note: Mapping[str, Any], git_dir: str, row: Mapping[str, Any]) -> None:
    """Record one run of the worktree the note describes; never fails the run."""
    import sqlite3

    common = str(note["common_dir"])
    path = os.path.join(common, "seedbed", "metrics.db")
    values = (
        run_id(),
        row["kind"],
        row["name"],
        str(note["slug"]),
        str(note["root"]),
        str(note["branch"]),
        row["manager"],
        "",
        row["started_at"],
        row["seconds"],
        row["exit_code"],
        int(row["exit_code"] == 0),
        row["peak_rss_kb"],
        row["cpu_seconds"],
        None,
        None,
        "{}",
    )
    try:
        if not os.path.isfile(path):
            raise _Elsewhere(path)
        db = sqlite3.connect(path, timeout=30.0, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout = 30000")
            db.execute("PRAGMA synchronous = NORMAL")
            mode = db.execute("PRAGMA journal_mode").fetchone()
            version = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
            if mode != ("wal",) or version != (SCHEMA_VERSION,):
                raise _Elsewhere(path)
            db.execute("BEGIN IMMEDIATE")
            db.execute(_INSERT, values)
            db.execute("COMMIT")
        except BaseException:
            db.close()  # an uncommitted transaction is rolled back
            raise
        _KEPT.append(db)
    except (sqlite3.Error, OSError, _Elsewhere):
        from pathlib import Path

        from seedbed.core import metrics
        from seedbed.core.gitfacts import GitFacts

        facts = GitFacts(
            Path(str(note["root"])), Path(git_dir), Path(common), str(note["branch"])
        )
        metrics.record_runs(facts, row)
