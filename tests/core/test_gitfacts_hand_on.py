"""The git hook reads the worktree's git facts, then loading the App reads
them again: the hook hands its answer on, used once, for that worktree only."""

from __future__ import annotations

from pathlib import Path

from seedbed.core import gitfacts
from seedbed.core.gitfacts import GitFacts, iter_worktree_roots, worktree_roots

from tests.factories.git import git


def test_a_hand_on_answers_one_read_of_its_worktree(repo: Path) -> None:
    facts = GitFacts.read(repo)
    assert facts is not None and facts.branch == "main"
    gitfacts.hand_on(facts)
    git("checkout", "-q", "-b", "other", cwd=repo)
    assert GitFacts.read(repo) == facts  # handed on: no git asked
    fresh = GitFacts.read(repo)  # used up: git again
    assert fresh is not None and fresh.branch == "other"


def test_a_hand_on_is_dropped_by_a_read_elsewhere(repo: Path, tmp_path: Path) -> None:
    facts = GitFacts.read(repo)
    assert facts is not None
    gitfacts.hand_on(facts)
    assert GitFacts.read(tmp_path) is None  # not a worktree: git says so
    git("checkout", "-q", "-b", "other", cwd=repo)
    fresh = GitFacts.read(repo)
    assert fresh is not None and fresh.branch == "other"


def test_worktree_roots_one_at_a_time(repo: Path, tmp_path: Path) -> None:
    for name in ("a", "b"):
        git("worktree", "add", "-q", str(tmp_path / name), "-b", name, cwd=repo)
    common = repo / ".git"
    assert worktree_roots(common) == [repo, tmp_path / "a", tmp_path / "b"]
    found = iter_worktree_roots(common)
    assert next(found) == repo  # nothing more read until asked
