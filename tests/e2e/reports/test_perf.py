"""`seedbed report perf`: trends per period, regressions, and periods that fit
the span of the runs (hours on day one, not a single day)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from tests.e2e.reports.common import (
    HOUR,
    NOW,
    at,
    by_command,
    nu_json,
    nu_script,
    store,
)
from tests.factories.metrics import DAY, run

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
    assert lint["bucket_seconds"] == DAY  # four days of runs: one point a day
    assert lint["trend"] == "▁▁▁▁█"
    assert (lint["runs"], lint["periods"]) == (10, 5)
    assert (lint["baseline_seconds"], lint["latest_seconds"]) == (1.0, 3.0)
    assert (lint["change_percent"], lint["regression"]) == (200.0, True)
    assert at(lint["points"][0]["start"]) == TODAY - 4 * DAY
    assert lint["points"][0]["runs"] == 2
    assert lint["points"][0]["median_seconds"] == 1.0
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


def test_day_one_is_read_by_the_hour(tmp_path: Path) -> None:
    """Before: one day of runs was one `▄`. Six hours of runs: six points."""
    start = math.floor(NOW / HOUR) * HOUR - 6 * HOUR
    db = store(
        tmp_path,
        [run("gate", "tests", 10.0 + i, start + i * HOUR + 60) for i in range(6)],
    )
    [tests] = nu_json("perf", db)
    assert (tests["bucket_seconds"], tests["periods"]) == (HOUR, 6)
    # (i / 5 * 7) rounded: 0, 1, 3, 4, 6, 7.
    assert tests["trend"] == "▁▂▄▅▇█"


def test_weeks_for_a_long_span(tmp_path: Path) -> None:
    db = store(
        tmp_path,
        [run("gate", "tests", 1.0, NOW - weeks * 7 * DAY) for weeks in (20, 0)],
    )
    assert nu_json("perf", db)[0]["bucket_seconds"] == 7 * DAY


def test_fitting_bucket_in_nushell(tmp_path: Path) -> None:
    out = nu_script(
        tmp_path,
        "print (20hr | seedbed fitting-bucket) (10day | seedbed fitting-bucket)"
        " (30wk | seedbed fitting-bucket)",
    )
    assert out.split() == ["1hr", "1day", "1wk"]
