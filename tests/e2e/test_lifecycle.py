"""Lifecycle on real repositories with several worktrees: ls, doctor, gc,
conflicts, and the editor files written during setup.

Real git, real uv (offline wheelhouse), the real `seedbed` command; a worktree
removed, one moved, one forgotten by git, and a core.hooksPath that bypasses
the installed hooks.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import STRICT, require, seedbed, worktree_add
from tests.factories.git import git
from tests.factories.projects import uv_project


def run_json(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Any:
    out = seedbed(*args, "--json", cwd=cwd, env=env)
    assert out.returncode in (0, 1), out.stderr
    return json.loads(out.stdout)


@pytest.fixture
def project(tmp_path: Path, offline: Path) -> Path:
    require("uv")
    main = uv_project(tmp_path / "main", offline)
    out = seedbed("hooks", "install", cwd=main)
    assert out.returncode == 0, out.stderr
    assert seedbed("setup", cwd=main).returncode == 0
    return main


def add(main: Path, path: Path, branch: str) -> Path:
    out = worktree_add(main, path, branch)
    assert out.returncode == 0, out.stderr
    return path


def by_path(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {row["path"]: row for row in rows}


def test_ls_doctor_conflicts_with_removed_moved_and_gone_worktrees(
    project: Path, tmp_path: Path
) -> None:
    a = add(project, tmp_path / "wt-a", "a")
    b = add(project, tmp_path / "wt-b", "b")
    c = add(project, tmp_path / "wt-c", "c")
    gone = add(project, tmp_path / "wt-gone", "gone")
    # a changes the dependencies (committed), b too (not committed yet);
    # a and c each add a Django migration to the same app.
    for tree in (a, b):
        text = (tree / "pyproject.toml").read_text()
        (tree / "pyproject.toml").write_text(text.replace("tinybeta", "tinygamma"))
    for tree, name in ((a, "0002_price.py"), (c, "0002_stock.py")):
        (tree / "shop" / "migrations").mkdir(parents=True)
        (tree / "shop" / "migrations" / name).write_text("# migration\n")
    git("add", "-A", cwd=a)
    git("commit", "-q", "-m", "deps and a migration", cwd=a)

    radar = run_json("conflicts", cwd=project)
    assert radar["base"] == "main"
    found = {(r["kind"], r["path"]): r for r in radar["conflicts"]}
    assert set(found) == {
        ("dependencies", "pyproject.toml"),
        ("django-migrations", "shop/migrations"),
    }
    deps = found[("dependencies", "pyproject.toml")]
    assert {w["path"] for w in deps["worktrees"]} == {str(a), str(b)}
    assert "one worktree own dependency changes" in deps["advice"]
    migrations = found[("django-migrations", "shop/migrations")]
    assert {w["branch"] for w in migrations["worktrees"]} == {"a", "c"}
    assert "sequential" in migrations["advice"]
    check = seedbed("conflicts", "--check", cwd=project)
    assert check.returncode == 1 and "advice:" in check.stdout

    # Removed with git, moved with git, deleted behind git's back.
    git("worktree", "remove", "--force", str(b), cwd=project)
    moved = tmp_path / "wt-c-moved"
    git("worktree", "move", str(c), str(moved), cwd=project)
    subprocess.run(["rm", "-rf", str(gone)], check=True)

    rows = by_path(run_json("ls", cwd=project)["worktrees"])
    assert str(b) not in rows and str(c) not in rows
    assert rows[str(project)]["main"] and rows[str(project)]["status"] == "ready"
    assert rows[str(a)]["status"] == "stale"  # pyproject.toml changed
    assert rows[str(moved)]["branch"] == "c"
    assert rows[str(gone)]["status"] == "gone"
    for path in (project, a, moved):
        row = rows[str(path)]
        assert row["manager"] == "uv"
        assert row["env_bytes"] > 100_000
        assert row["last_setup_at"][10] == "T"  # ISO 8601
    text = seedbed("ls", cwd=project)
    assert text.returncode == 0 and "(main)" in text.stdout

    report = run_json("doctor", cwd=project)
    findings = report["findings"]
    mine = {f["worktree"]: f for f in findings if f["worktree"]}
    assert mine[str(a)]["severity"] == "warn" and mine[str(a)]["fixable"]
    assert "git worktree prune" in mine[str(gone)]["fix"]
    assert not mine[str(gone)]["fixable"]
    moved_finding = mine[str(moved)]
    assert moved_finding["severity"] == "error", moved_finding
    assert "another path" in moved_finding["message"]
    assert moved_finding["fix"].endswith("seedbed setup --recreate")
    checks = {f["check"]: f for f in findings}
    assert checks["git"]["severity"] == "ok"
    assert checks["hooks"]["severity"] == "ok"
    assert checks["manager:uv"]["severity"] == "ok"

    # --fix applies the safe ones: the stale and the moved environments.
    fixed = run_json("doctor", "--fix", cwd=project)
    mine = {f["worktree"]: f for f in fixed["findings"] if f["worktree"]}
    assert mine[str(a)]["fixed"] is True
    assert mine[str(moved)]["fixed"] is True
    again = {f["worktree"]: f for f in run_json("doctor", cwd=project)["findings"]}
    assert again[str(a)]["severity"] == "ok"
    assert again[str(moved)]["severity"] == "ok"
    tinybeta = subprocess.run(
        [str(moved / ".venv" / "bin" / "tinybeta")], capture_output=True, text=True
    )
    assert tinybeta.returncode == 0, tinybeta.stderr


def test_gc_releases_state_and_pods_of_worktrees_git_forgot(
    project: Path, tmp_path: Path
) -> None:
    kept = add(project, tmp_path / "wt-kept", "kept")
    forgotten = add(project, tmp_path / "wt-forgotten", "forgotten")
    assert (forgotten / ".seedbed" / "ready.json").exists()
    # git forgets the worktree; its folder (with seedbed's state) stays.
    (forgotten / ".git").unlink()
    git("worktree", "prune", cwd=project)
    pod = _fake_pod(project, forgotten)

    dry = run_json("gc", "--dry-run", cwd=project)
    resources = {(a["plugin"], a["worktree"]) for a in dry["actions"]}
    assert ("seedbed", str(forgotten)) in resources
    assert (forgotten / ".seedbed").is_dir()  # a dry run changes nothing
    if pod is not None:
        assert ("pods", str(forgotten)) in resources

    done = run_json("gc", cwd=project)
    assert all(a["done"] for a in done["actions"]), done
    assert not (forgotten / ".seedbed").exists()
    assert (forgotten / ".venv").is_dir()  # the user's folder is otherwise left
    assert (kept / ".seedbed" / "ready.json").exists()
    if pod is not None:
        import docker

        with pytest.raises(docker.errors.NotFound):
            docker.from_env().containers.get(pod)
    # Metrics are kept, and gc itself is recorded.
    import sqlite3

    with sqlite3.connect(project / ".git" / "seedbed" / "metrics.db") as db:
        paths = {r[0] for r in db.execute("SELECT worktree_path FROM runs")}
        kinds = {r[0] for r in db.execute("SELECT kind FROM runs")}
    assert str(forgotten) in paths and "gc" in kinds
    # Nothing left: a second run releases nothing.
    assert [
        a for a in run_json("gc", cwd=project)["actions"] if a["plugin"] != "pods"
    ] == []


def _fake_pod(project: Path, worktree: Path) -> str | None:
    """A container labelled as a pod of worktree (created, never started), so
    gc's pod removal runs against the real engine; None without an engine."""
    try:
        import docker

        client = docker.from_env(timeout=30)
        client.ping()
        images = [t for i in client.images.list() for t in i.tags]
    except Exception as exc:  # no engine here
        if STRICT:
            pytest.fail(f"Docker engine not reachable: {exc}")
        return None
    if not images:
        return None
    from seedbed.plugins.pods import naming

    container = client.containers.create(
        images[0],
        command=["true"],
        labels={
            naming.LABEL_POD: "1",
            naming.LABEL_COMMON_DIR: str(project / ".git"),
            naming.LABEL_WORKTREE: str(worktree),
            naming.LABEL_HOST: socket.gethostname(),
        },
    )
    return str(container.id)


def test_doctor_finds_a_hooks_path_bypass_and_a_stale_baked_path(
    project: Path, tmp_path: Path
) -> None:
    manifest = project / ".git" / "seedbed" / "hooks.json"
    data = json.loads(manifest.read_text())
    data["fallback"] = str(tmp_path / "gone" / "bin" / "seedbed")
    manifest.write_text(json.dumps(data))
    # A shared hooks folder outside every worktree (one inside a worktree is
    # refused by `hooks install`: it would edit one checkout's tracked files).
    shared = tmp_path / "shared-hooks"
    git("config", "core.hooksPath", str(shared), cwd=project)

    checks = {f["check"]: f for f in run_json("doctor", cwd=project)["findings"]}
    bypass = checks["hooks-path"]
    assert bypass["severity"] == "error" and bypass["fixable"]
    assert "shared-hooks" in bypass["message"]
    assert checks["hook-fallback"]["severity"] == "warn"  # seedbed is on PATH
    out = seedbed("doctor", cwd=project)
    assert out.returncode == 1 and "seedbed doctor --fix" in out.stdout

    fixed = seedbed("doctor", "--fix", cwd=project)
    assert fixed.returncode == 0, fixed.stdout
    checks = {f["check"]: f for f in run_json("doctor", cwd=project)["findings"]}
    assert checks["hooks"]["severity"] == "ok" and "hooks-path" not in checks
    assert (shared / "post-checkout").exists()
    # The hooks in the new place prepare a new worktree again.
    fresh = add(project, tmp_path / "wt-fresh", "fresh")
    assert (fresh / ".seedbed" / "ready.json").exists()


PLUGIN = """\
import pluggy
from seedbed.core.types import Detection
from seedbed.core.types import RunCommand
hookimpl = pluggy.HookimplMarker("seedbed")

class Tiny:
    name = "tiny"
    def detect(self, workspace):
        if (workspace.root / "tiny_app.py").exists():
            return Detection("tiny", ("tiny_app.py",), target="tiny_app")
    def env(self, workspace, detection):
        return {}
    def setup_steps(self, context):
        return []
    def serve_command(self, workspace, detection, port):
        return RunCommand(("python", "tiny_app.py", "--port", str(port)),
                          {"TINY_MODE": "dev"})
    def test_command(self, workspace, detection, args):
        return RunCommand(("python", "-m", "pytest", *args))

@hookimpl
def seedbed_frameworks():
    return [Tiny()]

@hookimpl
def seedbed_run_env(workspace):
    return {"PORT": str(8100 + len(workspace.root.name))}
"""


def _port_plugin(directory: Path) -> Path:
    """A real third-party plugin, found through a dist-info's entry points."""
    directory.mkdir()
    (directory / "tiny_seedbed_plugin.py").write_text(PLUGIN)
    info = directory / "tiny_seedbed_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: tiny-seedbed-plugin\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text("[seedbed]\ntiny = tiny_seedbed_plugin\n")
    return directory


def test_setup_writes_editor_files_with_the_worktrees_port(
    project: Path, tmp_path: Path
) -> None:
    (project / "tiny_app.py").write_text("print('serving')\n")
    # The main worktree's setup wrote .vscode/ (excluded from git); the team
    # now commits a settings file of its own.
    assert (project / ".vscode" / "extensions.json").exists()
    (project / ".vscode" / "settings.json").write_text(
        '{\n    // team setting\n    "editor.tabSize": 4,\n}\n'
    )
    git("add", "-f", ".vscode/settings.json", "tiny_app.py", cwd=project)
    git("commit", "-q", "-m", "tiny app and team settings", cwd=project)
    env = {**os.environ, "PYTHONPATH": str(_port_plugin(tmp_path / "plugin"))}
    feat = tmp_path / "feature-x"
    out = subprocess.run(
        ["git", "worktree", "add", "-q", str(feat), "-b", "feat"],
        cwd=project,
        env={**env, "SEEDBED_SKIP": "1"},
        capture_output=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    setup = seedbed("setup", "--json", cwd=feat, env=env)
    assert setup.returncode == 0, setup.stderr
    steps = [s["name"] for s in json.loads(setup.stdout)["steps"]]
    assert steps[-1] == "editor files"

    from seedbed.plugins.editors import jsonc

    launch = jsonc.parse((feat / ".vscode" / "launch.json").read_text()).python()
    (config,) = launch["configurations"]
    # The worktree's PORT as every command run in it sees it (the resources
    # plugin's block when it is installed, else the test plugin's).
    probe = "import os; print(os.environ['PORT'])"
    shown = seedbed("run", "--no-sync", "--", "python", "-c", probe, cwd=feat, env=env)
    assert shown.returncode == 0, shown.stderr
    port = int(shown.stdout.strip())
    assert config["env"] == {"PORT": str(port), "TINY_MODE": "dev"}
    assert config["program"] == "${workspaceFolder}/tiny_app.py"
    assert config["args"] == ["--port", str(port)]
    # The team's tracked settings file is left byte for byte; the new files
    # are excluded, so the worktree is clean.
    settings_text = (feat / ".vscode" / "settings.json").read_text()
    assert settings_text == '{\n    // team setting\n    "editor.tabSize": 4,\n}\n'
    status = git("status", "--porcelain", "--untracked-files=all", cwd=feat)
    assert status == ""
    # Running it again changes nothing.
    again = run_json("editor", cwd=feat, env=env)
    assert {f["result"] for f in again["files"]} == {"unchanged", "tracked"}
    # Without a PORT (the plugin not loaded) there is no launch.json to write.
    other = tmp_path / "other"
    add(project, other, "other")
    assert not (other / ".vscode" / "launch.json").exists()
    assert (other / ".vscode" / "extensions.json").exists()
