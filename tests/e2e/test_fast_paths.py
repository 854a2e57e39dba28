"""`seedbed status` and `seedbed run` answer without click when they can, and
then exactly as the click commands do (issue 15).

The full command is forced with SEEDBED_TRACE=1 (both fast paths step aside
for it); which path ran is read from Python's own import log
(PYTHONPROFILEIMPORTTIME), never from timings.
"""

from __future__ import annotations

import fcntl
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require, seedbed
from tests.factories.git import git
from tests.factories.projects import uv_project


def took_click(out: subprocess.CompletedProcess[str]) -> bool:
    return any(
        line.startswith("import time:") and line.split("|")[-1].strip() == "click"
        for line in out.stderr.splitlines()
    )


def both(cwd: Path, *args: str, **env: str) -> None:
    """The fast answer (no click) equals the full one, bytes and exit code."""
    base = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1", **env}
    fast = seedbed(*args, cwd=cwd, env=base)
    full = seedbed(*args, cwd=cwd, env={**base, "SEEDBED_TRACE": "1"})
    assert took_click(full)
    assert not took_click(fast), f"{args} in {cwd} took the click path"
    assert (fast.stdout, fast.returncode) == (full.stdout, full.returncode)


def same_as_full(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Whichever path runs (a damaged state takes the full one), the output is
    the full command's."""
    fast = seedbed(*args, cwd=cwd)
    full = seedbed(*args, cwd=cwd, env={**os.environ, "SEEDBED_TRACE": "1"})
    assert (fast.stdout, fast.stderr, fast.returncode) == (
        full.stdout,
        full.stderr,
        full.returncode,
    )
    return fast


@pytest.fixture
def ready_uv(tmp_path: Path, offline: Path) -> Path:
    require("uv")
    main = uv_project(tmp_path / "proj", offline)
    out = seedbed("setup", cwd=main)
    assert out.returncode == 0, out.stderr
    return main


def test_status_fast_on_every_readable_state(ready_uv: Path, tmp_path: Path) -> None:
    main = ready_uv
    state = main / ".seedbed"
    (main / "sub").mkdir()
    for args in (("status",), ("status", "--json")):
        both(main, *args)  # ready
        both(main / "sub", *args)  # from a folder inside the worktree
    assert json.loads(seedbed("status", "--json", cwd=main).stdout)["status"] == (
        "ready"
    )
    # A linked worktree not set up yet: missing.
    feat = tmp_path / "feat"
    env = {**os.environ, "SEEDBED_SKIP": "1"}
    out = subprocess.run(
        ["git", "worktree", "add", "-q", str(feat), "-b", "feat"],
        cwd=main,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    both(feat, "status")
    both(feat, "status", "--json")
    # Running: a setup holds the worktree's lock.
    with open(state / "lock", "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        both(main, "status", "--json")
        both(main, "status")
    # Stale: a watched file changed.
    (main / "uv.lock").write_text((main / "uv.lock").read_text() + "\n")
    both(main, "status")
    both(main, "status", "--json")
    git("checkout", "-q", "uv.lock", cwd=main)
    # Unsealed: the marker without its seal (a branch could commit one).
    seal = main / ".git" / "seedbed-ready.sha256"
    saved = seal.read_bytes()
    seal.unlink()
    both(main, "status")
    seal.write_bytes(saved)
    both(main, "status")
    # Failed and interrupted: only last.json tells.
    (feat / ".seedbed").mkdir()
    last = feat / ".seedbed" / "last.json"
    last.write_text(json.dumps({"status": "failed", "error": "boom", "log": "x"}))
    both(feat, "status")
    both(feat, "status", "--json")
    last.write_text(json.dumps({"status": "running"}))
    both(feat, "status")


def test_status_steps_aside_for_damage_and_strangers(repo: Path) -> None:
    state = repo / ".seedbed"
    state.mkdir()
    for text in ("{not json", "[]", '{"fingerprint": 5, "watch": "x"}'):
        (state / "ready.json").write_text(text)
        out = same_as_full(repo, "status")
        assert out.returncode == 3 and "ready.json" in out.stderr
        same_as_full(repo, "status", "--json")
    (state / "ready.json").unlink()
    (state / "last.json").write_text('{"status": 5}')
    assert same_as_full(repo, "status").returncode == 3
    (state / "last.json").unlink()
    (state / "x").symlink_to("/etc/passwd")
    assert same_as_full(repo, "status").returncode == 3
    (state / "x").unlink()
    # Not a repository, inside the git dir, and a GIT_DIR elsewhere.
    outside = repo.parent / "outside"
    outside.mkdir()
    assert same_as_full(outside, "status").returncode == 4
    same_as_full(repo / ".git", "status")
    same_as_full(repo, "status", "--bogus")
    both(repo, "status")


def test_run_fast_records_as_the_full_command(ready_uv: Path, tmp_path: Path) -> None:
    main = ready_uv
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    first = seedbed("run", "true", cwd=main, env=env)
    assert first.returncode == 0 and took_click(first)
    fast = seedbed(
        "run", "--", "python", "-c", "import sys; sys.exit(3)", cwd=main, env=env
    )
    assert fast.returncode == 3 and not took_click(fast), fast.stderr
    import sqlite3

    db = sqlite3.connect(main / ".git" / "seedbed" / "metrics.db")
    db.row_factory = sqlite3.Row
    rows = [dict(r) for r in db.execute("SELECT * FROM runs WHERE kind = 'run'")]
    db.close()
    assert len(rows) == 2
    varying = {"id", "run_id", "name", "started_at", "seconds", "exit_code", "ok"}
    varying |= {"peak_rss_kb", "cpu_seconds"}
    full_row, fast_row = rows
    assert {k: v for k, v in full_row.items() if k not in varying} == {
        k: v for k, v in fast_row.items() if k not in varying
    }
    assert (fast_row["exit_code"], fast_row["ok"], fast_row["name"]) == (3, 0, "python")
    assert len(fast_row["run_id"]) == 32 and fast_row["run_id"][12] == "4"
    # A branch switch in the worktree changes HEAD: the full command answers
    # (and records the new branch), then the fast one again.
    git("checkout", "-q", "-b", "other", cwd=main)
    assert took_click(seedbed("run", "true", cwd=main, env=env))
    again = seedbed("run", "true", cwd=main, env=env)
    assert again.returncode == 0 and not took_click(again)
    db = sqlite3.connect(main / ".git" / "seedbed" / "metrics.db")
    branches = [r[0] for r in db.execute("SELECT branch FROM runs WHERE kind='run'")]
    db.close()
    assert branches[-2:] == ["other", "other"]
    # A program that cannot start: the full command's error, word for word.
    missing = seedbed("run", "no-such-command-xyz", cwd=main)
    (main / ".git" / "seedbed-run.json").unlink()
    slow = seedbed("run", "no-such-command-xyz", cwd=main)
    assert (missing.returncode, missing.stderr) == (slow.returncode, slow.stderr)
    assert missing.returncode == 127 and "no-such-command-xyz" in missing.stderr


def test_run_fast_passes_signals_and_statuses_as_the_full_one(ready_uv: Path) -> None:
    main = ready_uv
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    assert seedbed("run", "true", cwd=main, env=env).returncode == 0
    killed = "import os, signal; os.kill(os.getpid(), signal.SIGTERM)"
    piped = "import os, signal; print(signal.getsignal(signal.SIGPIPE))"
    for code in (killed, piped, "import sys; sys.exit(300)"):
        fast = seedbed("run", "--", "python", "-c", code, cwd=main, env=env)
        assert not took_click(fast), fast.stderr
        full = seedbed("run", "--no-sync", "--", "python", "-c", code, cwd=main)
        assert (fast.returncode, fast.stdout) == (full.returncode, full.stdout)
    assert fast.returncode == 300 % 256
