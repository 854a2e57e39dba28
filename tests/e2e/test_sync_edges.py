"""Edges where a stale or foreign environment could pass for ready."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import time
from pathlib import Path

from seedbed.core import state

from tests.conftest import require, seedbed, worktree_add
from tests.factories.git import git
from tests.factories.projects import lock, pip_project
from tests.factories.seedbed import status


def test_a_project_that_moves_from_pip_to_uv_is_not_in_sync(
    tmp_path: Path, offline: Path
) -> None:
    require("uv")
    main = pip_project(tmp_path / "proj", dev_requirements=None)
    assert seedbed("setup", cwd=main).returncode == 0
    pyproject = main / "pyproject.toml"
    text = pyproject.read_text().replace(
        "dependencies = []", 'dependencies = ["tinyalpha"]'
    )
    pyproject.write_text(text + f"\n[tool.uv]\nfind-links = [{str(offline)!r}]\n")
    lock(main)
    out = seedbed("setup", "--json", cwd=main)
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["manager"] == "uv" and not result["skipped"]


def test_changed_settings_from_the_environment_resync(
    tmp_path: Path, offline: Path
) -> None:
    require("uv")
    main = pip_project(tmp_path / "proj")
    env = {**os.environ, "SEEDBED_DEV": "0"}
    assert seedbed("setup", cwd=main, env=env).returncode == 0
    probe = [str(main / ".venv/bin/python"), "-c", "import tinydev"]
    assert subprocess.run(probe, capture_output=True, check=False).returncode != 0
    out = seedbed("setup", "--json", cwd=main)
    assert json.loads(out.stdout)["skipped"] is False
    assert subprocess.run(probe, capture_output=True, check=False).returncode == 0


def test_a_failing_worktreeinclude_copy_fails_the_setup(
    tmp_path: Path, offline: Path
) -> None:
    require("uv")
    main = pip_project(tmp_path / "proj")
    (main / ".gitignore").write_text("conf/\n")
    (main / ".worktreeinclude").write_text("conf/\n")
    git("add", "-A", cwd=main)
    git("commit", "-qm", "include", cwd=main)
    (main / "conf").mkdir()
    (main / "conf" / "secret.toml").write_text("x = 1\n")
    wt = tmp_path / "wt"
    git_env = {**os.environ, "SEEDBED_SKIP": "1"}
    subprocess.run(
        ["git", "worktree", "add", "-q", str(wt), "-b", "wt"],
        cwd=main,
        env=git_env,
        check=True,
    )
    (wt / "conf").write_text("a file where the folder must go\n")
    out = seedbed("setup", cwd=wt)
    assert out.returncode != 0
    assert "worktreeinclude" in out.stderr
    assert status(wt)["status"] == "failed"


def test_background_setup_never_runs_the_projects_own_core_package(
    tmp_path: Path, offline: Path
) -> None:
    require("uv")
    main = pip_project(tmp_path / "proj")
    (main / "core").mkdir()
    trap = tmp_path / "project-core-ran"
    (main / "core" / "__init__.py").write_text("")
    (main / "core" / "__main__.py").write_text(
        f"open({str(trap)!r}, 'w').write('ran')\n"
    )
    (main / ".seedbed.toml").write_text("background = true\n")
    git("add", "-A", cwd=main)
    git("commit", "-qm", "a core package of its own", cwd=main)
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    wt = tmp_path / "wt"
    assert worktree_add(main, wt, "wt").returncode == 0
    deadline = time.time() + 120
    while status(wt)["status"] not in ("ready", "failed") and time.time() < deadline:
        time.sleep(0.2)
    assert status(wt)["status"] == "ready"
    assert not trap.exists()


def test_a_moved_worktree_is_not_trusted_by_the_hook(
    tmp_path: Path, offline: Path
) -> None:
    require("uv")
    main = pip_project(tmp_path / "proj")
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    first = tmp_path / "first"
    assert worktree_add(main, first, "first").returncode == 0
    moved = tmp_path / "moved"
    git("worktree", "move", str(first), str(moved), cwd=main)
    # The old place is taken again, so the old absolute python path exists.
    assert worktree_add(main, first, "again").returncode == 0
    out = subprocess.run(
        ["git", "checkout", "-b", "switch"],
        cwd=moved,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "ready" in out.stderr  # rebuilt for its new place
    assert status(moved)["status"] == "ready"
    prefix = subprocess.run(
        [str(moved / ".venv/bin/python"), "-c", "import sys; print(sys.prefix)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert prefix == str(moved / ".venv")


def test_glob_characters_in_the_worktree_path(tmp_path: Path, offline: Path) -> None:
    require("uv")
    main = pip_project(tmp_path / "w[1]")
    (tmp_path / "w1").mkdir()
    (tmp_path / "w1" / "requirements-x.txt").write_text("nothing\n")
    digest, files = state.fingerprint(main, [], ["requirements*.txt"], {})
    assert "requirements.txt" in files
    assert not any(name.startswith("..") for name in files)
    assert digest


def test_run_keeps_the_setup_exit_code(tmp_path: Path, offline: Path) -> None:
    main = pip_project(tmp_path / "proj")
    (main / ".python-version").write_text("3.99\n")
    out = seedbed("run", "--json", "--", "true", cwd=main)
    assert out.returncode == 6
    assert json.loads(out.stdout)["exit_code"] == 6


def test_json_errors_for_a_newer_store_and_for_usage(repo: Path) -> None:
    db = repo / ".git" / "seedbed" / "metrics.db"
    db.parent.mkdir(parents=True)
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE schema_version (version INTEGER)")
        conn.execute("INSERT INTO schema_version VALUES (99)")
    out = seedbed("metrics", "--json", cwd=repo)
    assert out.returncode == 6
    assert "newer" in json.loads(out.stdout)["error"]
    out = seedbed("metrics", "--kind", "bogus", "--json", cwd=repo)
    assert out.returncode == 2
    assert json.loads(out.stdout)["exit_code"] == 2


def test_run_json_summary_is_stdout_and_the_command_goes_to_stderr(
    tmp_path: Path, offline: Path
) -> None:
    require("uv")
    main = pip_project(tmp_path / "proj")
    out = seedbed("run", "--json", "--", "python", "-c", "print('hello')", cwd=main)
    assert out.returncode == 0
    assert "hello\n" in out.stderr
    assert json.loads(out.stdout)["exit_code"] == 0
