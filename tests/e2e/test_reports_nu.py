"""The Nushell module itself, run by real `nu` against real and synthetic stores.

Every figure asserted here is worked out by hand from the records each test
writes (or, for the real seedbed runs, from the store with Python's statistics).
"""

from __future__ import annotations

import json
import math
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from seedbed.core.assets import asset_dir
from seedbed.core.metrics import MetricsStore, Record, store_path

from tests.conftest import git, require
from tests.metrics_factory import (
    DAY,
    empty_store,
    newer_schema_store,
    record_runs,
    run,
    synthetic_store,
)

CLI = asset_dir("nushell") / "cli.nu"
MODULE = asset_dir("nushell") / "seedbed.nu"
NOW = time.time()
HOUR = 3600.0
MAIN = "main-aaaaaa"
FEAT = "feat-bbbbbb"


def nu(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require("nu"), "--no-config-file", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def nu_json(command: str, db: Path, *flags: str) -> Any:
    done = nu(str(CLI), command, "--db", str(db), *flags, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def nu_error(command: str, db: Path) -> str:
    done = nu(str(CLI), command, "--db", str(db))
    assert done.returncode != 0, done.stdout
    return done.stderr


def store(tmp_path: Path, records: Iterable[Record]) -> Path:
    return record_runs(tmp_path / "metrics.db", records)


def at(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


# ---------------------------------------------------------------------------
# report
# ---------------------------------------------------------------------------


def report_records() -> list[Record]:
    records = [
        run(
            "setup",
            "create",
            seconds,
            NOW - (5 - i) * HOUR,
            worktree=MAIN,
            manager="uv",
            installer="uv",
            exit_code=code,
        )
        for i, (seconds, code) in enumerate(
            [(1.0, 0), (2.0, 0), (3.0, 0), (4.0, 1), (10.0, 0)]
        )
    ]
    records += [
        run(
            "step",
            "pip install",
            seconds,
            NOW - (4 - i) * HOUR,
            worktree=FEAT,
            manager="pip",
            installer="pip",
            branch="feat",
        )
        for i, seconds in enumerate([14.0, 15.0, 13.0, 16.0])
    ]
    records += [
        run("gate", "lint", float(seconds), NOW - seconds * 60, worktree=MAIN)
        for seconds in range(1, 21)
    ]
    records.append(run("run", "pytest", 5.0, NOW - 10 * DAY, worktree=MAIN))
    return records


@pytest.fixture
def report_db(tmp_path: Path) -> Path:
    return store(tmp_path, report_records())


def by_command(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f"{row['kind']} {row['name']}": row for row in rows}


def test_report_figures_per_worktree_manager_and_command(report_db: Path) -> None:
    rows = nu_json("report", report_db)
    assert [(r["worktree"], r["manager"], r["kind"], r["name"]) for r in rows] == [
        (FEAT, "pip", "step", "pip install"),
        (MAIN, "", "gate", "lint"),
        (MAIN, "", "run", "pytest"),
        (MAIN, "uv", "setup", "create"),
    ]
    assert [row["installer"] for row in rows] == ["pip", "", "", "uv"]
    found = by_command(rows)
    setup = found["setup create"]
    assert (setup["runs"], setup["median_seconds"], setup["p95_seconds"]) == (
        5,
        3.0,
        10.0,
    )
    assert setup["failure_percent"] == 20.0
    assert at(setup["last_run"]) == pytest.approx(NOW - HOUR, abs=0.01)
    install = found["step pip install"]
    assert (install["median_seconds"], install["p95_seconds"]) == (14.5, 16.0)
    lint = found["gate lint"]
    # 1..20: median between 10 and 11; nearest-rank p95 is the 19th value.
    assert (lint["runs"], lint["median_seconds"], lint["p95_seconds"]) == (
        20,
        10.5,
        19.0,
    )
    assert lint["failure_percent"] == 0.0


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        (("--worktree", FEAT), ["step pip install"]),
        (("--manager", "pip"), ["step pip install"]),
        (("--kind", "gate"), ["gate lint"]),
        (("--branch", "feat"), ["step pip install"]),
        (("--since", "7day"), ["step pip install", "gate lint", "setup create"]),
    ],
)
def test_report_filters(
    report_db: Path, flags: tuple[str, ...], expected: list[str]
) -> None:
    assert list(by_command(nu_json("report", report_db, *flags))) == expected


def test_report_as_a_nushell_table_pipes_further(
    report_db: Path, tmp_path: Path
) -> None:
    """What a Nushell user does: `use` the module and keep piping."""
    script = tmp_path / "use.nu"
    script.write_text(
        f"use {json.dumps(str(MODULE))}\n"
        "def main [db: path] {\n"
        "    seedbed report --db $db | where kind == setup\n"
        "    | get 0.p95_seconds | print\n"
        "}\n"
    )
    done = nu(str(script), str(report_db))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "10.0"


def test_default_store_is_the_repositorys_from_a_linked_worktree(repo: Path) -> None:
    record_runs(store_path(repo / ".git"), report_records())
    linked = repo.parent / "linked"
    git("worktree", "add", "-q", str(linked), "-b", "feat", cwd=repo)
    done = nu(str(CLI), "report", "--json", cwd=linked)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)) == 4


def test_report_text_is_a_table(report_db: Path) -> None:
    done = nu(str(CLI), "report", "--db", str(report_db), "--width", "120")
    assert done.returncode == 0, done.stderr
    assert "pip install" in done.stdout and "median_seconds" in done.stdout


# ---------------------------------------------------------------------------
# perf
# ---------------------------------------------------------------------------

TODAY = math.floor(NOW / DAY) * DAY


def day(offset: int, second: float = 60.0) -> float:
    """A moment inside the day `offset` days before today (UTC days)."""
    return TODAY - offset * DAY + second


@pytest.fixture
def perf_db(tmp_path: Path) -> Path:
    records = []
    for offset in range(4, -1, -1):
        seconds = 3.0 if offset == 0 else 1.0
        records += [run("gate", "lint", seconds, day(offset, s)) for s in (60.0, 120.0)]
        records.append(run("test", "pytest", 10.0, day(offset)))
    records += [
        run("setup", "create", seconds, day(offset))
        for offset, seconds in ((2, 1.0), (1, 2.0), (0, 3.0))
    ]
    records.append(run("step", "uv sync", 1.0, day(0)))  # not a trend kind
    return store(tmp_path, records)


def test_perf_trends_and_regressions(perf_db: Path) -> None:
    trends = by_command(nu_json("perf", perf_db))
    assert sorted(trends) == ["gate lint", "setup create", "test pytest"]
    lint = trends["gate lint"]
    assert lint["trend"] == "▁▁▁▁█"
    assert (lint["runs"], lint["periods"]) == (10, 5)
    assert (lint["baseline_seconds"], lint["latest_seconds"]) == (1.0, 3.0)
    assert (lint["change_percent"], lint["regression"]) == (200.0, True)
    assert at(lint["points"][0]["start"]) == TODAY - 4 * DAY
    assert lint["points"][0]["runs"] == 2
    steady = trends["test pytest"]
    assert (steady["trend"], steady["regression"], steady["change_percent"]) == (
        "▄▄▄▄▄",
        False,
        0.0,
    )
    setup = trends["setup create"]
    # medians 1, 2, 3: baseline median(1, 2) = 1.5; 3 > 1.5 * 1.5.
    assert (setup["trend"], setup["baseline_seconds"]) == ("▁▅█", 1.5)
    assert (setup["change_percent"], setup["regression"]) == (100.0, True)


def test_perf_points_factor_and_kind(perf_db: Path) -> None:
    lint = by_command(nu_json("perf", perf_db, "--points", "2"))["gate lint"]
    assert (lint["periods"], lint["trend"], lint["baseline_seconds"]) == (2, "▁█", 1.0)
    tolerant = by_command(nu_json("perf", perf_db, "--factor", "4"))
    assert not tolerant["gate lint"]["regression"]
    assert list(by_command(nu_json("perf", perf_db, "--kind", "step"))) == [
        "step uv sync"
    ]


def test_perf_hourly_buckets(perf_db: Path) -> None:
    lint = by_command(nu_json("perf", perf_db, "--bucket", "1hr"))["gate lint"]
    assert lint["periods"] == 5  # both runs of a day fall in one hour


# ---------------------------------------------------------------------------
# alerts: one test per alert, each with its figures
# ---------------------------------------------------------------------------


def series(
    seconds: Iterable[float], start: float = NOW - DAY, **fields: Any
) -> list[Record]:
    return [
        run(
            "step",
            "uv sync",
            value,
            start + i * 60,
            manager="uv",
            installer="uv",
            **fields,
        )
        for i, value in enumerate(seconds)
    ]


def test_alert_slowdown(tmp_path: Path) -> None:
    db = store(tmp_path, series([1.0] * 10 + [2.0]))
    [alert] = nu_json("alerts", db)
    assert alert["alert"] == "slowdown" and alert["severity"] == "warning"
    assert (alert["value"], alert["threshold"]) == (2.0, 1.5)
    assert alert["subject"] == "step uv sync (uv)"
    assert alert["message"] == (
        "step uv sync (uv) took 2.0 s, 2.0x its rolling median of 1.0 s over 10 runs"
    )
    assert nu_json("alerts", db, "--factor", "2.5") == []


def test_alert_slowdown_uses_a_rolling_window(tmp_path: Path) -> None:
    # Twenty slow runs long ago, ten fast ones lately, then a 2 s run.
    db = store(tmp_path, series([3.0] * 20 + [1.0] * 10 + [2.0]))
    [alert] = nu_json("alerts", db, "--window", "10")
    assert alert["threshold"] == 1.5
    assert nu_json("alerts", db, "--window", "30") == []  # median 3.0


def test_alert_slowdown_needs_history_and_ignores_failures(tmp_path: Path) -> None:
    short = store(tmp_path / "short", series([1.0] * 3 + [2.0]))
    assert nu_json("alerts", short) == []  # 3 runs < min history 5
    assert len(nu_json("alerts", short, "--min-history", "3")) == 1
    records = series([1.0] * 10)
    records.append(
        run("step", "uv sync", 9.0, NOW, manager="uv", installer="uv", exit_code=1)
    )
    failed = store(tmp_path / "failed", records)
    assert nu_json("alerts", failed) == []


def coverage(kind: str, name: str, worktree: str, figures: list[float]) -> list[Record]:
    return [
        run(
            kind,
            name,
            5.0,
            NOW - (len(figures) - i) * HOUR,
            worktree=worktree,
            figure=figure,
        )
        for i, figure in enumerate(figures)
    ]


def test_alert_coverage_drop(tmp_path: Path) -> None:
    db = store(
        tmp_path,
        coverage("gate", "tests", MAIN, [91.0, 90.0, 87.5])
        + coverage("gate", "tests", FEAT, [90.0, 89.6])  # -0.4: within 1 point
        + coverage("test", "pytest", FEAT, [85.0, 80.0]),
    )
    alerts = {a["subject"]: a for a in nu_json("alerts", db)}
    assert sorted(alerts) == ["gate tests", "test pytest"]
    gate = alerts["gate tests"]
    assert (gate["alert"], gate["worktree"]) == ("coverage-drop", MAIN)
    assert (gate["value"], gate["threshold"]) == (87.5, 89.0)
    assert gate["message"] == (
        f"coverage fell from 90.0% to 87.5% (-2.5 points) in {MAIN}"
    )
    assert alerts["test pytest"]["value"] == 80.0
    only_big = nu_json("alerts", db, "--coverage-drop", "3")
    assert [a["subject"] for a in only_big] == ["test pytest"]


def gate(name: str, worktree: str, codes: list[int], **fields: Any) -> list[Record]:
    return [
        run(
            "gate",
            name,
            1.0,
            NOW - (len(codes) - i) * HOUR,
            worktree=worktree,
            exit_code=code,
            **fields,
        )
        for i, code in enumerate(codes)
    ]


def test_alert_lint_and_type_failures(tmp_path: Path) -> None:
    findings = {"findings": ["a.py:1 E501", "a.py:2 F401", "b.py:9 E711"]}
    db = store(
        tmp_path,
        gate("lint", MAIN, [0, 1], detail=findings)
        + gate("lint", FEAT, [1, 0])  # fixed since: no alert
        + gate("types", MAIN, [2])
        # As core/gates.py records a gate: a count of findings, and the figure.
        + gate("types", FEAT, [1], figure=4.0, detail={"findings": 4, "via": "mypy"})
        + gate("format", MAIN, [1]),  # not a lint or type check
    )
    found = nu_json("alerts", db)
    alerts = {a["alert"]: a for a in found if a["worktree"] == MAIN}
    assert sorted(alerts) == ["lint-failure", "types-failure"]
    [counted] = [a for a in found if a["worktree"] == FEAT]
    assert (
        counted["message"]
        == f"the types gate failed in {FEAT} with 4 findings (exit 1)"
    )
    lint = alerts["lint-failure"]
    assert (lint["severity"], lint["worktree"], lint["value"]) == ("error", MAIN, 3)
    assert lint["message"] == f"the lint gate failed in {MAIN} with 3 findings (exit 1)"
    types = alerts["types-failure"]
    assert types["value"] == 2
    assert types["message"] == f"the types gate failed in {MAIN} (exit 2)"


def test_alert_secret_findings(tmp_path: Path) -> None:
    db = store(
        tmp_path,
        gate("secrets", MAIN, [1], figure=2.0)
        + gate("secrets", FEAT, [0], figure=0.0)
        + gate("secrets", "docs-cccccc", [1], detail={"findings": ["key in .env"]}),
    )
    alerts = {a["worktree"]: a for a in nu_json("alerts", db)}
    assert sorted(alerts) == ["docs-cccccc", MAIN]
    assert (alerts[MAIN]["value"], alerts["docs-cccccc"]["value"]) == (2, 1)
    assert alerts[MAIN]["severity"] == "error"
    assert alerts[MAIN]["message"].startswith(f"2 secret findings in {MAIN}")


def memory(container: str, percents: list[float]) -> list[Record]:
    return [
        run(
            "pod",
            "memory",
            0.01,
            NOW - (len(percents) - i) * 60,
            worktree=container.removeprefix("seedbed-"),
            figure=percent,
            detail={"container": container, "env": container},
        )
        for i, percent in enumerate(percents)
    ]


def test_alert_workspace_near_its_memory_limit(tmp_path: Path) -> None:
    db = store(
        tmp_path,
        memory("seedbed-main", [99.0, 95.0])
        + memory("seedbed-feat", [101.0])
        + memory("seedbed-docs", [95.0, 50.0]),  # recovered: latest counts
    )
    alerts = nu_json("alerts", db)
    assert [(a["subject"], a["severity"], a["value"]) for a in alerts] == [
        ("pod seedbed-feat", "error", 101.0),  # errors first
        ("pod seedbed-main", "warning", 95.0),
    ]
    assert alerts[1]["threshold"] == 90.0
    assert alerts[1]["message"].startswith(
        "workspace seedbed-main uses 95.0% of its memory limit"
    )
    higher = nu_json("alerts", db, "--memory-percent", "96")
    assert [a["subject"] for a in higher] == ["pod seedbed-feat"]


def test_no_alerts_says_so(tmp_path: Path) -> None:
    db = store(tmp_path, series([1.0] * 10))
    assert nu_json("alerts", db) == []
    done = nu(str(CLI), "alerts", "--db", str(db))
    assert done.stdout.strip() == "no alerts"


# ---------------------------------------------------------------------------
# optimize: one test per piece of advice
# ---------------------------------------------------------------------------


def advice_by_topic(db: Path) -> dict[str, dict[str, Any]]:
    return {item["topic"]: item for item in nu_json("optimize", db)}


def setups(
    installer: str, seconds: list[float], lock: str, **fields: Any
) -> list[Record]:
    return [
        run(
            "setup",
            "sync",
            value,
            NOW - i * 60,
            manager="pip",
            installer=installer,
            detail={"fingerprint": lock, "reused_from": MAIN},
            **fields,
        )
        for i, value in enumerate(seconds)
    ]


def test_optimize_installer_on_the_same_lock(tmp_path: Path) -> None:
    db = store(
        tmp_path,
        setups("pip", [14.0, 14.2, 14.4], "lock-1")
        + setups("uv", [0.8, 0.9, 1.0], "lock-1")
        + setups("uv", [0.1], "lock-2"),  # only uv on this lock: not compared
    )
    advice = advice_by_topic(db)["installer"]
    assert advice["advice"] == (
        "pip installs here take 14.2 s median, uv 0.9 s on the same lock:"
        ' set installer = "uv"'
    )
    assert advice["figure"] == 15.8  # 14.2 / 0.9


def test_optimize_installer_across_locks(tmp_path: Path) -> None:
    db = store(
        tmp_path, setups("pip", [10.0], "lock-1") + setups("uv", [2.0], "lock-2")
    )
    advice = advice_by_topic(db)["installer"]
    assert advice["advice"].endswith('uv 2.0 s across locks: set installer = "uv"')
    assert advice["figure"] == 5.0


def test_optimize_slowest_tests(tmp_path: Path) -> None:
    slowest = [
        ["t_a", 3.0],
        ["t_b", 2.0],
        ["t_c", 1.0],
        ["t_d", 0.5],
        ["t_e", 0.6],
        ["t_f", 0.1],
    ]
    db = store(
        tmp_path,
        [
            run("test", "pytest", 50.0, NOW - DAY, detail={"slowest": [["old", 49.0]]}),
            run("test", "pytest", 10.0, NOW, detail={"slowest": slowest}),
        ],
    )
    advice = advice_by_topic(db)["slow-tests"]
    # 3 + 2 + 1 + 0.6 + 0.5 = 7.1 of the latest run's 10 s.
    assert advice["figure"] == 71
    assert advice["advice"] == (
        "these 5 tests take 71% of test time: t_a, t_b, t_c, t_e, t_d"
    )


def test_optimize_rebuilds_without_reuse(tmp_path: Path) -> None:
    built = [
        run(
            "setup",
            "create",
            10.0,
            NOW - i * 60,
            worktree=f"wt-{i}",
            detail={"fingerprint": "l"},
        )
        for i in range(12)
    ]
    reused = [
        run(
            "setup",
            "create",
            1.0,
            NOW - i * 60,
            worktree=f"re-{i}",
            detail={"fingerprint": "l", "reused_from": MAIN},
        )
        for i in range(3)
    ]
    advice = advice_by_topic(store(tmp_path, built + reused))["rebuilds"]
    assert advice["figure"] == 12
    assert advice["advice"].startswith(
        "environments rebuilt without reuse 12 times (120 s in total)"
    )


def test_optimize_dominant_step_and_frequent_failures(tmp_path: Path) -> None:
    records = [run("step", "pip install", 16.0, NOW - i * 60) for i in range(5)]
    records += [run("step", "venv", 4.0, NOW - i * 60) for i in range(5)]
    records += gate("types", MAIN, [0, 1, 0, 0, 1, 0, 0, 1, 0, 0])
    advice = advice_by_topic(store(tmp_path, records))
    step = advice["slow-step"]
    assert step["figure"] == 80
    assert step["advice"] == (
        "the step 'pip install' takes 80% of all setup step time"
        " (median 16.0 s over 5 runs)"
    )
    failures = advice["failures"]
    assert failures["figure"] == 30
    assert failures["advice"].startswith("gate types failed 3 of its 10 runs (30%)")


def test_optimize_with_nothing_to_advise(tmp_path: Path) -> None:
    db = store(tmp_path, series([1.0] * 3))
    assert nu_json("optimize", db) == []
    done = nu(str(CLI), "optimize", "--db", str(db))
    assert "no advice" in done.stdout


# ---------------------------------------------------------------------------
# stores the reports cannot read
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("command", ["report", "perf", "alerts", "optimize"])
def test_missing_store(tmp_path: Path, command: str) -> None:
    message = nu_error(command, tmp_path / "nowhere.db")
    assert f"no metrics store at {tmp_path / 'nowhere.db'}" in message
    assert "seedbed setup" in message


def test_empty_store(tmp_path: Path) -> None:
    db = empty_store(tmp_path / "metrics.db")
    assert f"no runs recorded yet in {db}" in nu_error("report", db)


def test_store_from_a_newer_schema(tmp_path: Path) -> None:
    db = newer_schema_store(tmp_path / "metrics.db", version=99)
    message = nu_error("alerts", db)
    assert "has schema version 99; these reports read version 1" in message
    assert "upgrade seedbed" in message


def test_file_that_is_not_a_store(tmp_path: Path) -> None:
    import sqlite3

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE t (x)")
    assert "is not a seedbed metrics store" in nu_error("report", other)


# ---------------------------------------------------------------------------
# monitor, against a fake `seedbed pod stats --json`
# ---------------------------------------------------------------------------

POD = {
    "name": "feat",
    "status": "running",
    "cpu_percent": 12.5,
    "memory_bytes": 512 * 1024 * 1024,
    "memory_limit_bytes": 1024 * 1024 * 1024,
    "memory_percent": 50.0,
    "pids": 12,
    "pids_limit": 256,
}


@pytest.fixture
def fake_seedbed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `seedbed` on PATH whose `pod stats --json` counts its calls in cpu_percent."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    script = bin_dir / "seedbed"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, pathlib, sys\n"
        f"calls = pathlib.Path({str(calls)!r})\n"
        "count = int(calls.read_text()) + 1 if calls.exists() else 1\n"
        "calls.write_text(str(count))\n"
        "if sys.argv[1:] != ['pod', 'stats', '--json']:\n"
        "    sys.exit(2)\n"
        f"pods = [{POD!r}, dict({POD!r}, name='other')]\n"
        "pods[0]['cpu_percent'] = 10.0 * count\n"
        "print(json.dumps(pods))\n"
    )
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("SEEDBED_BIN", raising=False)
    return script


def monitor(*flags: str) -> subprocess.CompletedProcess[str]:
    return nu(str(CLI), "monitor", "--interval", "10ms", *flags)


def test_monitor_refreshes_count_times_as_json(fake_seedbed: Path) -> None:
    done = monitor("--workspace", "feat", "--count", "3", "--json")
    assert done.returncode == 0, done.stderr
    samples = [json.loads(line) for line in done.stdout.splitlines()]
    assert [s["cpu_percent"] for s in samples] == [10.0, 20.0, 30.0]
    assert {s["name"] for s in samples} == {"feat"}
    assert samples[0]["memory_percent"] == 50.0


def test_monitor_table_shows_bars(fake_seedbed: Path) -> None:
    done = monitor("--workspace", "feat", "--count", "1")
    assert done.returncode == 0, done.stderr
    assert "██████████░░░░░░░░░░ 50.0%" in done.stdout  # memory
    assert "12 of 256 (5%)" in done.stdout
    assert "512.0 MiB of 1024.0 MiB" in done.stdout


def test_monitor_unknown_workspace(fake_seedbed: Path) -> None:
    done = monitor("--workspace", "nope", "--count", "1")
    assert done.returncode != 0
    assert "no container workspace named nope" in done.stderr


def test_monitor_reports_a_failing_pod_stats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "seedbed"
    broken.write_text("#!/bin/sh\necho 'docker is not running' >&2\nexit 9\n")
    broken.chmod(0o755)
    monkeypatch.setenv("SEEDBED_BIN", str(broken))
    done = monitor("--workspace", "feat", "--count", "1")
    assert done.returncode != 0
    assert "failed (exit 9): docker is not running" in done.stderr


# ---------------------------------------------------------------------------
# stores from real seedbed runs, and the synthetic store at full size
# ---------------------------------------------------------------------------


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
    assert {row["kind"] for row in rows} == {"setup", "step"}
    done = nu(str(CLI), "report", "--json", cwd=real_repo)  # default store
    assert done.returncode == 0, done.stderr
    report = {(r["kind"], r["name"]): r for r in json.loads(done.stdout)}
    for (kind, name), figures in report.items():
        seconds = [r["seconds"] for r in rows if (r["kind"], r["name"]) == (kind, name)]
        assert figures["runs"] == len(seconds)
        assert figures["median_seconds"] == round(statistics.median(seconds), 3)
        assert figures["p95_seconds"] == round(max(seconds), 3)  # n <= 20: the max
    assert report["setup", "recreate"]["runs"] == 2
    assert report["setup", "manual"]["runs"] == 1


def test_synthetic_store_at_full_size(tmp_path: Path) -> None:
    """100,000 runs: the report's totals match the store's, alerts stay quiet
    (the generator's spread is under every threshold except lint/type failures)."""
    db = synthetic_store(tmp_path / "metrics.db", runs=100_000, seed=7)
    rows = nu_json("report", db)
    assert sum(row["runs"] for row in rows) == 100_000
    kinds = {alert["alert"] for alert in nu_json("alerts", db)}
    assert kinds <= {"lint-failure", "types-failure"}
    topics = {item["topic"] for item in nu_json("optimize", db)}
    assert {"installer", "rebuilds"} <= topics
