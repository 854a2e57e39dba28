"""Stores the reports cannot read: the module's messages and exit codes."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from seedbed.core.errors import EXIT_ENVIRONMENT, EXIT_NOT_FOUND

from tests.e2e.reports.common import nu_error
from tests.factories.metrics import empty_store, newer_schema_store


@pytest.mark.parametrize("command", ["report", "perf", "alerts", "optimize"])
def test_missing_store(tmp_path: Path, command: str) -> None:
    done = nu_error(command, tmp_path / "nowhere.db")
    assert f"Error: no metrics store at {tmp_path / 'nowhere.db'}" in done.stderr
    assert "diagnostic help: seedbed creates it" in done.stderr
    assert done.returncode == EXIT_NOT_FOUND


def test_empty_store(tmp_path: Path) -> None:
    db = empty_store(tmp_path / "metrics.db")
    done = nu_error("report", db)
    assert f"no runs recorded yet in {db}" in done.stderr
    assert done.returncode == EXIT_NOT_FOUND


def test_store_from_a_newer_schema(tmp_path: Path) -> None:
    db = newer_schema_store(tmp_path / "metrics.db", version=99)
    done = nu_error("alerts", db)
    assert "has schema version 99; these reports read version 1" in done.stderr
    assert "upgrade seedbed" in done.stderr
    assert done.returncode == EXIT_ENVIRONMENT


def test_file_that_is_not_a_store(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    done = nu_error("report", other)
    assert "is not a seedbed metrics store" in done.stderr
    assert done.returncode == EXIT_NOT_FOUND
