"""The `--worktree` resolver: a path, a branch, a folder name or the slug
(real git worktrees); ambiguous and unknown names list the candidates (exit 10)."""

from __future__ import annotations

from pathlib import Path

import pytest
from seedbed.core.errors import EXIT_NOT_FOUND, NotARepositoryError, SeedbedError
from seedbed.plugins.lifecycle.worktrees import list_worktrees, resolve, slug_of

from tests.factories.git import git


@pytest.fixture
def trees(repo: Path, tmp_path: Path) -> dict[str, Path]:
    found = {"main": repo}
    for name, branch in (("a/feat", "feat/login"), ("b/feat", "other"), ("c", "fix")):
        path = tmp_path / name
        path.parent.mkdir(exist_ok=True)
        git("worktree", "add", "-q", str(path), "-b", branch, cwd=repo)
        found[branch] = path
    return found


def test_each_kind_of_name(trees: dict[str, Path], repo: Path) -> None:
    fix = trees["fix"]
    assert resolve(str(fix), repo).path == fix  # a path
    (fix / "pkg").mkdir()
    assert resolve(str(fix / "pkg"), repo).path == fix  # inside it
    assert resolve("fix", repo).path == fix  # a branch
    assert resolve("feat/login", repo).path == trees["feat/login"]
    assert resolve("c", repo).path == fix  # a folder name
    assert resolve(slug_of(fix), repo).path == fix  # the slug
    assert resolve(".", fix / "pkg").path == fix  # where the command runs
    assert resolve("main", repo).main


def test_ambiguous_and_unknown_list_candidates(
    trees: dict[str, Path], repo: Path
) -> None:
    with pytest.raises(SeedbedError) as ambiguous:
        resolve("feat", repo)  # two folders called feat
    assert ambiguous.value.exit_code == EXIT_NOT_FOUND
    assert "ambiguous" in ambiguous.value.message
    assert str(trees["feat/login"]) in ambiguous.value.hint
    assert str(trees["other"]) in ambiguous.value.hint
    with pytest.raises(SeedbedError) as unknown:
        resolve("nosuch", repo)
    assert unknown.value.exit_code == EXIT_NOT_FOUND
    assert slug_of(trees["fix"]) in unknown.value.hint
    assert len(unknown.value.details["candidates"]) == 4


def test_outside_a_repository(tmp_path: Path) -> None:
    with pytest.raises(NotARepositoryError):
        list_worktrees(tmp_path)


def test_slug_for_filters(trees: dict[str, Path], repo: Path, tmp_path: Path) -> None:
    from seedbed.plugins.lifecycle.worktrees import slug_for

    assert slug_for("fix", repo) == slug_of(trees["fix"])
    assert slug_for("old-removed-1a2b3c", repo) == "old-removed-1a2b3c"
    assert slug_for("anything", tmp_path) == "anything"  # outside a repository
    with pytest.raises(SeedbedError):
        slug_for("feat", repo)
