"""Time the reports over a synthetic store of 100,000 runs.

    python benchmarks/bench_reports.py [--runs 100000] [--repeat 5] [--nu PATH]

Each figure is the wall time of a whole `nu cli.nu <command> --json` process,
start-up included (what `seedbed report` costs, minus seedbed's own start-up),
as the median of --repeat runs; `html` is the page `seedbed report html` writes,
timed in-process. Target: under 1 s each.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from seedbed.core.assets import asset_dir  # noqa: E402
from seedbed.plugins.reports.html import render  # noqa: E402

from tests.factories.metrics import synthetic_store  # noqa: E402

TARGET_SECONDS = 1.0
COMMANDS = ("report", "perf", "alerts", "optimize")


def find_nu(explicit: str | None) -> str:
    found = explicit or shutil.which("nu") or str(REPO / ".tools" / "bin" / "nu")
    if not Path(found).exists():
        sys.exit("nu not found: run tests/setup/nushell.sh first")
    return found


def time_command(nu: str, command: str, db: Path) -> float:
    argv = [nu, "--no-config-file", str(asset_dir("nushell") / "cli.nu")]
    started = time.perf_counter()
    subprocess.run(
        [*argv, command, "--db", str(db), "--json"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


def time_html(db: Path) -> float:
    started = time.perf_counter()
    render(db, {"memory_percent": 90.0}, time.time())
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--nu")
    options = parser.parse_args()
    nu = find_nu(options.nu)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "metrics.db"
        started = time.perf_counter()
        synthetic_store(db, runs=options.runs)
        print(
            f"store: {options.runs} runs written in "
            f"{time.perf_counter() - started:.2f} s"
        )
        time_command(nu, "report", db)  # warm the page cache, as a real store is
        failed = False
        for command in (*COMMANDS, "html"):
            times = [
                time_html(db) if command == "html" else time_command(nu, command, db)
                for _ in range(options.repeat)
            ]
            median = statistics.median(times)
            verdict = "ok" if median < TARGET_SECONDS else "OVER TARGET"
            failed |= median >= TARGET_SECONDS
            print(
                f"{command:8} median {median:.3f} s  min {min(times):.3f} s"
                f"  max {max(times):.3f} s  (target < {TARGET_SECONDS:.0f} s) {verdict}"
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
