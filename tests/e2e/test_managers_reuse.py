"""A second worktree's environment is built from the first's, for every venv
manager, and is its own: interpreter paths, console scripts, sys.prefix and
the editable install all belong to the new worktree; it keeps working after
the first worktree is removed. Real uv, pip, poetry and pdm, offline."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require, seedbed, worktree_add
from tests.factories.environments import check_own_environment
from tests.factories.git import git
from tests.factories.metrics import metric_rows
from tests.factories.projects import (
    pdm_project,
    pip_project,
    poetry_project,
    uv_project,
)

MANAGERS = ("uv", "pip", "poetry", "pdm")


def make_project(kind: str, root: Path, wheelhouse: Path, index: str) -> Path:
    require("uv")
    if kind == "uv":
        return uv_project(root, wheelhouse)
    if kind == "pip":
        return pip_project(root)
    if kind == "poetry":
        require("poetry")
        return poetry_project(root, index)
    require("pdm")
    return pdm_project(root, wheelhouse)


def status(worktree: Path) -> dict:
    out = seedbed("status", "--json", cwd=worktree)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.mark.parametrize("kind", MANAGERS)
def test_second_worktree_is_built_from_the_first_and_is_its_own(
    kind: str, tmp_path: Path, offline: Path, index: str
) -> None:
    main = make_project(kind, tmp_path / "proj", offline, index)
    first = seedbed("setup", "--json", cwd=main)
    assert first.returncode == 0, first.stdout + first.stderr
    assert json.loads(first.stdout)["manager"] == kind
    assert seedbed("hooks", "install", cwd=main).returncode == 0

    feat = tmp_path / "feat ü"
    out = worktree_add(main, feat, "feat")
    assert out.returncode == 0, out.stderr
    assert status(feat)["status"] == "ready", out.stderr
    rows = [r for r in metric_rows(main) if r["worktree_path"] == str(feat)]
    assert rows[-1]["detail"].get("reused_from") == str(main), rows[-1]["detail"]
    assert rows[-1]["detail"].get("reuse") == "ok"
    check_own_environment(feat, main)

    # Still correct once the first worktree is gone (nothing pointed into it).
    other = tmp_path / "other"
    assert worktree_add(main, other, "other").returncode == 0
    check_own_environment(other, main)
    git("worktree", "remove", "--force", str(feat), cwd=main)
    check_own_environment(other, feat)
    # The manager itself accepts the environment: a no-op sync changes nothing.
    again = seedbed("setup", "--recreate", "--json", cwd=other)
    assert again.returncode == 0, again.stdout
    check_own_environment(other, main)


@pytest.mark.parametrize("kind", ("poetry", "pdm"))
def test_without_reuse_the_manager_installs_everything(
    kind: str, tmp_path: Path, offline: Path, index: str
) -> None:
    main = make_project(kind, tmp_path / "proj", offline, index)
    assert seedbed("setup", cwd=main).returncode == 0
    feat = tmp_path / "feat"
    git("worktree", "add", "-q", str(feat), "-b", "feat", cwd=main)
    env = {**os.environ, "SEEDBED_REUSE": "false"}
    out = seedbed("setup", "--json", cwd=feat, env=env)
    assert out.returncode == 0, out.stdout
    data = json.loads(out.stdout)
    assert "reused_from" not in data["detail"]
    assert any(s["name"] == f"{kind} sync" for s in data["steps"])
    check_own_environment(feat, main)


def test_a_failed_reuse_falls_back_to_the_full_install(
    tmp_path: Path, offline: Path, index: str
) -> None:
    main = make_project("pip", tmp_path / "proj", offline, index)
    assert seedbed("setup", cwd=main).returncode == 0
    # Break the sibling's set: a distribution uv cannot find anywhere.
    site = next((main / ".venv").glob("lib/python*/site-packages"))
    fake = site / "ghost_pkg-9.9.dist-info"
    fake.mkdir()
    (fake / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: ghost-pkg\nVersion: 9.9\n"
    )
    feat = tmp_path / "feat"
    git("worktree", "add", "-q", str(feat), "-b", "feat", cwd=main)
    out = seedbed("setup", "--json", cwd=feat)
    assert out.returncode == 0, out.stdout
    detail = json.loads(out.stdout)["detail"]
    assert detail["reuse"].startswith("failed"), detail
    check_own_environment(feat, main)
    probe = subprocess.run(
        [str(feat / ".venv/bin/python"), "-c", "import ghost_pkg"],
        capture_output=True,
        check=False,
    )
    assert probe.returncode != 0
