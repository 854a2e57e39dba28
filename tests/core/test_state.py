"""core.state on its own: the fingerprint, the sealed ready marker, the fast
path's in-sync check (driven by what the marker says), and the worktree lock."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from seedbed.core import state
from seedbed.core.errors import SetupError

from tests.factories.git import git


def mark_ready(root: Path, paths: tuple[str, ...], globs: tuple[str, ...] = ()) -> None:
    """A marker as setup writes it, for an environment whose python exists."""
    python = root / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True, exist_ok=True)
    python.write_text("")
    identity = {"manager": "m", "python": "3.12.1"}
    value, _ = state.fingerprint(root, paths, globs, identity)
    data: dict[str, Any] = {
        "fingerprint": value,
        "identity": identity,
        "watch": {"paths": list(paths), "globs": list(globs)},
        "root": str(root),
        "env_dir": ".venv",
        "python_relpath": "bin/python",
    }
    state.write_json_atomic(root / ".seedbed" / state.READY, data)


def test_fingerprint_counts_absence_globs_and_identity(tmp_path: Path) -> None:
    first, files = state.fingerprint(tmp_path, ["a.lock"], [], {"k": "v"})
    assert files["a.lock"] is None and "pyproject.toml" in files
    (tmp_path / "a.lock").write_text("1")
    second, _ = state.fingerprint(tmp_path, ["a.lock"], [], {"k": "v"})
    assert second != first
    assert state.fingerprint(tmp_path, ["a.lock"], [], {"k": "w"})[0] != second
    (tmp_path / "req-x.txt").write_text("x")
    globbed, files = state.fingerprint(tmp_path, ["a.lock"], ["req-*.txt"], {})
    assert "req-x.txt" in files
    assert globbed != state.fingerprint(tmp_path, ["a.lock"], [], {})[0]


def test_the_marker_counts_only_with_its_seal(repo: Path) -> None:
    mark_ready(repo, ("x.lock",))
    assert state.read_ready(repo) is not None
    assert state.is_in_sync(repo)
    marker = repo / ".seedbed" / state.READY
    marker.write_text(marker.read_text().replace('"m"', '"n"'))  # forged
    assert state.read_ready(repo) is None and not state.is_in_sync(repo)
    state.clear_ready(repo)
    assert not marker.exists() and not (repo / ".git" / state.SEAL).exists()


def test_in_sync_rehashes_what_the_marker_watches(repo: Path) -> None:
    mark_ready(repo, ("pyproject.toml", "third-party.lock"))
    (repo / "unwatched.lock").write_text("x")
    assert state.is_in_sync(repo)  # not in the marker's list: not watched
    (repo / "third-party.lock").write_text("appeared")
    assert not state.is_in_sync(repo)  # a watched lock appearing re-syncs
    (repo / "third-party.lock").unlink()
    assert state.is_in_sync(repo)
    (repo / ".seedbed.toml").write_text("dev = false\n")  # a core input, always
    assert not state.is_in_sync(repo)


def test_in_sync_needs_the_same_root_and_the_interpreter(
    repo: Path, tmp_path: Path
) -> None:
    mark_ready(repo, ())
    assert state.is_in_sync(repo)
    (repo / ".venv" / "bin" / "python").unlink()
    assert not state.is_in_sync(repo)
    mark_ready(repo, ())
    moved = tmp_path / "moved"
    git("worktree", "add", "-q", str(moved), "-b", "other", cwd=repo)
    marker = (repo / ".seedbed" / state.READY).read_text()
    (moved / ".seedbed").mkdir()
    (moved / ".seedbed" / state.READY).write_text(marker)
    assert not state.is_in_sync(moved)  # unsealed there, and for another root


def test_worktree_lock_is_exclusive_and_can_refuse_at_once(repo: Path) -> None:
    assert not state.is_locked(repo)
    with state.worktree_lock(repo):
        assert state.is_locked(repo)
        with pytest.raises(state.Locked), state.worktree_lock(repo, wait=False):
            pass
    assert not state.is_locked(repo)


def test_state_folder_must_be_a_plain_folder(repo: Path, tmp_path: Path) -> None:
    os.symlink(tmp_path, repo / ".seedbed")
    with pytest.raises(SetupError, match="is a symlink"):
        state.state_dir(repo)
    assert not state.is_in_sync(repo)
