"""core/quickstate answers as core/state and core/gitfacts do, or says Unsure;
core/runsupervise writes what core/metrics would (constants kept in step)."""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path

import pytest
from seedbed.core import gitfacts, metrics, quickstate, runsupervise, state

from tests.factories.git import git


def facts(cwd: Path) -> tuple[str, str]:
    found = gitfacts.GitFacts.read(cwd)
    assert found is not None
    return str(found.root), str(found.git_dir)


def test_constants_agree_with_the_modules_they_copy() -> None:
    assert quickstate.STATE_DIR == state.STATE_DIR
    assert (quickstate.READY, quickstate.LAST) == (state.READY, state.LAST)
    assert (quickstate.LOCK, quickstate.SEAL) == (state.LOCK, state.SEAL)
    assert quickstate.CONFIG_INPUTS == state.CONFIG_INPUTS
    assert runsupervise.GIT_CONTEXT_VARIABLES == gitfacts.GIT_CONTEXT_VARIABLES
    assert runsupervise.SCHEMA_VERSION == metrics.SCHEMA_VERSION
    assert runsupervise._INSERT == metrics._INSERT
    run_id = runsupervise.run_id()
    assert len(run_id) == 32 and run_id[12] == "4" and run_id[16] in "89ab"


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


def ready_marker(root: Path) -> dict[str, object]:
    python = root / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text("")
    (root / "req.txt").write_text("x\n")
    identity = {"manager": "pip"}
    digest, _ = state.fingerprint(root, ["req.txt"], ["*.in"], identity)
    return {
        "fingerprint": digest,
        "watch": {"paths": ["req.txt"], "globs": ["*.in"]},
        "identity": identity,
        "root": str(root),
        "env_dir": ".venv",
        "python_relpath": "bin/python",
    }


def agree(root: Path) -> None:
    git_dir = str(root / ".git")
    sealed = quickstate.sealed_ready(str(root), git_dir)
    assert sealed == state.read_ready(root)
    assert quickstate.sealed(str(root), git_dir) == state.sealed(root)
    assert quickstate.state_sound(str(root)) == (state.state_problem(root) is None)
    in_sync = bool(sealed) and quickstate.in_sync(str(root), sealed or {})
    assert in_sync == state.is_in_sync(root)
    assert quickstate.is_locked(str(root)) == state.is_locked(root)


def test_readers_agree_with_core_state(repo: Path) -> None:
    agree(repo)  # nothing set up
    marker = ready_marker(repo)
    state.write_json_atomic(state.state_dir(repo) / "ready.json", marker)
    agree(repo)
    assert state.is_in_sync(repo)
    (repo / "b.in").write_text("")  # a new file the glob watches
    agree(repo)
    (repo / "b.in").unlink()
    (repo / "req.txt").write_text("y\n")  # a watched file changed
    agree(repo)
    (repo / "req.txt").write_text("x\n")
    agree(repo)
    with open(repo / ".seedbed" / "lock", "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        agree(repo)
    agree(repo)
    path = repo / ".seedbed" / "ready.json"
    path.write_text(json.dumps({**marker, "root": "/elsewhere"}))  # unsealed
    agree(repo)
    state.write_json_atomic(path, {**marker, "root": "/elsewhere"})  # moved
    agree(repo)
    os.symlink("/etc/passwd", repo / ".seedbed" / "x")
    agree(repo)
