"""The metrics store: one SQLite file per repository, shared by its worktrees.

Lives at `<common git dir>/seedbed/metrics.db`. WAL mode plus a busy timeout make
many concurrent writers (eight `git worktree add` at once) safe; each record is one
short transaction. The schema is documented in docs/metrics.md and versioned in
the `schema_version` table; the Nushell reports read the same file. The table's
schema, columns, INSERT and row values are core/metricstable.py's, shared with
`seedbed run`'s fast path.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seedbed.core import metricstable
from seedbed.core.errors import EXIT_BUSY, EXIT_ENVIRONMENT, SeedbedError
from seedbed.core.metricstable import MIGRATIONS as MIGRATIONS
from seedbed.core.metricstable import SCHEMA_VERSION as SCHEMA_VERSION
from seedbed.core.metricstable import new_run_id as new_run_id
from seedbed.core.state import DamagedState, move_aside

if TYPE_CHECKING:
    from seedbed.core.gitfacts import GitFacts

KINDS = (
    "setup",
    "step",
    "sync",
    "run",
    "gate",
    "test",
    "pod",
    "hook",
    "gc",
    "task",
    "task-level",
)


class SchemaTooNew(SeedbedError):
    """The store was written by a newer seedbed; refuse rather than corrupt it."""

    def __init__(self, message: str) -> None:
        super().__init__(
            message, "upgrade seedbed to read this store", EXIT_ENVIRONMENT
        )


@dataclass(frozen=True)
class Record:
    """One row of `runs`. Never put a secret in detail: it is stored verbatim."""

    run_id: str
    kind: str
    name: str
    worktree: str
    worktree_path: str
    started_at: float
    seconds: float
    exit_code: int
    branch: str = ""
    manager: str = ""
    installer: str = ""
    peak_rss_kb: int = 0
    cpu_seconds: float = 0.0
    package_count: int | None = None
    figure: float | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)

    def row(self) -> tuple[Any, ...]:
        return metricstable.values(vars(self))


def store_path(common_dir: Path) -> Path:
    return Path(metricstable.store_file(str(common_dir)))


class MetricsStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """An open, migrated connection; a damaged file is DamagedState (exit 3,
        `seedbed doctor --fix` moves it aside), a full disk a clear error."""
        try:
            with self._connect() as db:
                yield db
        except sqlite3.DatabaseError as exc:
            raise self._translate(exc) from None

    def _translate(self, exc: sqlite3.DatabaseError) -> SeedbedError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return SeedbedError(
                f"{self.path}: the metrics store is busy ({text})",
                "another seedbed holds it; try again",
                EXIT_BUSY,
            )
        if "full" in text or "readonly" in text or "read-only" in text:
            return SeedbedError(
                f"{self.path}: cannot write the metrics store ({text})",
                "free disk space (or make the folder writable), then retry",
            )
        return DamagedState(self.path, f"not a usable SQLite database ({text})")

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with closing(metricstable.connect(self.path)) as db:
            # Switching a new store to WAL can answer "locked" at once, without
            # the busy handler, while another writer creates it: retry.
            _while_locked(lambda: db.execute("PRAGMA journal_mode = WAL"))
            _while_locked(lambda: self._migrate(db))
            yield db

    def _migrate(self, db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER)")
        version = self._version(db)
        if version > SCHEMA_VERSION:
            raise SchemaTooNew(
                f"{self.path}: schema version {version} is newer than this seedbed"
                f" understands ({SCHEMA_VERSION})"
            )
        if version == SCHEMA_VERSION:
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            version = self._version(db)  # another writer may have migrated
            for number in range(version + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[number - 1].split(";"):
                    if statement.strip():
                        db.execute(statement)
            db.execute("DELETE FROM schema_version")
            db.execute(
                "INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION,)
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    @staticmethod
    def _version(db: sqlite3.Connection) -> int:
        row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    def record(self, *records: Record) -> None:
        if not records:
            return
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany(metricstable.INSERT, [r.row() for r in records])
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise

    def rows(
        self,
        kind: str | None = None,
        worktree: str | None = None,
        since: float | None = None,
        limit: int | None = None,
    ) -> list[dict[str, Any]]:
        if not self.path.exists():
            return []
        clauses: list[str] = []
        params: list[Any] = []
        if kind:
            clauses.append("kind = ?")
            params.append(kind)
        if worktree:
            clauses.append("worktree = ?")
            params.append(worktree)
        if since is not None:
            clauses.append("started_at >= ?")
            params.append(since)
        sql = "SELECT * FROM runs"
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        # Newest first so LIMIT keeps the latest rows; reversed below.
        sql += " ORDER BY started_at DESC, id DESC"
        if limit:
            sql += " LIMIT ?"
            params.append(int(limit))
        with self.connect() as db:
            db.row_factory = sqlite3.Row
            out = []
            for row in db.execute(sql, params):
                item = dict(row)
                try:
                    item["detail"] = json.loads(item["detail"] or "{}")
                except (TypeError, ValueError):  # a row written by hand
                    item["detail"] = {"unparsed": str(item["detail"])}
                item["ok"] = bool(item["ok"])
                out.append(item)
            out.reverse()
            return out


def _while_locked(step: Callable[[], object], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            step()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def store_problem(path: Path) -> str:
    """Why the store cannot be read (for `seedbed doctor`), or ""."""
    if not path.exists():
        return ""
    try:
        with closing(sqlite3.connect(path, timeout=5.0)) as db:
            row = db.execute("PRAGMA quick_check").fetchone()
    except sqlite3.DatabaseError as exc:
        return f"not a usable SQLite database ({exc})"
    return "" if row and row[0] == "ok" else f"damaged ({row[0] if row else '?'})"


def move_store_aside(path: Path) -> Path:
    """Move a damaged store (and its WAL files) aside; the next write starts a
    new one. Returns where the store went."""
    moved = move_aside(path)
    for suffix in ("-wal", "-shm"):
        extra = path.with_name(path.name + suffix)
        if extra.exists():
            os.rename(extra, moved.with_name(moved.name + suffix))
    return moved


def now() -> float:
    return time.time()


def record_runs(
    facts: GitFacts, *rows: Mapping[str, Any], warn: str = "metrics"
) -> bool:
    """Record runs of one worktree: the one way every command writes metrics.

    Each row gives the Record fields that vary (kind, name, started_at, seconds,
    exit_code and any optional ones); the worktree's identity comes from facts,
    and run_id is new unless given. Losing a metric never changes a command's
    outcome: on any store problem this warns on stderr (naming `warn`) and
    returns False.
    """
    import sys

    records = [
        Record(
            **{
                "run_id": new_run_id(),
                "worktree": facts.slug,
                "worktree_path": str(facts.root),
                "branch": facts.branch,
                **row,
            }
        )
        for row in rows
    ]
    try:
        MetricsStore(store_path(facts.common_dir)).record(*records)
    except (sqlite3.Error, OSError, SeedbedError) as exc:
        print(f"seedbed: warning: {warn} not recorded ({exc})", file=sys.stderr)
        return False
    return True
