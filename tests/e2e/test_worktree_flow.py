"""The main job, end to end: real git hooks, real worktrees, real uv and pip."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from seedbed.core.errors import EXIT_ENVIRONMENT

from tests.conftest import require, seedbed, worktree_add
from tests.factories.git import git
from tests.factories.projects import lock, pip_project, uv_project


def ready(worktree: Path) -> dict:
    """The status object, whatever the state (exit 0 ready, 1 not ready)."""
    out = seedbed("status", "--json", cwd=worktree)
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)


def import_location(worktree: Path, module: str = "my_project") -> str:
    """Where the environment imports the project from, asked from another cwd."""
    out = subprocess.run(
        [
            str(worktree / ".venv" / "bin" / "python"),
            "-c",
            f"import {module}; print({module}.__file__)",
        ],
        cwd="/",
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


@pytest.fixture
def uv_repo(tmp_path: Path, offline: Path) -> Path:
    require("uv")
    main = uv_project(tmp_path / "proj", offline)
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    return main


def test_worktree_add_makes_a_ready_uv_environment(
    uv_repo: Path, tmp_path: Path
) -> None:
    feat = tmp_path / "proj-feat"
    out = worktree_add(uv_repo, feat, "feat")
    assert out.returncode == 0, out.stderr
    assert "ready" in out.stderr
    info = ready(feat)
    assert info["status"] == "ready"
    assert info["manager"] == "uv" and info["installer"] == "uv"
    # The editable install points at this worktree's source, not the main one's.
    assert import_location(feat).startswith(str(feat / "src"))
    # Dev group included by default; console scripts run from the new path.
    tool = subprocess.run(
        [str(feat / ".venv/bin/tinydev")], capture_output=True, text=True, check=False
    )
    assert tool.stdout.strip() == "tinydev 1.0"
    run = seedbed(
        "run", "--", "python", "-c", "import sys; print(sys.prefix)", cwd=feat
    )
    assert run.returncode == 0 and run.stdout.strip() == str(feat / ".venv")
    # .seedbed/ and .venv/ never show up as untracked files.
    assert git("status", "--porcelain", cwd=feat) == ""


def test_run_passes_the_exit_status_through(uv_repo: Path, tmp_path: Path) -> None:
    feat = tmp_path / "wt"
    assert worktree_add(uv_repo, feat, "wt").returncode == 0
    out = seedbed("run", "--", "python", "-c", "raise SystemExit(7)", cwd=feat)
    assert out.returncode == 7
    out = seedbed("run", "--", "no-such-tool-here", cwd=feat)
    assert out.returncode == 127 and "not found" in out.stderr


def test_unchanged_checkout_is_a_no_op_and_a_lock_change_resyncs(
    uv_repo: Path, tmp_path: Path
) -> None:
    feat = tmp_path / "feat"
    assert worktree_add(uv_repo, feat, "feat").returncode == 0
    first = ready(feat)["fingerprint"]
    out = subprocess.run(
        ["git", "checkout", "-b", "same-lock"],
        cwd=feat,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "seedbed" not in out.stderr  # nothing to do, nothing said
    # A branch whose lock adds a dependency re-syncs on checkout.
    pyproject = feat / "pyproject.toml"
    pyproject.write_text(
        pyproject.read_text().replace('"tinybeta"', '"tinybeta", "tinygamma"')
    )
    lock(feat)
    git("commit", "-qam", "add tinygamma", cwd=feat)
    git("checkout", "-q", "feat", cwd=feat)
    out = subprocess.run(
        ["git", "checkout", "same-lock"],
        cwd=feat,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "ready" in out.stderr
    assert ready(feat)["fingerprint"] != first
    assert _imports(feat, "tinygamma")
    # Back on the old lock: synced exactly, the extra package is gone again.
    git("checkout", "-q", "feat", cwd=feat)
    assert ready(feat)["fingerprint"] == first
    assert not _imports(feat, "tinygamma")
    rows = _metric_rows(uv_repo, "setup")
    assert [r["name"] for r in rows].count("checkout") >= 1


def test_hook_keeps_working_after_the_installing_worktree_is_removed(
    tmp_path: Path, offline: Path
) -> None:
    require("uv")
    main = uv_project(tmp_path / "proj", offline)
    first = tmp_path / "first"
    git("worktree", "add", "-q", str(first), "-b", "first", cwd=main)
    # Install the hooks from a linked worktree, then remove that worktree.
    assert seedbed("hooks", "install", cwd=first).returncode == 0
    git("worktree", "remove", "--force", str(first), cwd=main)
    second = tmp_path / "second"
    out = worktree_add(main, second, "second")
    assert out.returncode == 0, out.stderr
    assert ready(second)["status"] == "ready"


def test_pip_project_with_uv_installer_and_forced_pip(
    tmp_path: Path, offline: Path
) -> None:
    require("uv")
    main = pip_project(tmp_path / "proj")
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    auto = tmp_path / "auto"
    assert worktree_add(main, auto, "auto").returncode == 0
    info = ready(auto)
    assert (info["manager"], info["installer"]) == ("pip", "uv")
    assert import_location(auto).startswith(str(auto / "src"))
    assert import_location(auto, "tinydev")  # requirements-dev.txt installed
    # installer = "pip" forces pip itself, and that is what gets recorded.
    (main / ".seedbed.toml").write_text('installer = "pip"\n')
    git("add", ".seedbed.toml", cwd=main)
    git("commit", "-qm", "force pip", cwd=main)
    assert seedbed("trust", cwd=main).returncode == 0  # a changed config
    forced = tmp_path / "forced"
    assert worktree_add(main, forced, "forced").returncode == 0
    info = ready(forced)
    assert (info["manager"], info["installer"]) == ("pip", "pip")
    assert import_location(forced).startswith(str(forced / "src"))
    installers = {r["installer"] for r in _metric_rows(main, "setup")}
    assert installers == {"uv", "pip"}


def test_eight_concurrent_worktree_adds_are_all_ready(
    uv_repo: Path, tmp_path: Path
) -> None:
    paths = [tmp_path / f"wt {i} ü" for i in range(8)]  # spaces and non-ASCII too

    def add(i: int) -> subprocess.CompletedProcess[str]:
        return worktree_add(uv_repo, paths[i], f"team/feature-{i}")

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(add, range(8)))
    for result in results:
        assert result.returncode == 0, result.stderr
    for path in paths:
        assert ready(path)["status"] == "ready", path
        assert import_location(path).startswith(str(path / "src"))
    rows = _metric_rows(uv_repo, "setup")
    created = {r["worktree_path"] for r in rows if r["name"] == "create" and r["ok"]}
    assert created == {str(p) for p in paths}
    branches = {r["branch"] for r in rows}
    assert "team/feature-3" in branches


def test_interrupted_setup_is_never_ready_and_the_next_run_repairs_it(
    uv_repo: Path, tmp_path: Path
) -> None:
    """A third-party plugin adds a slow step; we kill seedbed in the middle of it."""
    plugin_dir = _slow_plugin(tmp_path / "plugin")
    feat = tmp_path / "feat"
    env = {**os.environ, "SEEDBED_SKIP": "1"}
    git_env = subprocess.run(
        ["git", "worktree", "add", "-q", str(feat), "-b", "feat"],
        cwd=uv_repo,
        env=env,
        check=True,
    )
    assert git_env.returncode == 0
    env = {**os.environ, "PYTHONPATH": str(plugin_dir)}
    proc = subprocess.Popen(
        [str(Path(os.environ["PATH"].split(os.pathsep)[0]) / "seedbed"), "setup"],
        cwd=feat,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    log = feat / ".seedbed" / "setup.log"
    import time

    deadline = time.time() + 120
    while time.time() < deadline:
        if log.exists() and "slow-step-marker" in log.read_text():
            break
        time.sleep(0.1)
    else:
        proc.kill()
        raise AssertionError("the slow step never started")
    proc.kill()
    proc.wait()
    subprocess.run(["pkill", "-f", "slow-step-marker"], check=False)
    info = ready(feat)
    assert info["status"] == "interrupted"
    assert not (feat / ".seedbed" / "ready.json").exists()
    out = seedbed("setup", "--json", cwd=feat)
    assert out.returncode == 0, out.stderr
    assert ready(feat)["status"] == "ready"


def _slow_plugin(directory: Path) -> Path:
    """A real third-party plugin, found through a dist-info's entry points."""
    directory.mkdir(parents=True)
    (directory / "slow_seedbed_plugin.py").write_text(
        "import pluggy\n"
        "from seedbed.core.types import Step\n"
        "hookimpl = pluggy.HookimplMarker('seedbed')\n"
        "@hookimpl\n"
        "def seedbed_setup_steps(context):\n"
        "    return [Step('slow', argv=('python3', '-c',\n"
        "        'import time; time.sleep(60)  # slow-step-marker'))]\n"
    )
    info = directory / "slow_seedbed_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: slow-seedbed-plugin\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text("[seedbed]\nslow = slow_seedbed_plugin\n")
    return directory


def _imports(worktree: Path, module: str) -> bool:
    probe = [str(worktree / ".venv/bin/python"), "-c", f"import {module}"]
    return subprocess.run(probe, capture_output=True, check=False).returncode == 0


def _metric_rows(main: Path, kind: str) -> list[dict]:
    db = main / ".git" / "seedbed" / "metrics.db"
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [
            dict(r) for r in conn.execute("SELECT * FROM runs WHERE kind = ?", (kind,))
        ]


def test_uv_project_pinning_a_missing_python_asks_uv_and_says_how(
    tmp_path: Path, offline: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pin is handed to uv's discovery before seedbed refuses; with no
    download policy nothing is downloaded and the hint names the ways."""
    require("uv")
    monkeypatch.delenv("UV_PYTHON_DOWNLOADS", raising=False)
    main = uv_project(tmp_path / "proj", offline)
    (main / ".python-version").write_text("3.99\n")
    git("add", "-A", cwd=main)
    git("commit", "-q", "-m", "pin", cwd=main)
    out = seedbed("setup", "--json", cwd=main)
    assert out.returncode == EXIT_ENVIRONMENT, out.stderr
    error = json.loads(out.stdout)
    assert "3.99" in error["error"] and ".python-version" in error["error"]
    assert "uv python install 3.99" in error["hint"]
    assert "UV_PYTHON_DOWNLOADS=automatic" in error["hint"]
    found = error["error"].split("found: ")[1].split(", ")
    assert len(found) == len(set(found))
    # the user's own policy is respected (and named) instead of forced
    env = {**os.environ, "UV_PYTHON_DOWNLOADS": "manual"}
    out = seedbed("setup", "--json", cwd=main, env=env)
    assert "'manual'" in json.loads(out.stdout)["hint"]


def test_pip_project_with_a_runtime_txt_pin(tmp_path: Path, offline: Path) -> None:
    require("uv")
    main = pip_project(tmp_path / "proj")
    version = "{}.{}".format(*sys.version_info[:2])
    (main / "runtime.txt").write_text(f"python-{version}\n")
    git("add", "-A", cwd=main)
    git("commit", "-q", "-m", "runtime", cwd=main)
    assert seedbed("setup", cwd=main).returncode == 0
    assert ready(main)["python"].startswith(version + ".")
    (main / "runtime.txt").write_text("python-3.99.1\n")
    out = seedbed("setup", "--json", cwd=main)
    assert (
        out.returncode == EXIT_ENVIRONMENT
        and "runtime.txt" in json.loads(out.stdout)["error"]
    )
