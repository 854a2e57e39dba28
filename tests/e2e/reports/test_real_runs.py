"""Stores written by real `seedbed setup` runs, and the synthetic store at full
size (figures checked against Python's statistics over the same rows)."""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

import pytest
from seedbed.core.metrics import MetricsStore, store_path

from tests.conftest import require
from tests.e2e.reports.common import CLI, nu, nu_json, unwrap
from tests.factories.git import git
from tests.factories.metrics import synthetic_store


@pytest.fixture(scope="module")
def real_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository whose store was written by three real `seedbed setup` runs."""
    require("uv")
    root = tmp_path_factory.mktemp("real") / "project"
    root.mkdir()
    git("init", "-q", "-b", "main", cwd=root)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0.1"\nrequires-python = ">=3.11"\n'
        "dependencies = []\n"
    )
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "init", cwd=root)
    seedbed = str(Path(sys.executable).parent / "seedbed")
    for argv in (
        [seedbed, "setup"],
        [seedbed, "setup", "--recreate"],
        [seedbed, "setup", "--recreate"],
    ):
        done = subprocess.run(
            argv, cwd=root, capture_output=True, text=True, timeout=300, check=False
        )
        assert done.returncode == 0, done.stderr
    return root


def test_report_over_a_store_from_real_seedbed_runs(real_repo: Path) -> None:
    rows = MetricsStore(store_path(real_repo / ".git")).rows()
    assert {row["kind"] for row in rows} >= {"setup", "step"}
    done = nu(str(CLI), "report", "--json", cwd=real_repo)  # default store
    assert done.returncode == 0, done.stderr
    report = {(r["kind"], r["name"]): r for r in unwrap("report", done.stdout)}
    for (kind, name), figures in report.items():
        seconds = [r["seconds"] for r in rows if (r["kind"], r["name"]) == (kind, name)]
        assert figures["runs"] == len(seconds)
        assert figures["median_seconds"] == pytest.approx(
            statistics.median(seconds), abs=0.0011
        )
        assert figures["p95_seconds"] == pytest.approx(max(seconds), abs=0.0011)
    assert report["setup", "recreate"]["runs"] == 2


def test_recreate_is_not_advised_as_a_missing_lock(real_repo: Path) -> None:
    """The trial's finding: two --recreate rebuilds made `optimize` advise
    committing a lock. A rebuild asked for is no advice."""
    done = nu(str(CLI), "optimize", "--json", cwd=real_repo)
    assert done.returncode == 0, done.stderr
    topics = {item["topic"] for item in unwrap("optimize", done.stdout)}
    assert "rebuilds" not in topics


def test_synthetic_store_at_full_size(tmp_path: Path) -> None:
    """100,000 runs: the report's totals match the store's, and alerts stay
    quiet: the generator's spread is under every threshold (10% flaky gates
    are under the 50% failure rate)."""
    db = synthetic_store(tmp_path / "metrics.db", runs=100_000, seed=7)
    rows = nu_json("report", db)
    assert sum(row["runs"] for row in rows) == 100_000
    assert nu_json("alerts", db) == []
    topics = {item["topic"] for item in nu_json("optimize", db)}
    assert "installer" in topics
