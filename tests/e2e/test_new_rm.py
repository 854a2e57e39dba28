"""`seedbed new` and `seedbed rm` on real repositories (real git, real uv from
the offline wheelhouse, real processes), the port block across `git worktree
move`, `--worktree`-style names, and `ls`/`conflicts` outside a repository.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import require, seedbed
from tests.factories.git import git
from tests.factories.projects import uv_project

CONFIG = """\
[resources]
provision = "always"

[lifecycle]
worktree_path = "../trees/{repo}-{branch}"
"""


@pytest.fixture
def project(tmp_path: Path, offline: Path) -> Path:
    require("uv")
    main = uv_project(tmp_path / "proj", offline)
    (main / ".seedbed.toml").write_text(CONFIG)
    git("add", "-A", cwd=main)
    git("commit", "-q", "-m", "seedbed config", cwd=main)
    out = seedbed("hooks", "install", cwd=main)
    assert out.returncode == 0, out.stderr
    return main


def registry() -> dict[str, Any]:
    import os

    path = Path(os.environ["SEEDBED_HOME"]) / "ports.json"
    return json.loads(path.read_text())["blocks"] if path.exists() else {}


def setups(main: Path) -> list[dict[str, Any]]:
    out = seedbed("metrics", "--kind", "setup", "--json", cwd=main)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    return list(data["runs"] if isinstance(data, dict) else data)


def test_new_creates_sets_up_once_and_prints_the_path(project: Path) -> None:
    out = seedbed("new", "feat/login", cwd=project)
    assert out.returncode == 0, out.stderr
    path = project.parent / "trees" / "proj-feat-login"
    # stdout is the path alone (cd "$(seedbed new x)"); progress is on stderr.
    assert out.stdout == f"{path}\n"
    assert "creating" in out.stderr and "ready" in out.stderr
    assert (path / ".seedbed" / "ready.json").is_file()
    assert git("branch", "--show-current", cwd=path) == "feat/login"
    # The hook stood aside: one setup for the new worktree, not two.
    mine = [row for row in setups(project) if str(path) in json.dumps(row)]
    assert len(mine) == 1, mine
    # JSON: one object; an existing branch is checked out, not re-created.
    git("branch", "other", cwd=project)
    out = seedbed("new", "other", "--json", cwd=project)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["ready"] is True and data["created_branch"] is False
    assert data["path"] == str(project.parent / "trees" / "proj-other")
    assert data["branch"] == "other" and isinstance(data["setup"], dict)


def test_new_without_hooks_runs_the_setup_itself(project: Path, tmp_path: Path) -> None:
    assert seedbed("hooks", "uninstall", cwd=project).returncode == 0
    where = tmp_path / "elsewhere"
    out = seedbed("new", "nohooks", "--path", str(where), "--base", "main", cwd=project)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(where)
    assert (where / ".seedbed" / "ready.json").is_file()
    # A path already taken is refused before git runs.
    again = seedbed("new", "x2", "--path", str(where), cwd=project)
    assert again.returncode == 1 and "already exists" in again.stderr
    assert "x2" not in git("branch", "--list", cwd=project)


def test_rm_refuses_changes_then_stops_releases_and_removes(project: Path) -> None:
    out = seedbed("new", "gone-soon", cwd=project)
    assert out.returncode == 0, out.stderr
    tree = Path(out.stdout.strip())
    assert any(b["worktree"] == str(tree) for b in registry().values())
    # A dev server recorded the way `seedbed serve` records itself.
    server = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from seedbed.core.serving import serving\n"
            "with serving(Path(sys.argv[1])):\n"
            "    print('up', flush=True); time.sleep(600)\n",
            str(tree),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None and server.stdout.readline() == "up\n"
    (tree / "notes.txt").write_text("unsaved work\n")
    refused = seedbed("rm", "gone-soon", cwd=project)
    assert refused.returncode == 1
    assert "uncommitted changes" in refused.stderr and "notes.txt" in refused.stderr
    assert "Traceback" not in refused.stderr
    # Nothing changed: the folder, its port block and the server are all there.
    assert tree.is_dir() and server.poll() is None
    assert any(b["worktree"] == str(tree) for b in registry().values())
    # By folder name, --force, --json, --delete-branch.
    out = seedbed("rm", tree.name, "--force", "--delete-branch", "--json", cwd=project)
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["removed"] is True and data["branch_deleted"] is True
    assert data["stopped_pids"] == [server.pid]
    assert server.wait(timeout=10) != 0
    assert not tree.exists()
    assert not any(b["worktree"] == str(tree) for b in registry().values())
    assert "gone-soon" not in git("branch", "--list", cwd=project)
    assert [r["resource"] for r in data["released"] if r["worktree"] == str(tree)]


def test_rm_in_the_worktree_itself_and_of_the_main_one(project: Path) -> None:
    tree = Path(seedbed("new", "here", cwd=project).stdout.strip())
    main_refused = seedbed("rm", str(project), cwd=tree)
    assert main_refused.returncode == 1 and "main worktree" in main_refused.stderr
    out = seedbed("rm", cwd=tree)  # no argument: the worktree it runs in
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(tree) and not tree.exists()
    assert "here" in git("branch", "--list", cwd=project)  # kept by default
    missing = seedbed("rm", "nosuch", cwd=project)
    assert missing.returncode == 10 and "nosuch" in missing.stderr


def test_a_moved_worktree_keeps_its_port(project: Path, tmp_path: Path) -> None:
    tree = Path(seedbed("new", "mover", cwd=project).stdout.strip())
    before = json.loads(seedbed("ls", "--json", cwd=project).stdout)
    port = {r["path"]: r["port"] for r in before["worktrees"]}[str(tree)]
    assert isinstance(port, int)
    moved = tmp_path / "moved-here"
    git("worktree", "move", str(tree), str(moved), cwd=project)
    out = seedbed("setup", cwd=moved)
    assert out.returncode == 0, out.stderr
    after = json.loads(seedbed("ls", "--json", cwd=project).stdout)
    assert {r["path"]: r["port"] for r in after["worktrees"]}[str(moved)] == port
    assert seedbed("gc", cwd=project).returncode == 0
    assert any(b["worktree"] == str(moved) for b in registry().values())
    assert f"PORT={port}" in (moved / ".env").read_text()


@pytest.mark.parametrize("command", ["ls", "conflicts"])
def test_outside_a_repository_exit_4_without_traceback(
    command: str, tmp_path: Path
) -> None:
    for extra in ((), ("--json",)):
        out = seedbed(command, *extra, cwd=tmp_path)
        assert out.returncode == 4, out.stderr
        assert "Traceback" not in out.stderr and "GitCommand" not in out.stderr
        assert "not inside a git repository" in (out.stderr + out.stdout)
    start = time.monotonic()
    assert time.monotonic() - start < 60
