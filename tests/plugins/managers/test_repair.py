"""Repair detection: an environment built for another path, a broken
interpreter link, an interpreter that no longer matches the request; and setup
rebuilding it (real uv)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from seedbed.plugins.managers import repair

from tests.conftest import require, seedbed
from tests.factories.environments import check_own_environment
from tests.factories.git import git
from tests.factories.metrics import metric_rows
from tests.factories.projects import uv_project


def make_venv(path: Path) -> Path:
    require("uv")
    subprocess.run(
        ["uv", "venv", "-q", str(path)],
        check=True,
        env={**os.environ, "UV_PYTHON_DOWNLOADS": "never"},
    )
    script = path / "bin" / "tool"
    script.write_text(f"#!{path}/bin/python\nprint('hi')\n")
    script.chmod(0o755)
    return path


def test_a_healthy_environment_has_no_problems(tmp_path: Path) -> None:
    env = make_venv(tmp_path / "wt" / ".venv")
    assert repair.environment_problems(tmp_path / "wt", env) == []


def test_a_copied_environment_is_built_for_another_path(tmp_path: Path) -> None:
    env = make_venv(tmp_path / "old" / ".venv")
    site = next(env.glob("lib/python*/site-packages"))
    (tmp_path / "old" / "src").mkdir()
    (site / "proj.pth").write_text(f"{tmp_path / 'old' / 'src'}\n")
    shutil.copytree(tmp_path / "old", tmp_path / "new", symlinks=True)
    found = repair.environment_problems(
        tmp_path / "new", tmp_path / "new" / ".venv", [tmp_path / "old"]
    )
    assert any("built for another path" in p for p in found), found
    assert any("activates" in p for p in found), found
    assert any("editable install" in p for p in found), found


def test_a_broken_interpreter_link_and_a_vanished_base(tmp_path: Path) -> None:
    env = make_venv(tmp_path / "wt" / ".venv")
    python = env / "bin" / "python"
    python.unlink()
    python.symlink_to(tmp_path / "no-such-python")
    cfg = env / "pyvenv.cfg"
    cfg.write_text(cfg.read_text().replace("home = ", "home = /no/such"))
    found = repair.environment_problems(tmp_path / "wt", env)
    assert any("broken link" in p for p in found)
    assert any("is gone" in p for p in found)


def test_a_shared_environment_is_a_problem(tmp_path: Path) -> None:
    env = make_venv(tmp_path / "a" / ".venv")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / ".venv").symlink_to(env)
    found = repair.environment_problems(tmp_path / "b", tmp_path / "b" / ".venv")
    assert found and "never shared" in found[0]


@pytest.fixture
def uv_main(tmp_path: Path, offline: Path) -> Path:
    require("uv")
    main = uv_project(tmp_path / "proj", offline)
    out = seedbed("setup", cwd=main)
    assert out.returncode == 0, out.stderr
    return main


def test_setup_rebuilds_a_moved_worktree(uv_main: Path, tmp_path: Path) -> None:
    feat = tmp_path / "feat"
    git("worktree", "add", "-q", str(feat), "-b", "feat", cwd=uv_main)
    assert seedbed("setup", cwd=feat).returncode == 0
    moved = tmp_path / "moved"
    git("worktree", "move", str(feat), str(moved), cwd=uv_main)
    # The marker names the old path: not in sync, so the hook would re-sync too.
    from seedbed.core import state

    assert not state.is_in_sync(moved)
    out = seedbed("setup", "--json", cwd=moved)
    assert out.returncode == 0, out.stdout
    detail = json.loads(out.stdout)["detail"]
    assert any("built for another path" in p for p in detail["repair"]), detail
    check_own_environment(moved, feat)
    rows = [r for r in metric_rows(uv_main) if r["worktree_path"] == str(moved)]
    assert rows[-1]["detail"]["repair"]


def test_setup_rebuilds_for_a_new_python_version_request(uv_main: Path) -> None:
    version = subprocess.run(
        [
            str(uv_main / ".venv/bin/python"),
            "-c",
            "import sys; print('%d.%d' % sys.version_info[:2])",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Pretend the environment was made by another interpreter version.
    cfg = uv_main / ".venv" / "pyvenv.cfg"
    cfg.write_text(
        cfg.read_text().replace(f"version_info = {version}", "version_info = 3.1")
    )
    (uv_main / ".python-version").write_text(version + "\n")
    out = seedbed("setup", "--json", cwd=uv_main)
    assert out.returncode == 0, out.stdout
    detail = json.loads(out.stdout)["detail"]
    assert any("asks for" in p for p in detail["repair"]), detail
    assert f"version_info = {version}" in cfg.read_text()


def test_recreate_forces_a_rebuild(uv_main: Path) -> None:
    marker = uv_main / ".venv" / "marker"
    marker.write_text("x")
    out = seedbed("setup", "--recreate", "--json", cwd=uv_main)
    assert out.returncode == 0
    assert not marker.exists()
