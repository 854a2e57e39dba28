"""Bad input: a clear error naming what is wrong, a documented exit code, and
nothing changed; from a git hook, one line and a checkout that still succeeds."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.conftest import require, seedbed, worktree_add
from tests.factories.git import commit_file
from tests.factories.projects import pip_project, uv_project
from tests.factories.seedbed import status


@pytest.fixture
def pip_repo(tmp_path: Path, offline: Path) -> Path:
    main = pip_project(tmp_path / "proj")
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    return main


def test_malformed_pyproject(pip_repo: Path, tmp_path: Path) -> None:
    commit_file(pip_repo, "pyproject.toml", "[project\nname = 'x'\n")
    wt = tmp_path / "wt"
    out = worktree_add(pip_repo, wt, "wt")
    assert out.returncode == 0  # the checkout itself never fails
    assert "pyproject.toml: malformed TOML" in out.stderr and "line 1" in out.stderr
    assert not (wt / ".venv").exists()
    again = seedbed("setup", cwd=wt)
    assert again.returncode == 3
    assert again.stderr.count("\n") <= 3


def test_unknown_key_in_seedbed_toml(pip_repo: Path) -> None:
    (pip_repo / ".seedbed.toml").write_text('python_version = "3.11"\n')
    out = seedbed("setup", "--json", cwd=pip_repo)
    assert out.returncode == 3
    error = json.loads(out.stdout)
    assert ".seedbed.toml" in error["error"] and "'python_version'" in error["error"]
    assert not (pip_repo / ".venv").exists()


def test_unknown_manager_lists_known(pip_repo: Path) -> None:
    (pip_repo / ".seedbed.toml").write_text('manager = "hatch"\n')
    out = seedbed("setup", cwd=pip_repo)
    assert out.returncode == 3
    assert "unknown manager 'hatch'" in out.stderr
    assert "pip" in out.stderr and "uv" in out.stderr


def test_unresolvable_requirement_shows_the_managers_message(
    pip_repo: Path, tmp_path: Path
) -> None:
    commit_file(pip_repo, "requirements.txt", "no-such-package-seedbed-test==1.0\n")
    wt = tmp_path / "wt"
    out = worktree_add(pip_repo, wt, "wt")
    assert out.returncode == 0
    assert "setup failed" in out.stderr
    info = status(wt)
    assert info["status"] == "failed"
    assert not (wt / ".seedbed" / "ready.json").exists()
    again = seedbed("setup", cwd=wt)
    assert again.returncode == 5
    assert "no-such-package-seedbed-test" in again.stderr
    assert "retry with `seedbed setup`" in again.stderr


def test_no_interpreter_for_the_requested_python(pip_repo: Path) -> None:
    (pip_repo / ".python-version").write_text("3.99\n")
    out = seedbed("setup", cwd=pip_repo)
    assert out.returncode == 6
    assert "no interpreter for Python 3.99" in out.stderr and "found:" in out.stderr
    assert not (pip_repo / ".venv").exists()


def test_precedence_and_override(tmp_path: Path, offline: Path) -> None:
    require("uv")
    main = uv_project(tmp_path / "proj", offline)
    commit_file(main, "requirements.txt", "tinyalpha\n")
    out = seedbed("setup", "--json", cwd=main)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["manager"] == "uv"  # a lock beats requirements
    commit_file(main, ".seedbed.toml", 'manager = "pip"\n')
    out = seedbed("setup", "--json", cwd=main)
    assert json.loads(out.stdout)["manager"] == "pip"


def test_background_setup_logs_and_reports(pip_repo: Path, tmp_path: Path) -> None:
    commit_file(pip_repo, ".seedbed.toml", "background = true\n")
    assert seedbed("trust", cwd=pip_repo).returncode == 0  # a changed config
    wt = tmp_path / "bg"
    out = worktree_add(pip_repo, wt, "bg")
    assert out.returncode == 0 and "background" in out.stderr
    deadline = time.time() + 120
    while status(wt)["status"] not in ("ready", "failed") and time.time() < deadline:
        time.sleep(0.2)
    assert status(wt)["status"] == "ready"
    assert (wt / ".seedbed" / "setup.log").exists()
    # A failing background setup is visible in `seedbed status`.
    commit_file(pip_repo, "requirements.txt", "no-such-package-seedbed-test==1.0\n")
    wt2 = tmp_path / "bg2"
    assert worktree_add(pip_repo, wt2, "bg2").returncode == 0
    deadline = time.time() + 120
    while status(wt2)["status"] not in ("ready", "failed") and time.time() < deadline:
        time.sleep(0.2)
    info = status(wt2)
    assert info["status"] == "failed" and "pip install" in info["last_error"]


def test_one_real_package_from_the_index(tmp_path: Path) -> None:
    """Not offline: a small real package through the machine's package index."""
    require("uv")
    main = pip_project(
        tmp_path / "proj", requirements="six\n", dev_requirements=None, package=False
    )
    out = seedbed("setup", "--json", cwd=main)
    assert out.returncode == 0, out.stdout + out.stderr
    check = seedbed("run", "--", "python", "-c", "import six", cwd=main)
    assert check.returncode == 0
