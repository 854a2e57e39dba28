"""Scale: 50 worktrees of one uv repository, 20 of them set up at once.

The main worktree counts as the 1st. In order, each `git worktree add` with the
installed hook, timed until git returns:

  1. the early ones, one after another: the 2nd, ... (ROUNDS of them, at least 3);
  2. a batch of BATCH adds launched together (the batch's wall time);
  3. the rest one after another, up to the 50th; the last as many as in 1. are
     the late ones.

Figures: the late adds against the early ones ("the 50th as fast as the 2nd":
nothing seedbed keeps per repository, such as the metrics store or the sibling
list, may slow an add as worktrees pile up), and the batch's wall time against
BATCH early adds one after another. Every worktree must end ready: its ready
marker and `seedbed status --json`. git 2.39 itself now and then fails one of
several concurrent adds (`failed to read .../commondir`): such an add is retried
alone and counted.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

from ratio_kit import SEEDBED, Figure, Worktrees, adopt, check_ready, run, uv_project

TOTAL = 50
BATCH = 20


def batch(trees: Worktrees, count: int) -> tuple[float, list[Path], int]:
    """count adds launched at once: wall time, the worktrees, adds retried."""
    paths = [trees.path("c") for _ in range(count)]
    logs = [path.with_name(path.name + ".log") for path in paths]
    start = time.perf_counter()
    children = []
    for path, log in zip(paths, logs, strict=True):
        # A file, not a pipe: nothing blocks while the 20 hooks write.
        with log.open("wb") as stderr:
            children.append(
                subprocess.Popen(
                    trees.add_argv(path),
                    cwd=trees.main,
                    env=trees.env,
                    stdout=subprocess.DEVNULL,
                    stderr=stderr,
                )
            )
    failed = [p for p, c in zip(paths, children, strict=True) if c.wait() != 0]
    wall = time.perf_counter() - start
    for path, log in zip(paths, logs, strict=True):
        if path in failed:
            why = log.read_text(errors="replace").strip().splitlines()[:1]
            print(f"# scale: {path.name} failed, retried: {why}", flush=True)
    ready = [p for p in paths if p not in failed]
    if failed:
        run(["git", "worktree", "prune"], trees.main, trees.env)
    for _ in failed:
        ready.append(trees.add("c")[1])
    return wall, ready, len(failed)


def all_ready(paths: list[Path], env: dict[str, str]) -> None:
    check_ready(paths)
    for path in paths:
        status = json.loads(run([*SEEDBED, "status", "--json"], path, env))
        if status.get("status") != "ready":
            sys.exit(f"{path}: seedbed status says {status.get('status')!r}")


def bench_scale(root: Path, rounds: int, env: dict[str, str]) -> list[Figure]:
    main = adopt(uv_project(root, "scale", env), env)
    trees = Worktrees(main, env)
    # At least 3 on each side: single adds on a loaded 2-core machine are noisy.
    samples = max(rounds, 3)
    early: list[float] = []
    paths = [main]
    for _ in range(samples):
        seconds, path = trees.add("e")
        early.append(seconds)
        paths.append(path)
    wall, together, retried = batch(trees, BATCH)
    paths.extend(together)
    late: list[float] = []
    while len(paths) < TOTAL:
        seconds, path = trees.add("l")
        late.append(seconds)
        paths.append(path)
    all_ready(paths, env)
    series = " ".join(f"{t:.2f}" for t in [*early, *late])
    print(f"# scale: adds one after another, 2nd to 50th (s): {series}", flush=True)
    last = late[-rounds:]
    first_n = "the 2nd" if rounds == 1 else f"worktrees 2–{rounds + 1}"
    last_n = (
        f"the {TOTAL}th" if rounds == 1 else f"worktrees {TOTAL - rounds + 1}–{TOTAL}"
    )
    note = f", {retried} retried (git)" if retried else ""
    one = statistics.median(early)
    return [
        Figure(
            f"scale: {last_n} of {TOTAL} (after {BATCH} at once), all ready",
            first_n,
            lambda ours, base: ours <= 1.1 * base + 0.1,
            "≤ 1.1× + 0.1 s",
            last,
            early,
        ),
        Figure(
            f"scale: {BATCH} `git worktree add` at once, wall time{note}",
            f"{BATCH} × the early add",
            lambda ours, base: ours <= base,
            "≤ 1×",
            [wall],
            [BATCH * one],
        ),
    ]
