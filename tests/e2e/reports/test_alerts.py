"""`seedbed report alerts`: each alert against a store whose expected alerts
are worked out by hand, with the negative cases (near-zero times, a fixed
gate, a recovered pod) beside the positive ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seedbed.core.metrics import Record

from tests.e2e.reports.common import (
    CLI,
    FEAT,
    HOUR,
    MAIN,
    NOW,
    gate,
    nu,
    nu_json,
    series,
    store,
)
from tests.factories.metrics import run

WORKTREE = "main-1a2b3c"  # run()'s default worktree


def keys(alerts: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(a["alert"], a["worktree"], a["subject"]) for a in alerts]


# --- slowdown ---------------------------------------------------------------


def test_alert_slowdown_names_the_worktree_the_run_and_what_to_do(
    tmp_path: Path,
) -> None:
    records = series([1.0] * 10 + [2.5])
    db = store(tmp_path, records)
    [alert] = nu_json("alerts", db)
    assert alert["alert"] == "slowdown" and alert["severity"] == "warning"
    assert (alert["value"], alert["threshold"], alert["unit"]) == (2.5, 1.5, "seconds")
    assert alert["subject"] == "step uv sync (uv)"
    assert (alert["worktree"], alert["run"]) == (WORKTREE, records[-1].run_id)
    assert alert["message"] == (
        f"step uv sync (uv) took 2.5 s in {WORKTREE}, 2.5x its median of 1.0 s"
        " over 10 runs (+1.5 s)"
    )
    assert f"seedbed report --worktree {WORKTREE} --kind step" in alert["action"]
    assert nu_json("alerts", db, "--factor", "3") == []


def test_near_zero_times_are_no_slowdown(tmp_path: Path) -> None:
    """Before: `gate migrations took 0.0 s, 3.6x its rolling median of 0.0 s`."""
    db = store(
        tmp_path,
        [run("gate", "migrations", 0.01, NOW - (20 - i) * 60) for i in range(10)]
        + [run("gate", "migrations", 0.036, NOW - 60)],
    )
    assert nu_json("alerts", db) == []  # 3.6x, but only 0.026 s slower
    [alert] = nu_json("alerts", db, "--min-seconds", "0.02")  # the floor decides
    assert (alert["alert"], alert["value"]) == ("slowdown", 0.036)


def test_alert_slowdown_uses_a_rolling_window(tmp_path: Path) -> None:
    # Twenty slow runs long ago, ten fast ones lately, then a 2.5 s run.
    db = store(tmp_path, series([3.0] * 20 + [1.0] * 10 + [2.5]))
    [alert] = nu_json("alerts", db, "--window", "10")
    assert alert["threshold"] == 1.5
    assert nu_json("alerts", db, "--window", "30") == []  # median 3.0


def test_alert_slowdown_needs_history_and_ignores_failures(tmp_path: Path) -> None:
    short = store(tmp_path / "short", series([1.0] * 3 + [2.5]))
    assert nu_json("alerts", short) == []  # 3 runs < min history 5
    assert len(nu_json("alerts", short, "--min-history", "3")) == 1
    records = series([1.0] * 10)
    records.append(
        run("step", "uv sync", 9.0, NOW, manager="uv", installer="uv", exit_code=1)
    )
    failed = store(tmp_path / "failed", records)
    assert nu_json("alerts", failed) == []


# --- failing gates and test runs -------------------------------------------


def failing_records() -> list[Record]:
    findings = {"findings": ["a.py:1 E501", "a.py:2 F401", "b.py:9 E711"]}
    return (
        gate("tests", MAIN, [1, 1, 1, 1, 1, 1])  # every run: the loudest
        + gate("lint", MAIN, [0, 1], detail=findings)  # 1 of 2: 50%
        + gate("lint", FEAT, [1, 0, 0])  # 33%, and fixed since
        + gate("types", FEAT, [1], figure=4.0, detail={"findings": 4, "via": "mypy"})
        + [
            run("test", "pytest", 9.0, NOW - (4 - i) * HOUR, worktree=FEAT, exit_code=c)
            for i, c in enumerate([0, 0, 0, 1])  # 25%
        ]
        + gate("format", MAIN, [0, 0, 0], detail={"skipped": True})
    )


def test_a_gate_failing_every_run_is_an_error(tmp_path: Path) -> None:
    """Before: a `tests` gate failing on every run never appeared."""
    found = nu_json("alerts", store(tmp_path, failing_records()))
    assert keys(found)[0] == ("failing", MAIN, "gate tests")  # the error first
    assert sorted(keys(found)[1:]) == [
        ("failures", FEAT, "gate types"),
        ("failures", MAIN, "gate lint"),
    ]
    tests = found[0]
    types, lint = sorted(found[1:], key=lambda a: a["subject"], reverse=True)
    assert (tests["severity"], tests["value"], tests["threshold"]) == (
        "error",
        100.0,
        100,
    )
    assert (
        tests["message"] == f"gate tests failed in all 6 of its latest runs in {MAIN}"
    )
    assert (
        tests["action"] == f"run `seedbed gate tests` in {MAIN} and fix what it reports"
    )
    assert lint["message"] == (
        f"gate lint failed 1 of its latest 2 runs in {MAIN} (50.0%),"
        " the latest with exit 1 (latest: 3 findings)"
    )
    assert (types["severity"], types["value"]) == ("warning", 100.0)
    assert types["message"].endswith("(latest: 4 findings)")


def test_failure_rate_threshold_and_window(tmp_path: Path) -> None:
    db = store(tmp_path, failing_records())
    found = keys(nu_json("alerts", db, "--failure-percent", "20"))
    assert ("failures", FEAT, "gate lint") in found  # 33%
    assert ("failures", FEAT, "test pytest") in found  # 25%
    # Over the latest two runs: tests 2 of 2 (an error), lint 1 of 2, types 1 of 1
    # (one run is not enough to call it failing every time: a warning).
    narrow = {keys([a])[0]: a for a in nu_json("alerts", db, "--window", "2")}
    assert narrow["failing", MAIN, "gate tests"]["severity"] == "error"
    assert narrow["failures", MAIN, "gate lint"]["severity"] == "warning"
    assert narrow["failures", FEAT, "gate types"]["severity"] == "warning"


# --- coverage, secrets, audit ------------------------------------------------


def coverage(kind: str, name: str, worktree: str, figures: list[float]) -> list[Record]:
    return [
        run(
            kind,
            name,
            5.0,
            NOW - (len(figures) - i) * HOUR,
            worktree=worktree,
            figure=f,
        )
        for i, f in enumerate(figures)
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
    drop = alerts["gate tests"]
    assert (drop["alert"], drop["worktree"]) == ("coverage-drop", MAIN)
    assert (drop["value"], drop["threshold"]) == (87.5, 89.0)
    assert (
        drop["message"] == f"coverage fell from 90.0% to 87.5% (-2.5 points) in {MAIN}"
    )
    assert alerts["test pytest"]["value"] == 80.0
    only_big = nu_json("alerts", db, "--coverage-drop", "3")
    assert [a["subject"] for a in only_big] == ["test pytest"]


def test_alert_secret_findings(tmp_path: Path) -> None:
    db = store(
        tmp_path,
        gate("secrets", MAIN, [0], figure=2.0)
        + gate("secrets", FEAT, [0], figure=0.0)
        + gate("secrets", "docs-cccccc", [0], detail={"findings": ["key in .env"]}),
    )
    alerts = {
        a["worktree"]: a for a in nu_json("alerts", db) if a["alert"] == "secrets"
    }
    assert sorted(alerts) == ["docs-cccccc", MAIN]
    assert (alerts[MAIN]["value"], alerts["docs-cccccc"]["value"]) == (2, 1)
    assert alerts[MAIN]["severity"] == "error"
    assert alerts[MAIN]["message"] == f"2 secret findings in {MAIN}"
    assert "rotate" in alerts[MAIN]["action"]


def test_alert_new_or_increasing_audit_findings(tmp_path: Path) -> None:
    db = store(
        tmp_path,
        coverage("gate", "audit", MAIN, [0.0, 2.0])  # up from 0
        + coverage("gate", "audit", FEAT, [3.0, 3.0])  # the same: no alert
        + coverage("gate", "audit", "docs-cccccc", [1.0])  # new
        + coverage("gate", "audit", "ops-dddddd", [5.0, 1.0]),  # fewer: no alert
    )
    found = [a for a in nu_json("alerts", db) if a["alert"] == "audit"]
    messages = {a["worktree"]: a["message"] for a in found}
    assert messages == {
        MAIN: f"the audit found 2 vulnerable packages in {MAIN} (up from 0)",
        "docs-cccccc": "the audit found 1 vulnerable packages in docs-cccccc (new)",
    }


# --- pods --------------------------------------------------------------------


def memory(container: str, percents: list[float], **detail: Any) -> list[Record]:
    return [
        run(
            "pod",
            "memory",
            0.01,
            NOW - (len(percents) - i) * 60,
            worktree=container.removeprefix("seedbed-"),
            figure=percent,
            detail={"container": container, "env": container, **detail},
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
    assert (
        alerts[1]["message"] == "workspace seedbed-main uses 95.0% of its memory limit"
    )
    higher = nu_json("alerts", db, "--memory-percent", "96")
    assert [a["subject"] for a in higher] == ["pod seedbed-feat"]


def test_alert_workspace_near_its_process_limit(tmp_path: Path) -> None:
    db = store(
        tmp_path,
        memory("seedbed-main", [40.0], pids=240, pids_limit=256)  # 93.8%
        + memory("seedbed-feat", [40.0], pids=256, pids_limit=256)  # 100%
        + memory("seedbed-docs", [40.0], pids=12, pids_limit=256),
    )
    found = nu_json("alerts", db)
    assert [(a["alert"], a["subject"], a["severity"], a["value"]) for a in found] == [
        ("pod-pids", "pod seedbed-feat", "error", 100.0),
        ("pod-pids", "pod seedbed-main", "warning", 93.8),
    ]
    assert found[1]["message"] == (
        "workspace seedbed-main runs 240 of its 256 processes (93.8%)"
    )
    assert nu_json("alerts", db, "--pids-percent", "95")[0]["value"] == 100.0


# --- reuse fallback ----------------------------------------------------------


def test_alert_setup_that_fell_back_from_reuse(tmp_path: Path) -> None:
    failed = "failed: copying site-packages: disk full; full install instead"
    records = [
        run(
            "setup", "create", 42.0, NOW - HOUR, worktree=MAIN, detail={"reuse": failed}
        ),
        run(
            "setup",
            "create",
            40.0,
            NOW - 2 * HOUR,
            worktree=FEAT,
            detail={"reuse": failed},
        ),
        run(
            "setup", "checkout", 1.0, NOW - HOUR, worktree=FEAT, detail={"reuse": "ok"}
        ),
    ]
    [alert] = nu_json("alerts", store(tmp_path, records))
    assert (alert["alert"], alert["worktree"], alert["run"]) == (
        "reuse-fallback",
        MAIN,
        records[0].run_id,
    )
    assert alert["message"] == (
        f"setup in {MAIN} could not reuse a sibling's environment"
        " (copying site-packages: disk full) and installed everything: 42.0 s"
    )


# --- all together ------------------------------------------------------------


def test_every_alert_names_its_worktree_run_and_action(tmp_path: Path) -> None:
    db = store(
        tmp_path,
        failing_records()
        + series([1.0] * 10 + [2.5])
        + memory("seedbed-main", [95.0], pids=250, pids_limit=256),
    )
    found = nu_json("alerts", db)
    assert len(found) == 6
    for alert in found:
        assert alert["worktree"] and alert["run"] and alert["action"], alert
        assert alert["at"].endswith("+00:00")
    severities = [a["severity"] for a in found]
    assert severities == sorted(severities, key=lambda s: s != "error")


def test_no_alerts_says_so(tmp_path: Path) -> None:
    db = store(tmp_path, series([1.0] * 10))
    assert nu_json("alerts", db) == []
    done = nu(str(CLI), "alerts", "--db", str(db))
    assert done.stdout.strip() == "no alerts"
