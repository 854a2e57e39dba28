"""The no-op checkout: the sh hook proves nothing changed without starting Python."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.conftest import require, seedbed, worktree_add
from tests.factories.git import git
from tests.factories.projects import uv_project
from tests.factories.seedbed import trap_seedbed


def test_unchanged_checkout_starts_no_python_and_a_change_still_syncs(
    tmp_path: Path, offline: Path
) -> None:
    require("uv")
    main = uv_project(tmp_path / "proj", offline)
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    wt = tmp_path / "wt"
    assert worktree_add(main, wt, "wt").returncode == 0
    assert (wt / ".seedbed" / "sync.sha256").exists()
    # A seedbed that fails loudly if it is ever started: the no-op must not call it.
    env = trap_seedbed(tmp_path / "trap", exit_code=1)
    out = subprocess.run(
        ["git", "checkout", "-b", "same"],
        cwd=wt,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "SEEDBED-STARTED" not in out.stderr
    # A changed lock is noticed by the same check, and the real seedbed re-syncs.
    (wt / "uv.lock").write_text((wt / "uv.lock").read_text() + "\n")
    out = subprocess.run(
        ["git", "checkout", "-b", "changed"],
        cwd=wt,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "SEEDBED-STARTED" in out.stderr
    git("checkout", "-q", "uv.lock", cwd=wt)
    # A broken environment (python gone) is noticed too.
    (wt / ".venv" / "bin" / "python").unlink()
    out = subprocess.run(
        ["git", "checkout", "same"],
        cwd=wt,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "SEEDBED-STARTED" in out.stderr
