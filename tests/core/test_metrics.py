from __future__ import annotations

import sqlite3
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from seedbed.core.metrics import SCHEMA_VERSION, MetricsStore, Record, SchemaTooNew


def _record(i: int, kind: str = "setup") -> Record:
    return Record(
        run_id=f"r{i}",
        kind=kind,
        name="create",
        worktree=f"wt-{i % 8}",
        worktree_path=f"/tmp/wt-{i % 8}",
        started_at=time.time(),
        seconds=0.1 * i,
        exit_code=0 if i % 5 else 1,
        detail={"n": i},
    )


def _write_many(path: str, start: int) -> None:
    store = MetricsStore(Path(path))
    for i in range(start, start + 25):
        store.record(_record(i))


def test_schema_version_and_wal(tmp_path: Path) -> None:
    store = MetricsStore(tmp_path / "m.db")
    store.record(_record(1))
    with sqlite3.connect(store.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT version FROM schema_version").fetchall() == [
            (SCHEMA_VERSION,)
        ]


def test_many_concurrent_writers_lose_nothing(tmp_path: Path) -> None:
    path = str(tmp_path / "m.db")
    with ProcessPoolExecutor(8) as pool:
        list(pool.map(_write_many, [path] * 8, range(0, 200, 25)))
    rows = MetricsStore(Path(path)).rows()
    assert len(rows) == 200
    assert sorted(r["run_id"] for r in rows) == sorted(f"r{i}" for i in range(200))


def test_filters_and_limit(tmp_path: Path) -> None:
    store = MetricsStore(tmp_path / "m.db")
    store.record(*(_record(i, "step" if i % 2 else "setup") for i in range(10)))
    assert len(store.rows(kind="step")) == 5
    assert len(store.rows(worktree="wt-1")) == 2
    newest = store.rows(limit=3)
    assert [r["run_id"] for r in newest] == ["r7", "r8", "r9"]
    assert newest[0]["detail"] == {"n": 7}
    assert store.rows(kind="gate") == []


def test_a_store_from_a_newer_seedbed_is_refused(tmp_path: Path) -> None:
    store = MetricsStore(tmp_path / "m.db")
    store.record(_record(1))
    with sqlite3.connect(store.path) as db:
        db.execute("UPDATE schema_version SET version = ?", (SCHEMA_VERSION + 1,))
    with pytest.raises(SchemaTooNew, match="newer"):
        store.record(_record(2))


def test_missing_store_reads_as_empty(tmp_path: Path) -> None:
    assert MetricsStore(tmp_path / "absent.db").rows() == []
