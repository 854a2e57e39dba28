"""Hook install/uninstall against real repositories and real git."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from tests.conftest import seedbed
from tests.factories.folders import snapshot
from tests.factories.git import git

USER_HOOK = (
    "#!/bin/sh\n"
    'echo user-hook-ran "$@" >> "$(git rev-parse --git-common-dir)/user.log"\n'
    "exit 3\n"
)


def hooks(repo: Path) -> Path:
    return repo / ".git" / "hooks"


def test_install_writes_three_hooks_and_is_idempotent(repo: Path) -> None:
    before = snapshot(hooks(repo))
    assert seedbed("hooks", "install", cwd=repo).returncode == 0
    first = snapshot(hooks(repo))
    assert seedbed("hooks", "install", cwd=repo).returncode == 0
    assert snapshot(hooks(repo)) == first
    for name in ("post-checkout", "post-merge", "post-rewrite"):
        path = hooks(repo) / name
        assert os.access(path, os.X_OK)
        assert "seedbed-managed-hook" in path.read_text()
        assert ".venv" not in path.read_text()
    status = json.loads(seedbed("hooks", "status", "--json", cwd=repo).stdout)
    assert all(h["installed"] for h in status["hooks"])
    assert seedbed("hooks", "uninstall", cwd=repo).returncode == 0
    assert snapshot(hooks(repo)) == before


def test_existing_hook_is_chained_and_restored_exactly(repo: Path) -> None:
    user = hooks(repo) / "post-checkout"
    user.write_text(USER_HOOK)
    user.chmod(0o750)
    other = hooks(repo) / "post-merge"
    other.symlink_to("/usr/bin/true")
    before = snapshot(hooks(repo))
    assert seedbed("hooks", "install", cwd=repo).returncode == 0
    # The user's hook still runs, with git's arguments, and its status is kept.
    out = subprocess.run(
        ["git", "checkout", "-b", "x"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode != 0  # git reports the chained hook's failure
    assert "user-hook-ran" in (repo / ".git" / "user.log").read_text()
    assert seedbed("hooks", "uninstall", cwd=repo).returncode == 0
    assert snapshot(hooks(repo)) == before


def test_core_hooks_path_is_honoured(repo: Path, tmp_path: Path) -> None:
    shared = tmp_path / "githooks"
    git("config", "core.hooksPath", str(shared), cwd=repo)
    assert seedbed("hooks", "install", cwd=repo).returncode == 0
    assert (shared / "post-checkout").exists()
    assert not (hooks(repo) / "post-checkout").exists()
    git("config", "--unset", "core.hooksPath", cwd=repo)
    status = json.loads(seedbed("hooks", "status", "--json", cwd=repo).stdout)
    assert "core.hooksPath" in status["bypassed"]


def test_hooks_directory_not_writable_changes_nothing(repo: Path) -> None:
    # /proc refuses new files even to root, which chmod alone cannot do.
    git("config", "core.hooksPath", "/proc/self", cwd=repo)
    out = seedbed("hooks", "install", cwd=repo)
    assert out.returncode == 7
    assert "not writable" in out.stderr
    assert not (repo / ".git" / "seedbed" / "hooks.json").exists()


def test_not_a_git_repository(tmp_path: Path) -> None:
    out = seedbed("hooks", "install", cwd=tmp_path)
    assert out.returncode == 4
    assert "not inside a git repository" in out.stderr
    out = seedbed("status", "--json", cwd=tmp_path)
    assert out.returncode == 4 and json.loads(out.stdout)["exit_code"] == 4


def test_hook_reports_and_exits_cleanly_when_seedbed_is_missing(repo: Path) -> None:
    assert seedbed("hooks", "install", cwd=repo).returncode == 0
    manifest = json.loads((repo / ".git" / "seedbed" / "hooks.json").read_text())
    assert manifest["hooks"]["post-checkout"]["chained"] is False
    env = {**os.environ, "PATH": "/usr/bin:/bin", "SEEDBED_BIN": "/gone/seedbed"}
    hook = hooks(repo) / "post-checkout"
    text = hook.read_text()
    hook.write_text(text.replace(manifest["fallback"] or "''", "''"))
    out = subprocess.run(
        ["git", "checkout", "-b", "y"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0
    assert "seedbed: not on PATH" in out.stderr


def test_a_hooks_path_inside_the_worktree_is_refused(repo: Path) -> None:
    git("config", "core.hooksPath", ".githooks", cwd=repo)
    out = seedbed("hooks", "install", cwd=repo)
    assert out.returncode == 7
    assert "inside the worktree" in out.stderr
    assert not (repo / ".githooks").exists()
