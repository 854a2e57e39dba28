"""Benchmark: what seedbed adds on top of the bare package manager.

One command, one run, everything measured side by side (interleaved, medians):
  (a) `git worktree add` with seedbed's hook, until the environment is ready
  (b) bare `git worktree add` + `uv sync --frozen` on the same project, warm cache
  the no-op checkout (hook installed, lock unchanged) against bare git, and the
  start-up time of `seedbed --help`.

    python benchmarks/bench_setup.py [--rounds 5] [--packages flask,requests]

Target: (a) at most 10 % + 150 ms over (b); no-op checkout +60 ms at most;
`seedbed --help` under 150 ms.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

SEEDBED = shutil.which("seedbed") or str(Path(sys.executable).parent / "seedbed")


def run(argv: list[str], cwd: Path, env: dict[str, str] | None = None) -> None:
    subprocess.run(argv, cwd=cwd, env=env, check=True, capture_output=True)


def timed(action: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def make_project(root: Path, packages: list[str]) -> None:
    root.mkdir(parents=True)
    run(["git", "init", "-q", "-b", "main"], root)
    (root / "src" / "bench_app").mkdir(parents=True)
    (root / "src" / "bench_app" / "__init__.py").write_text('"""bench."""\n')
    deps = ", ".join(f'"{p}"' for p in packages)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "bench-app"\nversion = "0.1.0"\n'
        'description = "benchmark sample"\nrequires-python = ">=3.9"\n'
        f"dependencies = [{deps}]\n\n[build-system]\n"
        'requires = ["flit_core>=3.4"]\nbuild-backend = "flit_core.buildapi"\n'
    )
    run(["uv", "lock", "-q"], root)
    run(["git", "add", "-A"], root)
    run(["git", "commit", "-qm", "bench"], root)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--packages", default="flask,requests,rich,attrs")
    args = parser.parse_args()
    packages = [p for p in args.packages.split(",") if p]
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    # Measure seedbed as an installed tool runs: with cached bytecode. (Some
    # machines set PYTHONDONTWRITEBYTECODE, which makes every start compile.)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("GIT_AUTHOR_NAME", "bench")
    env.setdefault("GIT_AUTHOR_EMAIL", "bench@seedbed.invalid")
    env.setdefault("GIT_COMMITTER_NAME", "bench")
    env.setdefault("GIT_COMMITTER_EMAIL", "bench@seedbed.invalid")
    os.environ.update(env)
    with tempfile.TemporaryDirectory(prefix="seedbed-bench-") as tmp:
        base = Path(tmp)
        hooked, bare = base / "hooked", base / "bare"
        make_project(hooked, packages)
        make_project(bare, packages)
        run([SEEDBED, "hooks", "install"], hooked)
        # Warm uv's cache (and the interpreter lookup) once, outside the timing.
        run(["uv", "sync", "--frozen", "-q"], bare)
        with_seedbed: list[float] = []
        bare_uv: list[float] = []
        for i in range(args.rounds):

            def seeded(i: int = i) -> None:
                run(
                    [
                        "git",
                        "worktree",
                        "add",
                        "-q",
                        str(base / f"h{i}"),
                        "-b",
                        f"h{i}",
                    ],
                    hooked,
                )

            def plain(i: int = i) -> None:
                target = base / f"b{i}"
                run(["git", "worktree", "add", "-q", str(target), "-b", f"b{i}"], bare)
                run(["uv", "sync", "--frozen", "-q"], target)

            with_seedbed.append(timed(seeded))
            bare_uv.append(timed(plain))
            ready = base / f"h{i}" / ".seedbed" / "ready.json"
            if not ready.exists():
                print(
                    f"round {i}: seedbed did not mark the worktree ready",
                    file=sys.stderr,
                )
                return 1
        # No-op checkout: switch between two branches with the same lock.
        noop_hooked, noop_bare = [], []
        for repo in (base / "h0", base / "b0"):
            run(["git", "branch", "-q", "same"], repo)
        for _ in range(args.rounds * 4):
            for repo, sink in ((base / "h0", noop_hooked), (base / "b0", noop_bare)):
                sink.append(
                    timed(lambda r=repo: run(["git", "checkout", "-q", "same"], r))
                )
                sink.append(
                    timed(lambda r=repo: run(["git", "checkout", "-q", "-"], r))
                )
        startup = [
            timed(lambda: run([SEEDBED, "--help"], base))
            for _ in range(args.rounds * 2)
        ]

    a, b = statistics.median(with_seedbed), statistics.median(bare_uv)
    na, nb = statistics.median(noop_hooked), statistics.median(noop_bare)
    budget = b * 1.10 + 0.150
    print(f"packages: {', '.join(packages)}; rounds: {args.rounds}; medians")
    print(f"worktree add + seedbed hook until ready : {a * 1000:8.0f} ms")
    print(f"worktree add + uv sync --frozen (bare)  : {b * 1000:8.0f} ms")
    print(
        f"ratio seedbed / bare                    : {a / b:8.2f}x "
        f"(budget {budget * 1000:.0f} ms: {'met' if a <= budget else 'MISSED'})"
    )
    print(
        f"no-op checkout with hook / bare git     : {na * 1000:8.0f} / "
        f"{nb * 1000:.0f} ms (+{(na - nb) * 1000:.0f} ms; budget +60 ms)"
    )
    print(
        "seedbed --help start-up                 : "
        f"{statistics.median(startup) * 1000:8.0f} ms (goal < 150 ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
