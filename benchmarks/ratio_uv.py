"""uv figures: new worktrees, `seedbed run`, and branch switches (lock changed or not).

Every seedbed figure is what a user runs: `git worktree add` or `git checkout`
with the post-checkout hook that `seedbed hooks install` put in the repository,
timed until git returns (the hook runs before that). The anchors are the same
git command with SEEDBED_SKIP=1 (the hook does nothing) plus what a user would
type by hand: `uv sync --frozen`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ratio_kit import (
    SEEDBED,
    Figure,
    Worktrees,
    adopt,
    commit,
    pair,
    run,
    site_packages,
    timed,
    uv_project,
    within,
)

# The small package branch lock-b adds (from the local wheelhouse): its presence
# in the venv tells which lock the environment follows.
EXTRA = "iniconfig"
SYNC = ["uv", "sync", "--frozen"]


def lock_branches(main: Path, env: dict[str, str]) -> None:
    """lock-a: main's commit; lock-b: uv.lock adds EXTRA; same-lock: lock-a plus
    a text file (a switch that leaves the lock as it is)."""
    run(["git", "branch", "lock-a"], main, env)
    run(["git", "checkout", "-q", "-b", "lock-b"], main, env)
    pyproject = main / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace(
            "dependencies = [", f'dependencies = ["{EXTRA}", '
        )
    )
    run(["uv", "lock", "--offline", "-q"], main, env)
    commit(main, env, f"add {EXTRA}")
    run(["git", "checkout", "-q", "-b", "same-lock", "lock-a"], main, env)
    (main / "NOTES.txt").write_text("a change that leaves the lock alone\n")
    commit(main, env, "notes")
    run(["git", "checkout", "-q", "main"], main, env)


class Switcher:
    """One worktree switching between two commits (detached: a branch can be
    checked out in one worktree only), each switch timed."""

    def __init__(
        self, path: Path, env: dict[str, str], targets: tuple[str, str], sync: bool
    ) -> None:
        self.path, self.env, self.targets, self.sync = path, env, targets, sync
        self.turn = 0

    def switch(self) -> float:
        target = self.targets[self.turn % 2]
        self.turn += 1
        seconds = timed(
            ["git", "checkout", "-q", "--detach", target], self.path, self.env
        )
        if self.sync:
            seconds += timed(SYNC, self.path, self.env)
        self.check(target)
        return seconds

    def check(self, target: str) -> None:
        """The environment follows the lock just checked out (seedbed's re-sync
        ran, and finished, inside the checkout)."""
        has_extra = any(site_packages(self.path).glob(f"{EXTRA}-*.dist-info"))
        if has_extra != (target == "lock-b"):
            state = "has" if has_extra else "lacks"
            raise SystemExit(
                f"{self.path}: after checkout {target} the venv {state} {EXTRA}"
            )


def new_worktrees(trees: Worktrees, rounds: int, env: dict[str, str]) -> list[Figure]:
    def bare() -> float:
        seconds, path = trees.bare()
        return seconds + timed(SYNC, path, env)

    def hooked(reuse: bool) -> Callable[[], float]:
        def go() -> float:
            extra = {} if reuse else {"SEEDBED_REUSE": "false"}
            seconds, path = trees.add("r" if reuse else "f", **extra)
            trees.reused(path, expected=reuse)
            return seconds

        return go

    anchor = "bare add + `uv sync --frozen`"
    lock = (trees.main / "uv.lock").read_text()
    size = f"{lock.count('[[package]]') - 1} packages"  # less the project
    return [
        Figure(
            f"uv project ({size}), first worktree (`git worktree add` + hook)",
            anchor,
            within(1.1, 0.1),
            "≤ 1.1× + 0.1 s",
            *pair(rounds, hooked(False), bare),
        ),
        Figure(
            f"uv project ({size}), second worktree (add + hook, reuse)",
            anchor,
            within(1.0),
            "≤ 1×",
            *pair(rounds, hooked(True), bare),
        ),
    ]


def checkouts(trees: Worktrees, rounds: int, env: dict[str, str]) -> list[Figure]:
    """What counts for a lock change: the whole `git checkout` with the hook
    (the checkout itself and seedbed's re-sync), against the same checkout with
    SEEDBED_SKIP=1 followed by `uv sync --frozen`. The git part is in both, so
    the difference is seedbed's cost over the bare sync."""
    _, ours_path = trees.add("ck")
    _, bare_path = trees.bare("ckb")
    run(SYNC, bare_path, env)
    skip = {**env, "SEEDBED_SKIP": "1"}
    flip = ("lock-b", "lock-a")
    ours = Switcher(ours_path, env, flip, sync=False)
    bare = Switcher(bare_path, skip, flip, sync=True)
    changed = pair(rounds, ours.switch, bare.switch)
    # No-op switches: lock-a <-> same-lock (the hook must not start Python);
    # both start from lock-a, the anchor is bare git.
    same = ("same-lock", "lock-a")
    run(["git", "checkout", "-q", "--detach", "lock-a"], ours_path, env)
    run(["git", "checkout", "-q", "--detach", "lock-a"], bare_path, skip)
    run(SYNC, bare_path, env)
    noop = pair(
        rounds * 4,
        Switcher(ours_path, env, same, sync=False).switch,
        Switcher(bare_path, skip, same, sync=False).switch,
    )
    return [
        Figure(
            "checkout that changes the lock (`git checkout` + hook)",
            "checkout + `uv sync --frozen`",
            within(1.1, 0.1),
            "≤ 1.1× + 0.1 s",
            *changed,
        ),
        Figure(
            "checkout, lock unchanged (`git checkout` + hook)",
            "bare `git checkout`",
            within(1.0, 0.06),
            "≤ +60 ms",
            *noop,
        ),
    ]


def bench_uv(root: Path, rounds: int, env: dict[str, str]) -> list[Figure]:
    main = uv_project(root, "uv", env)
    lock_branches(main, env)
    adopt(main, env)
    trees = Worktrees(main, env)
    figures = new_worktrees(trees, rounds, env)
    run_argv = ["python", "-c", "pass"]
    figures.append(
        Figure(
            "`seedbed run -- python -c pass`",
            "`uv run --frozen -- python -c pass`",
            within(1.0),
            "≤ 1×",
            *pair(
                rounds * 3,
                lambda: timed([*SEEDBED, "run", "--", *run_argv], main, env),
                lambda: timed(["uv", "run", "--frozen", "--", *run_argv], main, env),
            ),
        )
    )
    return [*figures, *checkouts(trees, rounds, env)]
