"""`seedbed report` (the module's `seedbed report`): figures per worktree,
manager and command, worked out by hand from the records each test writes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from seedbed.core.metrics import Record, store_path

from tests.e2e.reports.common import (
    CLI,
    FEAT,
    HOUR,
    MAIN,
    NOW,
    at,
    by_command,
    nu,
    nu_json,
    nu_script,
    store,
    unwrap,
)
from tests.factories.git import git
from tests.factories.metrics import DAY, record_runs, run


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
            cpu_seconds=cpu,
            peak_rss_kb=kb,
        )
        for i, (seconds, code, cpu, kb) in enumerate(
            [
                (1.0, 0, 0.5, 1000),
                (2.0, 0, 1.0, 2000),
                (3.0, 0, 1.5, 4000),
                (4.0, 1, 2.0, 3000),
                (10.0, 0, 8.0, 2500),
            ]
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
    # Resource use: the mean CPU time (13 / 5) and the highest peak memory.
    assert (setup["cpu_seconds"], setup["peak_memory_bytes"]) == (2.6, 4000 * 1024)
    assert at(setup["last_run"]) == pytest.approx(NOW - HOUR, abs=1)
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


def test_json_follows_the_contract(report_db: Path) -> None:
    """One object; timestamps ISO 8601 with their offset; durations as seconds."""
    done = nu(str(CLI), "report", "--db", str(report_db), "--json")
    value = json.loads(done.stdout)
    assert list(value) == ["report"]
    row = value["report"][0]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", row["last_run"]), row[
        "last_run"
    ]
    assert isinstance(row["median_seconds"], float)
    assert not [key for key in row if key in ("median", "p95", "cpu")]


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


def test_in_nushell_durations_and_datetimes_are_typed(
    report_db: Path, tmp_path: Path
) -> None:
    """What a Nushell user does: `use` the module and keep piping; the columns
    are durations, datetimes and file sizes, not float seconds."""
    out = nu_script(
        tmp_path,
        "def main [db: path] {\n"
        "    let setup = seedbed report --db $db | where kind == setup | first\n"
        "    print ($setup.p95 | describe) ($setup.last_run | describe)"
        " ($setup.peak_memory | describe)\n"
        "    print ($setup.p95 == 10sec) ($setup.median > 2sec)\n"
        "}",
        str(report_db),
    )
    assert out.split() == ["duration", "datetime", "filesize", "true", "true"]


def test_default_store_is_the_repositorys_from_a_linked_worktree(repo: Path) -> None:
    record_runs(store_path(repo / ".git"), report_records())
    linked = repo.parent / "linked"
    git("worktree", "add", "-q", str(linked), "-b", "feat", cwd=repo)
    done = nu(str(CLI), "report", "--json", cwd=linked)
    assert done.returncode == 0, done.stderr
    assert len(unwrap("report", done.stdout)) == 4


def test_report_text_is_a_table(report_db: Path) -> None:
    done = nu(str(CLI), "report", "--db", str(report_db), "--width", "160")
    assert done.returncode == 0, done.stderr
    assert "pip install" in done.stdout and "median" in done.stdout
    assert "14sec 500ms" in done.stdout  # a duration, as Nushell shows one
