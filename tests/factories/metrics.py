"""Synthetic metrics stores: deterministic, seeded, fast enough for 100,000 rows.

Rows go through `core.metrics.MetricsStore.record`, the same call the core uses,
so a synthetic store has exactly the schema and encoding of a real one. Tests
that need known figures build small stores with `record_runs` and `run`; the
benchmark and the load tests use `synthetic_store`; `metric_rows` reads back
what seedbed itself recorded in a repository.
"""

from __future__ import annotations

import json
import random
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from seedbed.core.metrics import MetricsStore, Record

DAY = 86_400.0

WORKTREES = ("main-1a2b3c", "feat-login-4d5e6f", "fix-cache-7a8b9c", "docs-0d1e2f")
GATES = ("format", "lint", "types", "tests", "secrets")
# (manager, installer, typical setup seconds): the spread NOTES.md measured.
ENVIRONMENTS = (("uv", "uv", 0.9), ("pip", "pip", 14.0), ("pip", "uv", 1.2))
STEPS = {
    ("uv", "uv"): (("uv venv", 0.1), ("uv sync", 0.8)),
    ("pip", "pip"): (("venv", 7.0), ("pip install", 7.0)),
    ("pip", "uv"): (("uv venv", 0.1), ("uv pip install", 1.1)),
}
TESTS = tuple(f"tests/test_mod{i}.py::test_case{i}" for i in range(12))


def run(
    kind: str,
    name: str,
    seconds: float,
    started_at: float,
    *,
    worktree: str = "main-1a2b3c",
    exit_code: int = 0,
    run_id: str | None = None,
    **fields: Any,
) -> Record:
    """One record with test-friendly defaults; fields are the other Record fields."""
    return Record(
        run_id=run_id or f"{kind}-{name}-{started_at}",
        kind=kind,
        name=name,
        worktree=worktree,
        worktree_path=f"/work/{worktree}",
        started_at=started_at,
        seconds=seconds,
        exit_code=exit_code,
        **fields,
    )


def record_runs(path: Path, records: Iterable[Record]) -> Path:
    """Write records into the store at path (creating it) and return the path."""
    MetricsStore(path).record(*records)
    return path


def metric_rows(main: Path, kind: str = "setup") -> list[dict[str, Any]]:
    """The runs of one kind seedbed recorded for the repository at main, in
    order, each detail decoded."""
    db = main / ".git" / "seedbed" / "metrics.db"
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        rows = [
            dict(r)
            for r in conn.execute(
                "SELECT * FROM runs WHERE kind = ? ORDER BY id", (kind,)
            )
        ]
    for row in rows:
        row["detail"] = json.loads(row["detail"])
    return rows


def empty_store(path: Path) -> Path:
    """A store with the current schema and no runs."""
    with MetricsStore(path).connect():
        pass
    return path


def newer_schema_store(path: Path, version: int = 99) -> Path:
    """A store as a future seedbed would leave it: schema_version above ours."""
    empty_store(path)
    with sqlite3.connect(path) as db:
        db.execute("UPDATE schema_version SET version = ?", (version,))
    return path


def synthetic_store(
    path: Path, runs: int = 100_000, seed: int = 7, end: float | None = None
) -> Path:
    """A plausible store of `runs` rows spread over 90 days ending at `end`."""
    return record_runs(path, synthetic_records(runs, seed, end))


def synthetic_records(
    runs: int = 100_000, seed: int = 7, end: float | None = None
) -> Iterator[Record]:
    rng = random.Random(seed)
    end = time.time() if end is None else end
    start = end - 90 * DAY
    step = (end - start) / runs
    for index in range(runs):
        started_at = start + index * step
        yield _synthetic_record(rng, index, started_at)


def _synthetic_record(rng: random.Random, index: int, started_at: float) -> Record:
    worktree = WORKTREES[index % len(WORKTREES)]
    manager, installer, setup_seconds = ENVIRONMENTS[index % len(ENVIRONMENTS)]
    choice = rng.random()
    common: dict[str, Any] = {
        "worktree": worktree,
        "run_id": f"run-{index}",
        "branch": worktree.rsplit("-", 1)[0],
    }
    if choice < 0.05:
        return run(
            "setup",
            rng.choice(("create", "sync", "manual")),
            _jitter(rng, setup_seconds),
            started_at,
            manager=manager,
            installer=installer,
            package_count=22,
            detail=_setup_detail(rng, index),
            **common,
        )
    if choice < 0.25:
        name, seconds = rng.choice(STEPS[manager, installer])
        return run(
            "step",
            name,
            _jitter(rng, seconds),
            started_at,
            manager=manager,
            installer=installer,
            detail={"argv0": name.split()[0]},
            **common,
        )
    if choice < 0.70:
        return _gate(rng, started_at, common)
    if choice < 0.85:
        return _test(rng, started_at, common)
    if choice < 0.95:
        return run("run", "pytest", _jitter(rng, 3.0), started_at, **common)
    return run(
        "pod",
        "memory",
        0.01,
        started_at,
        figure=round(rng.uniform(20, 80), 1),
        detail={"container": f"seedbed-{worktree}", "env": worktree},
        **common,
    )


def _setup_detail(rng: random.Random, index: int) -> Mapping[str, Any]:
    detail: dict[str, Any] = {"fingerprint": f"lock-{index % 5}", "trigger": "hook"}
    if rng.random() < 0.5:
        detail["reused_from"] = WORKTREES[0]
    return detail


def _gate(rng: random.Random, started_at: float, common: dict[str, Any]) -> Record:
    name = rng.choice(GATES)
    failed = rng.random() < 0.1
    figure = None
    if name == "tests":
        figure = _coverage(rng)
    elif name == "secrets":
        figure = 0.0
    return run(
        "gate",
        name,
        _jitter(rng, 2.0),
        started_at,
        exit_code=int(failed),
        figure=figure,
        **common,
    )


def _test(rng: random.Random, started_at: float, common: dict[str, Any]) -> Record:
    seconds = _jitter(rng, 20.0)
    slowest = sorted(
        ((test, round(rng.uniform(0.1, 2.0), 2)) for test in TESTS),
        key=lambda item: -item[1],
    )
    return run(
        "test",
        "pytest",
        seconds,
        started_at,
        figure=_coverage(rng),
        detail={"passed": 120, "failed": 0, "slowest": slowest[:10]},
        **common,
    )


def _coverage(rng: random.Random) -> float:
    """Coverage that wobbles by less than the 1-point drop alert."""
    return round(90 + rng.uniform(-0.4, 0.4), 1)


def _jitter(rng: random.Random, typical: float) -> float:
    """A duration around typical; the spread stays under the 1.5x alert factor."""
    return round(typical * rng.uniform(0.8, 1.2), 3)


def dashboard_store(path: Path, seed: int = 3, end: float | None = None) -> Path:
    """A realistic fortnight of one repository: uv, pip and poetry worktrees
    (first builds slow, reused ones fast), gates with a flaky `types`, coverage
    that creeps up, a pod whose memory climbs towards its limit, and setup steps."""
    return record_runs(path, dashboard_records(seed, end))


DASHBOARD_ENVIRONMENTS = (
    # manager, installer, first build seconds, reused seconds, steps
    ("uv", "uv", 9.0, 0.8, (("uv venv", 0.1), ("uv sync", 7.5))),
    ("pip", "pip", 48.0, 6.0, (("venv", 3.0), ("pip install", 40.0))),
    ("poetry", "poetry", 31.0, 2.5, (("poetry install", 27.0),)),
)


def dashboard_records(seed: int = 3, end: float | None = None) -> Iterator[Record]:
    rng = random.Random(seed)
    end = time.time() if end is None else end
    start = end - 14 * DAY
    for day in range(14):
        for index, (manager, installer, first, reused, steps) in enumerate(
            DASHBOARD_ENVIRONMENTS
        ):
            worktree = f"{manager}-feature{day}-{index:06x}"
            at = start + day * DAY + 3600 * (9 + index)
            common: dict[str, Any] = {
                "worktree": worktree,
                "branch": f"feature{day}",
                "manager": manager,
                "installer": installer,
            }
            for reuse in (False, True):
                seconds = _jitter(rng, reused if reuse else first)
                run_id = f"setup-{day}-{index}-{reuse}"
                yield run(
                    "setup",
                    "create",
                    seconds,
                    at + 600 * reuse,
                    run_id=run_id,
                    package_count=48,
                    cpu_seconds=round(seconds * 0.7, 2),
                    peak_rss_kb=rng.randint(90_000, 260_000),
                    detail={
                        "fingerprint": f"{manager}-lock",
                        "reused_from": f"/work/{manager}-main" if reuse else "",
                        "env_bytes": rng.randint(180, 220) * 2**20,
                    },
                    **common,
                )
                for name, typical in steps:
                    share = reused / first if reuse else 1.0
                    yield run(
                        "step",
                        name,
                        _jitter(rng, typical * share),
                        at + 600 * reuse,
                        run_id=run_id,
                        **common,
                    )
        yield from _dashboard_gates(rng, start + day * DAY + 15 * 3600, day)
        yield from _dashboard_pod(rng, start + day * DAY, day)


def _dashboard_gates(rng: random.Random, at: float, day: int) -> Iterator[Record]:
    worktree = "main-1a2b3c"
    for hour in range(3):
        when = at + hour * 3600
        coverage = round(78 + day * 0.6 + rng.uniform(-0.3, 0.3), 1)
        gates = (
            ("format", 0.4, 0.0, 0),
            ("lint", 1.2, 0.0, 0),
            ("types", 6.5, 3.0, int(rng.random() < 0.3)),
            ("tests", 24.0, coverage, 0),
            ("secrets", 0.8, 0.0, 0),
            ("audit", 3.0, 1.0 if day > 10 else 0.0, 0),
        )
        for name, typical, figure, failed in gates:
            yield run(
                "gate",
                name,
                _jitter(rng, typical),
                when,
                worktree=worktree,
                exit_code=failed,
                figure=figure if name in ("tests", "audit") or failed else 0.0,
                detail={"stage": "pre-push", "via": "cli"},
            )


def _dashboard_pod(rng: random.Random, at: float, day: int) -> Iterator[Record]:
    for sample in range(4):
        percent = min(99.0, 40 + day * 3.5 + rng.uniform(-4, 4))
        yield run(
            "pod",
            "memory",
            0.0,
            at + sample * 6 * 3600,
            worktree="main-1a2b3c",
            figure=round(percent, 1),
            detail={
                "container": "seedbed-main-1a2b3c",
                "env": "main",
                "limit_bytes": 2 * 2**30,
                "usage_bytes": int(percent / 100 * 2 * 2**30),
            },
        )
