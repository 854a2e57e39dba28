"""One hooks folder shared by two real repositories (core.hooksPath): hooks are
never removed while another repository still uses them; the last uninstall
restores exactly what was there; a repository that is gone is pruned."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import seedbed
from tests.factories.folders import snapshot
from tests.factories.git import git

USER_HOOK = "#!/bin/sh\necho user hook\n"


def make_repo(path: Path, hooks: Path) -> Path:
    path.mkdir()
    git("init", "-q", "-b", "main", cwd=path)
    git("commit", "-q", "--allow-empty", "-m", "init", cwd=path)
    git("config", "core.hooksPath", str(hooks), cwd=path)
    return path


def common(repo: Path) -> str:
    return git("rev-parse", "--path-format=absolute", "--git-common-dir", cwd=repo)


def run_json(*args: str, cwd: Path) -> dict[str, Any]:
    out = seedbed(*args, "--json", cwd=cwd)
    assert out.returncode == 0, out.stderr
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def hook_states(repo: Path) -> list[dict[str, Any]]:
    return list(run_json("hooks", "status", cwd=repo)["hooks"])


def test_uninstall_in_one_keeps_the_hooks_the_other_uses(tmp_path: Path) -> None:
    shared = tmp_path / "shared-hooks"
    shared.mkdir()
    (shared / "post-checkout").write_text(USER_HOOK)
    (shared / "post-checkout").chmod(0o750)
    before = snapshot(shared)
    first = make_repo(tmp_path / "first", shared)
    second = make_repo(tmp_path / "second", shared)
    run_json("hooks", "install", cwd=first)
    run_json("hooks", "install", cwd=second)

    result = run_json("hooks", "uninstall", cwd=first)
    assert result["removed"] == [] and result["kept_for"] == [common(second)]
    assert result["kept_in"] == [str(shared)]
    # The second repository's hooks are intact and still run.
    assert all(h["installed"] for h in hook_states(second))
    out = subprocess.run(
        ["git", "checkout", "-b", "switch"],
        cwd=second,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "user hook" in out.stdout + out.stderr  # seedbed's hook chains it
    assert "seedbed-managed-hook" in (shared / "post-checkout").read_text()
    # The first one's status says the truth: seedbed's hooks are there, not its.
    for hook in hook_states(first):
        assert not hook["installed"] and hook["shared"]
        assert hook["used_by"] == [common(second)]

    last = run_json("hooks", "uninstall", cwd=second)
    assert len(last["removed"]) == 3
    assert last["restored"] == [str(shared / "post-checkout")]
    assert snapshot(shared) == before  # exactly what was there, nothing more
    assert not any(h["installed"] or h["shared"] for h in hook_states(first))


def test_uninstall_text_names_the_repository_that_still_uses_them(
    tmp_path: Path,
) -> None:
    shared = tmp_path / "hooks"
    first = make_repo(tmp_path / "first", shared)
    second = make_repo(tmp_path / "second", shared)
    run_json("hooks", "install", cwd=first)
    run_json("hooks", "install", cwd=second)
    out = seedbed("hooks", "uninstall", cwd=first)
    assert out.returncode == 0, out.stderr
    assert (shared / "post-checkout").exists()
    assert "Traceback" not in out.stderr


def test_a_repository_that_is_gone_does_not_keep_the_hooks(tmp_path: Path) -> None:
    shared = tmp_path / "hooks"
    shared.mkdir()
    before = snapshot(shared)
    first = make_repo(tmp_path / "first", shared)
    second = make_repo(tmp_path / "second", shared)
    run_json("hooks", "install", cwd=first)
    run_json("hooks", "install", cwd=second)
    gone = common(second)
    shutil.rmtree(second)
    result = run_json("hooks", "uninstall", cwd=first)
    assert result["pruned"] == [gone]
    assert result["kept_for"] == [] and len(result["removed"]) == 3
    assert snapshot(shared) == before


def test_install_prunes_a_repository_that_is_gone(tmp_path: Path) -> None:
    shared = tmp_path / "hooks"
    first = make_repo(tmp_path / "first", shared)
    second = make_repo(tmp_path / "second", shared)
    run_json("hooks", "install", cwd=second)
    gone = common(second)
    shutil.rmtree(second)
    result = run_json("hooks", "install", cwd=first)
    assert result["pruned"] == [gone]
    assert [h["used_by"] for h in hook_states(first)] == [[common(first)]] * 3
