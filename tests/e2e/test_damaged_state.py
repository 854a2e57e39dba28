"""Damaged or hostile state: a clear one-line error naming the file, the
documented exit code (3: damaged state, 5: setup failed), never a traceback;
`seedbed doctor --fix` moves the damaged file aside and says so; a `.seedbed`
a branch brings is never written through nor trusted as a ready marker."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import seedbed, worktree_add
from tests.factories.disks import fill, small_disk
from tests.factories.folders import tree_hash
from tests.factories.git import git
from tests.factories.projects import pip_project
from tests.factories.seedbed import trap_seedbed

READY_SHAPES = ("[]", '{"fingerprint": 5, "watch": "x"}', "{not json")


def check_error(
    out: subprocess.CompletedProcess[str], code: int, *needles: str
) -> None:
    """The documented exit code, one error line (plus its hint), no traceback."""
    assert out.returncode == code, (out.returncode, out.stdout, out.stderr)
    assert "Traceback" not in out.stdout + out.stderr
    lines = [
        line
        for line in out.stderr.strip().splitlines()
        if not line.startswith("seedbed: warning:")
    ]
    errors = [line for line in lines if line.startswith("seedbed: error:")]
    assert len(errors) == 1 and len(lines) <= 2, out.stderr
    for needle in needles:
        assert needle in errors[0], (needle, errors[0])


def check_json_error(
    out: subprocess.CompletedProcess[str], code: int, name: str
) -> None:
    assert out.returncode == code, (out.stdout, out.stderr)
    assert "Traceback" not in out.stdout + out.stderr
    error = json.loads(out.stdout)
    assert isinstance(error, dict) and error["exit_code"] == code
    assert name in error["error"] and "seedbed doctor --fix" in error["hint"]


def state(root: Path) -> Path:
    folder = root / ".seedbed"
    folder.mkdir(exist_ok=True)
    return folder


# ---------------------------------------------------------------------------
# ready.json and last.json
# ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", READY_SHAPES)
def test_status_on_a_wrongly_typed_ready_marker(repo: Path, text: str) -> None:
    (state(repo) / "ready.json").write_text(text)
    check_error(seedbed("status", cwd=repo), 3, "ready.json", "damaged")
    check_json_error(seedbed("status", "--json", cwd=repo), 3, "ready.json")


@pytest.mark.parametrize("text", READY_SHAPES)
def test_the_hook_fast_path_treats_a_damaged_marker_as_not_ready(
    repo: Path, text: str
) -> None:
    (state(repo) / "ready.json").write_text(text)
    code = (
        "import sys; from pathlib import Path; from core import state; "
        "print(state.is_in_sync(Path(sys.argv[1])))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(repo)], capture_output=True, text=True
    )
    assert out.stdout.strip() == "False", out.stderr
    hook = seedbed("hook", "post-checkout", "a" * 40, "b" * 40, "1", cwd=repo)
    assert hook.returncode == 0 and "Traceback" not in hook.stderr


def test_ls_and_status_on_a_bad_last_attempt(repo: Path) -> None:
    (state(repo) / "last.json").write_text('{"status": 5, "finished_at": "x"}')
    out = seedbed("ls", cwd=repo)
    check_error(out, 3, "last.json", "seedbed doctor --fix")
    assert "damaged" in out.stdout  # the listing itself is still shown
    listed = seedbed("ls", "--json", cwd=repo)
    assert listed.returncode == 3 and "Traceback" not in listed.stderr
    data = json.loads(listed.stdout)
    assert data["worktrees"][0]["status"] == "damaged"
    assert "last.json" in data["damaged"][0]["error"]
    check_error(seedbed("status", cwd=repo), 3, "last.json")
    check_json_error(seedbed("status", "--json", cwd=repo), 3, "last.json")


def test_doctor_fix_moves_damaged_state_aside(repo: Path) -> None:
    (state(repo) / "ready.json").write_text("[]")
    (state(repo) / "last.json").write_text("{oops")
    found = seedbed("doctor", "--json", cwd=repo)
    assert "Traceback" not in found.stderr
    checks = [f for f in json.loads(found.stdout)["findings"] if f["check"] == "state"]
    assert len(checks) == 2 and all(f["fixable"] for f in checks)
    fixed = seedbed("doctor", "--fix", "--json", cwd=repo)
    assert "Traceback" not in fixed.stderr
    done = [f for f in json.loads(fixed.stdout)["findings"] if f["check"] == "state"]
    assert all(f["fixed"] and "moved" in f["did"] for f in done), done
    names = sorted(p.name for p in (repo / ".seedbed").iterdir())
    assert names[0].startswith("last.json.damaged-")
    assert names[1].startswith("ready.json.damaged-")
    # missing: not ready (exit 1), no longer damaged (exit 3)
    assert seedbed("status", cwd=repo).returncode == 1


# ---------------------------------------------------------------------------
# The metrics store and the port registry
# ---------------------------------------------------------------------------


def junk_store(repo: Path) -> Path:
    store = repo / ".git" / "seedbed" / "metrics.db"
    store.parent.mkdir(parents=True, exist_ok=True)
    store.write_text("this is not a database\n" * 50)
    return store


def test_metrics_on_a_store_that_is_not_a_database(repo: Path) -> None:
    junk_store(repo)
    check_error(seedbed("metrics", cwd=repo), 3, "metrics.db")
    check_json_error(seedbed("metrics", "--json", cwd=repo), 3, "metrics.db")
    text = seedbed("doctor", "--fix", cwd=repo)
    assert "Traceback" not in text.stderr
    assert "moved" in text.stdout and "metrics.db.damaged-" in text.stdout
    assert seedbed("metrics", cwd=repo).returncode == 0


def test_setup_records_nothing_into_a_junk_store_and_still_succeeds(
    tmp_path: Path, offline: Path
) -> None:
    main = pip_project(tmp_path / "proj")
    store = junk_store(main)
    out = seedbed("setup", cwd=main)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    warning = [line for line in out.stderr.splitlines() if "metrics" in line]
    assert warning and "metrics.db" in warning[0] and "warning" in warning[0]
    assert store.read_text().startswith("this is not a database")


def bad_ports(entry: object) -> Path:
    registry = Path(os.environ["SEEDBED_HOME"]) / "ports.json"
    registry.parent.mkdir(parents=True, exist_ok=True)
    good = {"start": 8000, "size": 10, "worktree": "/somewhere"}
    registry.write_text(
        json.dumps({"version": 1, "blocks": {"/x": entry, "/somewhere": good}})
    )
    return registry


@pytest.mark.parametrize("entry", [{"start": "a"}, [1, 2], {"start": 8010}])
def test_ports_and_gc_on_a_bad_registry_entry(repo: Path, entry: object) -> None:
    registry = bad_ports(entry)
    check_error(seedbed("ports", cwd=repo), 3, "ports.json")
    check_json_error(seedbed("ports", "--json", cwd=repo), 3, "ports.json")
    check_error(seedbed("gc", "--dry-run", cwd=repo), 3, "ports.json")
    check_json_error(seedbed("gc", "--dry-run", "--json", cwd=repo), 3, "ports.json")
    fixed = seedbed("doctor", "--fix", "--json", cwd=repo)
    ports = [f for f in json.loads(fixed.stdout)["findings"] if f["check"] == "ports"]
    assert ports[0]["fixed"] and "dropped 1" in ports[0]["did"]
    assert list(json.loads(registry.read_text())["blocks"]) == ["/somewhere"]
    assert seedbed("ports", cwd=repo).returncode == 0


def test_a_registry_that_is_not_json_is_moved_aside(repo: Path) -> None:
    registry = bad_ports({})
    registry.write_text("{")
    check_error(seedbed("ports", cwd=repo), 3, "ports.json")
    fixed = seedbed("doctor", "--fix", cwd=repo)
    assert "ports.json.damaged-" in fixed.stdout
    assert not registry.exists()
    assert seedbed("ports", cwd=repo).returncode == 0


# ---------------------------------------------------------------------------
# A .seedbed a branch brings
# ---------------------------------------------------------------------------


def test_a_seedbed_symlink_is_never_written_through(
    tmp_path: Path, offline: Path
) -> None:
    main = pip_project(tmp_path / "proj")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("mine\n")
    before = tree_hash(outside)
    (main / ".seedbed").symlink_to(outside)
    out = seedbed("setup", cwd=main)
    check_error(out, 5, ".seedbed", "symlink")
    check_error(seedbed("status", cwd=main), 3, ".seedbed", "symlink")
    assert tree_hash(outside) == before
    fixed = seedbed("doctor", "--fix", cwd=main)
    assert "moved" in fixed.stdout and ".seedbed.damaged-" in fixed.stdout
    assert tree_hash(outside) == before and not (main / ".seedbed").exists()
    assert seedbed("setup", cwd=main).returncode == 0


def test_a_symlinked_log_in_the_state_folder_is_refused(
    tmp_path: Path, offline: Path
) -> None:
    main = pip_project(tmp_path / "proj")
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n")
    (state(main) / "setup.log").symlink_to(victim)
    check_error(seedbed("setup", cwd=main), 5, "setup.log", "symlink")
    assert victim.read_text() == "precious\n"


def test_a_branch_with_a_seedbed_symlink_changes_nothing_outside(
    tmp_path: Path, offline: Path
) -> None:
    main = pip_project(tmp_path / "proj")
    outside = tmp_path / "outside"
    outside.mkdir()
    before = tree_hash(outside)
    git("checkout", "-q", "-b", "evil", cwd=main)
    (main / ".seedbed").symlink_to(outside)
    git("add", "-f", ".seedbed", cwd=main)
    git("commit", "-qm", "state elsewhere", cwd=main)
    git("checkout", "-q", "main", cwd=main)
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    wt = tmp_path / "wt"
    out = subprocess.run(
        ["git", "worktree", "add", str(wt), "evil"],
        cwd=main,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr  # the checkout never fails
    assert ".seedbed" in out.stderr and "Traceback" not in out.stderr
    assert tree_hash(outside) == before
    assert (wt / ".seedbed").is_symlink()


def test_a_committed_ready_marker_is_not_trusted(tmp_path: Path, offline: Path) -> None:
    """A marker with the right fingerprint and this worktree's root, which a
    branch can forge, does not skip the setup: only the seal in the git dir
    (which no checkout writes) makes it count."""
    main = pip_project(tmp_path / "proj")
    assert seedbed("setup", cwd=main).returncode == 0
    real = json.loads((main / ".seedbed" / "ready.json").read_text())
    wt = tmp_path / "wt"
    assert worktree_add(main, wt, "wt", "--no-checkout").returncode == 0
    git("checkout", "-q", "wt", cwd=wt)
    forged = {**real, "root": str(wt), "finished_at": 1.0}
    (wt / ".venv" / "bin").mkdir(parents=True)
    (wt / ".venv" / "bin" / "python").write_text("#!/bin/sh\n")
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    from seedbed.core import state as core_state

    forged["fingerprint"], _ = core_state.fingerprint(
        wt, real["watch"]["paths"], real["watch"]["globs"], real["identity"]
    )
    (state(wt) / "ready.json").write_text(json.dumps(forged))
    assert not core_state.is_in_sync(wt)
    hook = seedbed("hook", "post-checkout", "a" * 40, "b" * 40, "1", cwd=wt)
    # A real setup ran (here it refuses the committed `.venv`, which is not
    # seedbed's), instead of a silent skip on the forged marker.
    assert hook.returncode == 0 and "seedbed:" in hook.stderr, hook.stderr
    marker = wt / ".seedbed" / "ready.json"
    assert not marker.exists() or json.loads(marker.read_text()) != forged
    info = json.loads(seedbed("status", "--json", cwd=wt).stdout)
    assert info["status"] != "ready"


# ---------------------------------------------------------------------------
# A full disk
# ---------------------------------------------------------------------------


def test_setup_on_a_full_disk_exits_5_with_a_clear_message(
    tmp_path: Path, offline: Path
) -> None:
    with small_disk(tmp_path / "disk", "4m") as disk:
        main = pip_project(disk / "proj")
        fill(disk)
        out = seedbed("setup", cwd=main)
        check_error(out, 5)
        assert "No space left" in out.stderr or "full" in out.stderr, out.stderr
        as_json = seedbed("setup", "--json", cwd=main)
        assert as_json.returncode == 5 and "Traceback" not in as_json.stderr
        assert isinstance(json.loads(as_json.stdout), dict)


# ---------------------------------------------------------------------------
# The sh hook's own fast path (needs the hooks/post-checkout seal check)
# ---------------------------------------------------------------------------


def sealing_template() -> Path:
    from seedbed.core.assets import asset_dir

    template = asset_dir("hooks") / "post-checkout"
    if "seedbed-ready.sha256" not in template.read_text():
        pytest.skip("the shipped hook does not check the seal yet")
    return template


def install_hooks(main: Path) -> None:
    template = sealing_template()
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    for name in ("post-checkout", "post-merge", "post-rewrite"):
        hook = main / ".git" / "hooks" / name
        hook.write_text(template.read_text().replace("@FALLBACK@", "''"))


def test_committed_sync_files_do_not_make_the_sh_hook_skip(
    tmp_path: Path, offline: Path
) -> None:
    """A branch committing `.seedbed/ready.json` and empty `sync.*` files
    (which git writes over ignored ones on checkout) must not pass as ready."""
    main = pip_project(tmp_path / "proj")
    install_hooks(main)
    wt = tmp_path / "wt"
    assert worktree_add(main, wt, "wt").returncode == 0
    assert json.loads(seedbed("status", "--json", cwd=wt).stdout)["status"] == "ready"
    git("checkout", "-q", "-b", "evil", cwd=wt)
    env = trap_seedbed(tmp_path / "trap")
    # Unchanged: the sealed state proves it, and no Python starts.
    out = subprocess.run(
        ["git", "checkout", "-b", "same"],
        cwd=wt,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "SEEDBED-STARTED" not in out.stderr
    # A branch that brings its own marker and sync files, with a changed lock.
    git("checkout", "-q", "evil", cwd=wt)
    (wt / "requirements.txt").write_text("tinybeta\ntinydev\n")
    for name in ("ready.json", "sync.sha256", "sync.paths"):
        (wt / ".seedbed" / name).write_text("" if "sync" in name else "{}")
    git("add", "-f", "requirements.txt", ".seedbed/ready.json", cwd=wt)
    git("add", "-f", ".seedbed/sync.sha256", ".seedbed/sync.paths", cwd=wt)
    git("commit", "-qm", "forged state", cwd=wt)
    git("checkout", "-q", "same", cwd=wt)
    out = subprocess.run(
        ["git", "checkout", "evil"],
        cwd=wt,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "SEEDBED-STARTED" in out.stderr


def test_a_shared_folder_does_not_act_for_a_repository_that_left(
    tmp_path: Path,
) -> None:
    template = sealing_template()
    shared = tmp_path / "hooks"
    repos = []
    for name in ("first", "second"):
        repo = tmp_path / name
        repo.mkdir()
        git("init", "-q", "-b", "main", cwd=repo)
        git("commit", "-q", "--allow-empty", "-m", "i", cwd=repo)
        git("config", "core.hooksPath", str(shared), cwd=repo)
        assert seedbed("hooks", "install", cwd=repo).returncode == 0
        repos.append(repo)
    (shared / "post-checkout").write_text(
        template.read_text().replace("@FALLBACK@", "''")
    )
    env = trap_seedbed(tmp_path / "trap")
    assert seedbed("hooks", "uninstall", cwd=repos[0]).returncode == 0
    runs = {}
    for repo in repos:
        out = subprocess.run(
            ["git", "checkout", "-b", "next"],
            cwd=repo,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        runs[repo.name] = "SEEDBED-STARTED" in out.stderr
    assert runs == {"first": False, "second": True}


def test_commands_on_a_read_only_disk_give_a_clear_error(
    tmp_path: Path, repo: Path
) -> None:
    with small_disk(tmp_path / "disk", "4m") as disk:
        main = disk / "proj"
        shutil.copytree(repo, main, symlinks=True)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        check_error(seedbed("gc", cwd=main), 1, "Read-only file system")
        out = seedbed("gc", "--json", cwd=main)
        assert out.returncode == 1 and "Traceback" not in out.stderr
        assert json.loads(out.stdout)["details"]["errno"] == "EROFS"
