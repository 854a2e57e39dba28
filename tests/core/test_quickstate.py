"""core/quickstate: the state's readers on plain strings (core/state wraps them;
tests/core/test_state.py drives them through it) and the worktree found
without git: what git finds, or Unsure."""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest
from seedbed.core import gitfacts, quickstate, state

from tests.factories.git import git


def facts(cwd: Path) -> tuple[str, str]:
    found = gitfacts.GitFacts.read(cwd)
    assert found is not None
    return str(found.root), str(found.git_dir)


def test_locate_finds_what_git_finds(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in quickstate.GIT_DISCOVERY:
        monkeypatch.delenv(name, raising=False)
    sub = repo / "a" / "b"
    sub.mkdir(parents=True)
    assert quickstate.locate(str(repo)) == facts(repo)
    assert quickstate.locate(str(sub)) == facts(sub)
    linked = tmp_path / "linked"
    git("worktree", "add", "-q", str(linked), "-b", "x", cwd=repo)
    assert quickstate.locate(str(linked)) == facts(linked)
    assert quickstate.common_dir(quickstate.locate(str(linked))[1]) == str(
        repo / ".git"
    )
    for odd in (repo / ".git", tmp_path):
        with pytest.raises(quickstate.Unsure):
            quickstate.locate(str(odd))
    monkeypatch.setenv("GIT_DIR", str(repo / ".git"))
    with pytest.raises(quickstate.Unsure):
        quickstate.locate(str(repo))


def test_the_lock_probe_sees_another_holder(repo: Path) -> None:
    root = str(repo)
    assert not quickstate.is_locked(root)  # no lock file: nothing to hold
    with state.worktree_lock(repo):
        assert quickstate.is_locked(root)
    with open(repo / ".seedbed" / "lock", "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        assert quickstate.is_locked(root)
    assert not quickstate.is_locked(root)


def test_state_problem_names_the_symlinked_entry(repo: Path, tmp_path: Path) -> None:
    assert quickstate.state_problem(str(repo)) is None  # no folder yet: sound
    (repo / ".seedbed").mkdir()
    os.symlink("/etc/passwd", repo / ".seedbed" / "setup.log")
    path, problem = quickstate.state_problem(str(repo)) or ("", "")
    assert path == str(repo / ".seedbed" / "setup.log")
    assert problem == "is a symlink (to /etc/passwd)"
    assert not quickstate.state_sound(str(repo))
    assert not quickstate.is_locked(str(repo))


def test_a_sealed_marker_is_read_for_its_own_git_dir_only(repo: Path) -> None:
    marker = {"fingerprint": "f", "root": str(repo)}
    state.write_json_atomic(state.state_dir(repo) / quickstate.READY, marker)
    git_dir = str(repo / ".git")
    assert quickstate.sealed_ready(str(repo), git_dir) == marker
    assert quickstate.own_git_dir(str(repo)) == git_dir
    elsewhere = repo / "other-git-dir"
    elsewhere.mkdir()
    assert quickstate.sealed_ready(str(repo), str(elsewhere)) is None
    (repo / ".seedbed" / quickstate.READY).write_text("{}")  # not what was sealed
    assert quickstate.sealed_ready(str(repo), git_dir) is None


def test_clean_git_env_drops_the_calling_repositorys_variables() -> None:
    env = {"GIT_DIR": "/x/.git", "GIT_INDEX_FILE": "i", "GIT_AUTHOR_NAME": "a"}
    assert quickstate.clean_git_env(env) == {"GIT_AUTHOR_NAME": "a"}
    assert env["GIT_DIR"] == "/x/.git"  # a copy
