"""Sync on change through the real git hooks: post-merge and post-rewrite
(rebase) re-sync only when the fingerprint changed; each manager's watch files
drive it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from seedbed.core import state

from tests.conftest import require, seedbed, worktree_add
from tests.factories.git import git
from tests.factories.projects import lock, pdm_project, poetry_project, uv_project


def imports(worktree: Path, module: str) -> bool:
    probe = [str(worktree / ".venv/bin/python"), "-c", f"import {module}"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0


def run_git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=False
    )
    assert out.returncode == 0, out.stderr
    return out


@pytest.fixture
def pair(tmp_path: Path, offline: Path) -> tuple[Path, Path]:
    require("uv")
    main = uv_project(tmp_path / "proj", offline)
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    feat = tmp_path / "feat"
    assert worktree_add(main, feat, "feat").returncode == 0
    assert state.is_in_sync(feat)
    return main, feat


def add_gamma(main: Path) -> None:
    pyproject = main / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('"tinybeta"', '"tinybeta", "tinygamma"')
    )
    lock(main)
    git("commit", "-qam", "add tinygamma", cwd=main)


def test_post_merge_resyncs_only_when_the_lock_changed(pair: tuple[Path, Path]) -> None:
    main, feat = pair
    (main / "README.md").write_text("docs only\n")
    git("add", "-A", cwd=main)
    git("commit", "-qm", "docs", cwd=main)
    out = run_git("merge", "-q", "--no-edit", "main", cwd=feat)
    assert "seedbed" not in out.stderr  # nothing to do, nothing said
    add_gamma(main)
    out = run_git("merge", "-q", "--no-edit", "main", cwd=feat)
    assert "ready" in out.stderr
    assert imports(feat, "tinygamma") and state.is_in_sync(feat)
    info = json.loads(seedbed("status", "--json", cwd=feat).stdout)
    assert info["status"] == "ready"


def test_post_rewrite_after_rebase_resyncs(pair: tuple[Path, Path]) -> None:
    main, feat = pair
    (feat / "notes.txt").write_text("feature work\n")
    git("add", "-A", cwd=feat)
    git("commit", "-qm", "feature", cwd=feat)
    add_gamma(main)
    out = run_git("rebase", "main", cwd=feat)
    assert "ready" in out.stderr, out.stderr
    assert imports(feat, "tinygamma") and state.is_in_sync(feat)
    # An amend is a rewrite too, but changes no watched file: silent no-op.
    out = run_git("commit", "-q", "--amend", "-m", "feature (amended)", cwd=feat)
    assert "seedbed" not in out.stderr


@pytest.mark.parametrize("kind", ["poetry", "pdm"])
def test_lock_changes_of_poetry_and_pdm_break_the_sync(
    kind: str, tmp_path: Path, offline: Path, index: str
) -> None:
    require(kind)
    require("uv")
    if kind == "poetry":
        main = poetry_project(tmp_path / "proj", index)
    else:
        main = pdm_project(tmp_path / "proj", offline)
    assert seedbed("setup", cwd=main).returncode == 0
    assert state.is_in_sync(main)
    lockfile = main / f"{kind}.lock"
    text = lockfile.read_text()
    lockfile.write_text(text + "\n")
    assert not state.is_in_sync(main)
    lockfile.write_text(text)
    assert state.is_in_sync(main)
    (main / f"{kind}.toml").write_text("")  # project-local tool config counts too
    assert not state.is_in_sync(main)
