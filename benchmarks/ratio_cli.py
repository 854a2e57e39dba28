"""Start-up figures (`seedbed --help`, `seedbed status`) and `seedbed metrics`.

`--help` and `status` run in a ready uv worktree against `python -c pass` in the
same run: the goals are absolute (100 ms, 60 ms, with cached bytecode), the
ratio shows what is left above the interpreter's own start. `metrics --json`
reads a synthetic store of 100,000 runs (tests/factories/metrics.py) against
`sqlite3 -json` printing the same rows.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ratio_kit import SEEDBED, Figure, pair, run, timed, uv_project, within


def bench_cli(root: Path, rounds: int, env: dict[str, str]) -> list[Figure]:
    main = root / "cli"
    if not main.exists():
        main = uv_project(root, "cli", env)
        run([*SEEDBED, "setup"], main, env)
    python = [sys.executable, "-c", "pass"]
    figures = []
    for args, limit in ((["--help"], 0.100), (["status"], 0.060)):

        def ours(args: list[str] = args) -> float:
            return timed([*SEEDBED, *args], main, env)

        figures.append(
            Figure(
                f"`seedbed {args[0]}`",
                "`python -c pass`",
                within(0.0, limit),  # absolute: at most limit seconds
                f"≤ {limit * 1000:.0f} ms",
                *pair(rounds * 3, ours, lambda: timed(python, main, env)),
            )
        )
    return figures


def bench_metrics(root: Path, rounds: int, env: dict[str, str]) -> list[Figure]:
    from seedbed.core.metrics import store_path

    from tests.factories.metrics import synthetic_store

    repo = root / "metrics"
    repo.mkdir()
    run(["git", "init", "-q", "-b", "main"], repo, env)
    store = store_path(repo / ".git")
    store.parent.mkdir(parents=True, exist_ok=True)
    synthetic_store(store, runs=100_000)
    sql = "SELECT * FROM runs ORDER BY started_at, id"
    return [
        Figure(
            "`seedbed metrics --json`, 100k runs",
            "`sqlite3 -json`, same rows",
            within(1.5),
            "≤ 1.5×",
            *pair(
                rounds,
                lambda: timed([*SEEDBED, "metrics", "--json"], repo, env),
                lambda: timed(["sqlite3", "-json", str(store), sql], repo, env),
            ),
        )
    ]
