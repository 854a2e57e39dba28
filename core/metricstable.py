"""The metrics store's `runs` table: its schema, its columns and one INSERT, a
row's values, the store's file, and the append `seedbed run`'s fast path
writes with.

core/metrics.py owns the store (create, migrate, read, `record_runs`, errors
for users); the fast path (core/runfast.py) must not import it (dataclasses,
core.errors, core.state: ~10 ms), so what both write with lives here, once,
with the standard library alone; sqlite3 is imported when a row is written.
"""

from __future__ import annotations

import json
import os

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs ~3 ms to import; annotations only
    import sqlite3
    from collections.abc import Mapping
    from typing import Any

SCHEMA_VERSION = 1

# Each migration takes the store from version N-1 to N; never edit a shipped one.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS runs (
        id            INTEGER PRIMARY KEY,
        run_id        TEXT    NOT NULL,
        kind          TEXT    NOT NULL,
        name          TEXT    NOT NULL,
        worktree      TEXT    NOT NULL,
        worktree_path TEXT    NOT NULL,
        branch        TEXT    NOT NULL DEFAULT '',
        manager       TEXT    NOT NULL DEFAULT '',
        installer     TEXT    NOT NULL DEFAULT '',
        started_at    REAL    NOT NULL,
        seconds       REAL    NOT NULL,
        exit_code     INTEGER NOT NULL,
        ok            INTEGER NOT NULL,
        peak_rss_kb   INTEGER NOT NULL DEFAULT 0,
        cpu_seconds   REAL    NOT NULL DEFAULT 0,
        package_count INTEGER,
        figure        REAL,
        detail        TEXT    NOT NULL DEFAULT '{}'
    );
    CREATE INDEX IF NOT EXISTS runs_kind_started ON runs (kind, started_at);
    CREATE INDEX IF NOT EXISTS runs_worktree ON runs (worktree, started_at);
    CREATE INDEX IF NOT EXISTS runs_run_id ON runs (run_id);
    """,
)

# What a record writes: every column but the row id, in the INSERT's order.
COLUMNS = (
    "run_id",
    "kind",
    "name",
    "worktree",
    "worktree_path",
    "branch",
    "manager",
    "installer",
    "started_at",
    "seconds",
    "exit_code",
    "ok",
    "peak_rss_kb",
    "cpu_seconds",
    "package_count",
    "figure",
    "detail",
)
INSERT = (
    f"INSERT INTO runs ({', '.join(COLUMNS)}) VALUES ({','.join('?' * len(COLUMNS))})"
)


def store_file(common_dir: str) -> str:
    """The repository's store: `<common git dir>/seedbed/metrics.db`."""
    return os.path.join(common_dir, "seedbed", "metrics.db")


def new_run_id() -> str:
    """uuid.uuid4().hex, without importing uuid (and platform, ~2 ms): 16
    random bytes with the version (4) and variant (RFC 4122) bits."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40
    raw[8] = (raw[8] & 0x3F) | 0x80
    return raw.hex()


def values(fields: Mapping[str, Any]) -> tuple[Any, ...]:
    """One row in COLUMNS' order from every column but `ok`, which follows
    from exit_code; detail (a mapping) is stored as sorted JSON."""
    row = dict(fields)
    row["ok"] = int(row["exit_code"] == 0)
    row["detail"] = json.dumps(dict(row["detail"]), sort_keys=True)
    return tuple(row[name] for name in COLUMNS)


def connect(path: str | os.PathLike[str]) -> sqlite3.Connection:
    """A connection that waits for other writers (busy timeout) and takes its
    write lock up front: isolation_level=None, the writer issues BEGIN
    IMMEDIATE itself, so it waits instead of failing on a lock upgrade."""
    import sqlite3

    db = sqlite3.connect(path, timeout=30.0, isolation_level=None)
    db.execute("PRAGMA busy_timeout = 30000")
    db.execute("PRAGMA synchronous = NORMAL")
    return db


_KEPT: list[object] = []  # append's open connection, kept from collection


def append(path: str, fields: Mapping[str, Any]) -> bool:
    """Add one row with a single INSERT when the store is there, in WAL mode,
    at this schema version; False otherwise, and on any SQLite or file error
    (the caller then records through core.metrics.record_runs, which creates,
    migrates or reports).

    The connection is left open for the process's exit (runfast ends with
    os._exit): closing the last connection checkpoints the WAL and removes
    it, two fdatasync calls (10-40 ms on this kind of disk) on every run, and
    the next run's first write syncs a new WAL header. A WAL left behind is
    what any crashed writer leaves; the next connection reads it, and
    SQLite's automatic checkpoint folds it into the database every ~1000
    pages.
    """
    import sqlite3

    if not os.path.isfile(path):
        return False
    try:
        db = connect(path)
    except (sqlite3.Error, OSError):
        return False
    try:
        mode = db.execute("PRAGMA journal_mode").fetchone()
        version = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        if mode != ("wal",) or version != (SCHEMA_VERSION,):
            db.close()
            return False
        db.execute("BEGIN IMMEDIATE")
        db.execute(INSERT, values(fields))
        db.execute("COMMIT")
    except (sqlite3.Error, OSError):
        db.close()  # an uncommitted transaction is rolled back
        return False
    except BaseException:
        db.close()
        raise
    _KEPT.append(db)
    return True
