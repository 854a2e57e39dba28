"""`seedbed doctor`'s checks of seedbed's own state files, and their fixes.

A damaged file seedbed wrote (a worktree's `.seedbed/ready.json` or
`last.json`, a `.seedbed` that is a symlink or not a folder, the repository's
`metrics.db`) is moved aside as `NAME.damaged-<timestamp>`, never deleted: the
next setup writes a new one. Plugins check and repair their own stores (the
resources family's port registry) through seedbed_doctor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from seedbed.plugins.lifecycle.diagnosis import Diagnosis

if TYPE_CHECKING:
    from seedbed.core.gitfacts import GitFacts
    from seedbed.plugins.lifecycle.worktrees import Worktree

FIX_STATE = "seedbed doctor --fix"


def _moved(path: Path, mover: Callable[[Path], Path]) -> Callable[[], str]:
    def run() -> str:
        return f"moved {path} aside to {mover(path).name}"

    return run


def check_state(worktrees: Iterable[Worktree]) -> list[Diagnosis]:
    """Damaged `.seedbed/` folders and files; the fix moves each aside."""
    from seedbed.core import state

    found = []
    for tree in worktrees:
        if tree.bare or tree.gone:
            continue
        for problem in state.damaged(tree.path):
            found.append(
                Diagnosis(
                    "state",
                    "error",
                    problem.message,
                    FIX_STATE + f", then `cd {tree.path} && seedbed setup`",
                    _moved(problem.path, state.move_aside),
                    worktree=str(tree.path),
                )
            )
    return found


def check_stores(facts: GitFacts) -> list[Diagnosis]:
    """The repository's metrics store (a plugin checks its own stores:
    seedbed_doctor)."""
    from seedbed.core import metrics

    store = metrics.store_path(facts.common_dir)
    problem = metrics.store_problem(store)
    if not problem:
        return []
    return [
        Diagnosis(
            "metrics",
            "error",
            f"{store}: {problem}",
            FIX_STATE + " (moves it aside; a new store starts)",
            _moved(store, metrics.move_store_aside),
        )
    ]
