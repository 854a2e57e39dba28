"""Issue 11, the environment's side: seedbed deletes only what it made, and an
interrupted setup always recovers. Real git, real hooks, real uv and pip."""

from __future__ import annotations

import contextlib
import http.server
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import BIN, require, seedbed, worktree_add
from tests.factories import disks
from tests.factories.disks import fill
from tests.factories.folders import tree_hash
from tests.factories.git import git
from tests.factories.projects import pip_project, uv_project
from tests.factories.seedbed import status

# --- helpers -----------------------------------------------------------------


def processes_naming(*needles: str) -> list[int]:
    """Live processes whose command line holds every needle."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            cmdline = Path(f"/proc/{entry}/cmdline").read_bytes().replace(b"\0", b" ")
            state = Path(f"/proc/{entry}/stat").read_bytes().rsplit(b")", 1)[-1]
        except OSError:
            continue
        if state.split()[0] != b"Z" and all(n.encode() in cmdline for n in needles):
            found.append(int(entry))
    return found


def wait_for(check: object, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while not check():  # type: ignore[operator]
        assert time.time() < deadline, "timed out waiting"
        time.sleep(0.02)


def has_pip(env: Path) -> bool:
    return any(env.glob("lib/python*/site-packages/pip/__init__.py"))


def start_setup(root: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [str(BIN / "seedbed"), "setup"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def pip_installer_project(root: Path) -> Path:
    """A pip project built with `python -m venv` + pip (installer = "pip")."""
    main = pip_project(root, dev_requirements=None)
    (main / ".seedbed.toml").write_text('installer = "pip"\n')
    git("add", "-A", cwd=main)
    git("commit", "-qm", "pip installs", cwd=main)
    return main


def commit_on_branch(main: Path, branch: str, files: dict[str, str]) -> None:
    git("checkout", "-q", "-b", branch, cwd=main)
    for name, text in files.items():
        (main / name).parent.mkdir(parents=True, exist_ok=True)
        (main / name).write_text(text)
    git("add", "-A", cwd=main)
    git("commit", "-qm", f"{branch}", cwd=main)
    git("checkout", "-q", "main", cwd=main)


# --- finding 1: seedbed deletes only what it made ------------------------------


def test_env_dir_naming_a_tracked_folder_never_removes_it(
    tmp_path: Path, offline: Path
) -> None:
    require("uv")
    main = pip_project(tmp_path / "proj", dev_requirements=None)
    commit_on_branch(
        main,
        "hostile",
        {".seedbed.toml": 'env_dir = "data"\n', "data/keep.txt": "precious\n"},
    )
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    wt = tmp_path / "wt"
    git("worktree", "add", "-q", str(wt), "hostile", cwd=main)  # hook runs
    assert (wt / "data" / "keep.txt").read_text() == "precious\n"
    done = seedbed("setup", cwd=wt)
    assert done.returncode == 5, done.stderr
    assert "move it away or set env_dir" in done.stderr
    assert str(wt / "data") in done.stderr
    assert (wt / "data" / "keep.txt").read_text() == "precious\n"


def test_env_dir_outside_the_worktree_changes_nothing_there(
    tmp_path: Path, offline: Path
) -> None:
    require("uv")
    outside = tmp_path / "outside"
    (outside / "sub").mkdir(parents=True)
    (outside / "sub" / "file.txt").write_text("mine\n")
    main = pip_project(tmp_path / "proj", dev_requirements=None)
    commit_on_branch(main, "abs", {".seedbed.toml": f'env_dir = "{outside}"\n'})
    commit_on_branch(main, "link", {"README.md": "x\n"})
    git("checkout", "-q", "link", cwd=main)
    (main / ".venv").symlink_to(outside)
    git("add", "-f", ".venv", cwd=main)
    git("commit", "-qm", "tracked link", cwd=main)
    git("checkout", "-q", "main", cwd=main)
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    before = tree_hash(tmp_path / "outside")
    for branch in ("abs", "link"):
        wt = tmp_path / f"wt-{branch}"
        git("worktree", "add", "-q", str(wt), branch, cwd=main)
        done = seedbed("setup", cwd=wt)
        assert done.returncode == 3, (branch, done.stderr)
        assert "env_dir" in done.stderr
        assert tree_hash(tmp_path / "outside") == before, branch
    assert (main / ".git").is_dir()


def test_a_users_own_venv_is_synced_in_place_never_replaced(
    tmp_path: Path, offline: Path
) -> None:
    uv = require("uv")
    main = uv_project(tmp_path / "proj", offline)
    subprocess.run([uv, "venv", "-q", ".venv"], cwd=main, check=True)
    (main / ".venv" / "notes.txt").write_text("my own venv\n")
    inode = (main / ".venv").stat().st_ino
    done = seedbed("setup", cwd=main)
    assert done.returncode == 0, done.stderr
    assert (main / ".venv").stat().st_ino == inode
    assert (main / ".venv" / "notes.txt").is_file()
    assert not (main / ".venv" / ".seedbed-env.json").exists()  # still theirs
    again = seedbed("setup", "--recreate", cwd=main)
    assert again.returncode == 5, again.stderr
    assert "move it away or set env_dir" in again.stderr
    assert (main / ".venv" / "notes.txt").is_file()


def test_an_environment_seedbed_made_is_marked_and_rebuilt(
    tmp_path: Path, offline: Path
) -> None:
    require("uv")
    main = uv_project(tmp_path / "proj", offline)
    assert seedbed("setup", cwd=main).returncode == 0
    assert (main / ".venv" / ".seedbed-env.json").is_file()
    done = seedbed("setup", "--recreate", cwd=main)
    assert done.returncode == 0, done.stderr
    assert (main / ".venv" / ".seedbed-env.json").is_file()


# --- finding 5: interrupted setups always recover ------------------------------


def test_a_venv_killed_before_pip_is_rebuilt_by_run(
    tmp_path: Path, offline: Path
) -> None:
    """seedbed and its `python -m venv` both die (an OOM kill, a reboot) after
    bin/python exists but before ensurepip finished."""
    main = pip_installer_project(tmp_path / "proj")
    env = main / ".venv"
    setup = start_setup(main)
    wait_for(lambda: (env / "bin" / "python").exists() or setup.poll() is not None)
    assert setup.poll() is None and not has_pip(env)
    setup.kill()
    setup.wait()
    for pid in processes_naming("-m venv", str(env)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    assert (env / "bin" / "python").exists() and not has_pip(env)
    out = seedbed("run", "--", "python", "-c", "import pip, tinybeta", cwd=main)
    assert out.returncode == 0, out.stderr
    assert status(main)["status"] == "ready"
    assert (env / ".seedbed-env.json").is_file()


def test_a_seedbed_killed_during_venv_leaves_no_second_writer(
    tmp_path: Path, offline: Path
) -> None:
    main = pip_installer_project(tmp_path / "proj")
    env = main / ".venv"
    setup = start_setup(main)
    wait_for(lambda: (env / "bin" / "python").exists() or setup.poll() is not None)
    os.kill(setup.pid, signal.SIGKILL)
    setup.wait()
    assert processes_naming("-m venv", str(env)), "the child should outlive seedbed"
    out = seedbed("setup", "--json", cwd=main)
    assert out.returncode == 0, out.stderr
    assert "stopped the leftover step" in json.loads(out.stdout)["detail"]["stopped"]
    assert processes_naming("-m venv", str(env)) == []
    run = seedbed("run", "--", "python", "-c", "import pip, tinybeta", cwd=main)
    assert run.returncode == 0, run.stderr


@contextlib.contextmanager
def stalling_index() -> Iterator[str]:
    """A find-links URL that never answers in time: pip waits on it."""

    class Stall(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            time.sleep(120)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Stall)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


def test_a_seedbed_killed_during_a_long_install_is_repaired(
    tmp_path: Path, offline: Path
) -> None:
    main = pip_installer_project(tmp_path / "proj")
    env = main / ".venv"
    with stalling_index() as url:
        slow = {**os.environ, "PIP_FIND_LINKS": url}
        setup = start_setup(main, env=slow)
        wait_for(
            lambda: (
                processes_naming("pip", "install", str(env / "bin"))
                or setup.poll() is not None
            ),
            120,
        )
        assert setup.poll() is None
        os.kill(setup.pid, signal.SIGKILL)
        setup.wait()
        assert processes_naming("pip", "install", str(env / "bin"))
        out = seedbed("setup", "--json", cwd=main)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["detail"].get("stopped")
    assert processes_naming("pip", "install", str(env / "bin")) == []
    run = seedbed("run", "--", "python", "-c", "import pip, tinybeta", cwd=main)
    assert run.returncode == 0, run.stderr


# --- finding 8: paths that can never become ready ------------------------------


@pytest.mark.parametrize("name", ["it's", "with space", "ünï-cödé"])
def test_odd_worktree_paths_become_ready(
    tmp_path: Path, offline: Path, name: str
) -> None:
    require("uv")
    main = uv_project(tmp_path / "proj", offline)
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    wt = tmp_path / name
    out = worktree_add(main, wt, "feat")
    assert out.returncode == 0, out.stderr
    assert status(wt)["status"] == "ready", out.stderr
    again = seedbed("setup", "--json", cwd=wt)
    assert again.returncode == 0 and json.loads(again.stdout)["skipped"], again


def test_a_newline_in_the_worktree_path_is_one_clear_error(
    tmp_path: Path, offline: Path
) -> None:
    require("uv")
    main = uv_project(tmp_path / "proj", offline)
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    wt = tmp_path / "new\nline"
    out = worktree_add(main, wt, "feat")
    assert out.returncode == 0  # a hook never fails the checkout
    lines = [line for line in out.stderr.splitlines() if "newline" in line]
    assert len(lines) == 1, out.stderr
    assert not (wt / ".venv").exists()
    assert not (tmp_path / "new").exists()


# --- finding 7 (setup's side): a full disk ----------------------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    with disks.small_disk(tmp_path / "disk", "48m") as disk:
        yield disk


def test_a_full_disk_is_a_failed_setup_not_a_traceback(
    small_disk: Path, offline: Path
) -> None:
    require("uv")
    main = pip_project(small_disk / "proj", dev_requirements=None)
    assert seedbed("setup", cwd=main).returncode == 0
    (main / "requirements.txt").write_text("tinybeta\ntinygamma\n")
    filler = fill(small_disk)
    # A step runs out of space: the failure says so.
    done = seedbed("setup", cwd=main)
    assert done.returncode == 5, (done.stdout, done.stderr)
    assert "disk is full" in done.stderr
    assert "Traceback" not in done.stderr
    # seedbed's own state cannot be written: the same, and no "running" left.
    for name in ("ready.json", "sync.sha256", "sync.paths"):
        (main / ".seedbed" / name).unlink(missing_ok=True)
    (main / ".git" / "seedbed-ready.sha256").unlink(missing_ok=True)
    filler.unlink()
    filler = fill(small_disk)
    done = seedbed("setup", cwd=main)
    assert done.returncode == 5, (done.stdout, done.stderr)
    assert "disk is full" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr
    assert status(main).get("status") not in ("running", "interrupted")
    filler.unlink()
    again = seedbed("setup", cwd=main)
    assert again.returncode == 0, again.stderr
    assert status(main)["status"] == "ready"
