"""The pre-commit framework route: `seedbed-setup` at the post-checkout stage."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require, seedbed, worktree_add
from tests.factories.gates import PRE_COMMIT_HOME
from tests.factories.gates import hook_source as committed_hook_source
from tests.factories.git import git
from tests.factories.projects import uv_project


@pytest.fixture(scope="session")
def hook_source() -> tuple[Path, str]:
    return committed_hook_source()


def test_pre_commit_post_checkout_stage_prepares_new_worktrees(
    tmp_path: Path,
    offline: Path,
    hook_source: tuple[Path, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    require("uv")
    pre_commit = require("pre-commit")
    # pre-commit installs seedbed into its own environment from the package index.
    for name in ("PIP_NO_INDEX", "UV_NO_INDEX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PRE_COMMIT_HOME", str(PRE_COMMIT_HOME))
    source, rev = hook_source
    main = uv_project(tmp_path / "proj", offline)
    (main / ".pre-commit-config.yaml").write_text(
        f"repos:\n- repo: {source}\n  rev: {rev}\n  hooks:\n  - id: seedbed-setup\n"
    )
    git("add", "-A", cwd=main)
    git("commit", "-qm", "pre-commit", cwd=main)
    out = subprocess.run(
        [pre_commit, "install", "--hook-type", "post-checkout"],
        cwd=main,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stdout + out.stderr
    # pre-commit builds its environment for the hook on first use, inside the hook.
    wt = tmp_path / "feat"
    out = worktree_add(main, wt, "feat")
    assert out.returncode == 0, out.stdout + out.stderr
    info = json.loads(seedbed("status", "--json", cwd=wt).stdout)
    assert info["status"] == "ready", out.stdout + out.stderr
    assert info["manager"] == "uv"
    assert os.path.exists(wt / ".venv" / "bin" / "python")
