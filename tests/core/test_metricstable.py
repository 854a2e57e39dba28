"""core/metricstable.append: the fast path's one INSERT writes the row
MetricsStore.record would, and steps aside for any store it is not sure of."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from seedbed.core import metricstable
from seedbed.core.metrics import MetricsStore, Record


def fields(run_id: str, exit_code: int = 0) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "kind": "run",
        "name": "python",
        "worktree": "wt-1",
        "worktree_path": "/tmp/wt",
        "branch": "main",
        "manager": "uv",
        "installer": "",
        "started_at": 1.5,
        "seconds": 0.25,
        "exit_code": exit_code,
        "peak_rss_kb": 10,
        "cpu_seconds": 0.1,
        "package_count": None,
        "figure": None,
        "detail": {"b": 1, "a": 2},
    }


def test_append_writes_what_record_writes(tmp_path: Path) -> None:
    store = MetricsStore(tmp_path / "m.db")
    store.record(Record(**fields("full", exit_code=3)))
    assert metricstable.append(str(store.path), fields("fast", exit_code=3))
    rows = {row.pop("run_id"): row for row in store.rows()}
    for row in rows.values():
        row.pop("id")
    assert rows["fast"] == rows["full"]
    assert rows["fast"]["ok"] is False and rows["fast"]["detail"] == {"a": 2, "b": 1}


def test_append_steps_aside_for_a_store_it_is_not_sure_of(tmp_path: Path) -> None:
    path = tmp_path / "m.db"
    assert not metricstable.append(str(path), fields("r"))  # none yet
    assert not path.exists()  # record_runs creates it, not the fast path
    store = MetricsStore(path)
    store.record(Record(**fields("first")))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schema_version SET version = version + 1")
    assert not metricstable.append(str(path), fields("r"))  # a newer schema
    for leftover in tmp_path.glob("m.db*"):
        leftover.unlink()
    path.write_bytes(b"not a database at all" * 100)
    assert not metricstable.append(str(path), fields("r"))


def test_the_row_follows_the_columns() -> None:
    row = metricstable.values(fields("r", exit_code=0))
    assert len(row) == len(metricstable.COLUMNS) == metricstable.INSERT.count("?")
    named = dict(zip(metricstable.COLUMNS, row, strict=True))
    assert named["ok"] == 1 and named["detail"] == '{"a": 2, "b": 1}'
