"""The fast paths of issue 15 behave exactly like the full ones (no timings):

- a uv project's second worktree is `uv sync --frozen` (reuse), no relocation;
- pip reuse installs the sibling's set offline first (no request to the index
  when uv's cache holds every file) and online only when that fails;
- `seedbed run` in an in-sync worktree skips click and the plugins, with the
  same environment, exit status, errors and metrics, and never when anything
  that could change the answer changed;
- `seedbed --help` comes from a cache that follows the plugins;
- `seedbed metrics --json` streams the same object `store.rows` describes.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from seedbed.core.cli.output import iso
from seedbed.core.metrics import MetricsStore, store_path

from tests.conftest import BIN, require, seedbed, worktree_add
from tests.factories.git import git
from tests.factories.metrics import metric_rows, record_runs, run
from tests.factories.projects import pip_project, uv_project
from tests.factories.wheels import write_simple_index

PROBE = (
    "import os, sys; print(os.environ.get('VIRTUAL_ENV'), sys.prefix, "
    "os.environ['PATH'].split(os.pathsep)[0], 'GIT_DIR' in os.environ)"
)


def steps_of(worktree: Path) -> list[str]:
    last = json.loads((worktree / ".seedbed" / "last.json").read_text())
    return [step["name"] for step in last["steps"]]


# --- uv: reuse is the floor --------------------------------------------------


def test_uv_second_worktree_is_uv_sync_frozen_from_the_cache(
    tmp_path: Path, offline: Path
) -> None:
    require("uv")
    main = uv_project(tmp_path / "proj", offline)
    assert seedbed("setup", cwd=main).returncode == 0
    feat = tmp_path / "feat"
    assert worktree_add(main, feat, "feat").returncode == 0
    out = seedbed("setup", "--json", cwd=feat)
    assert out.returncode == 0, out.stdout + out.stderr
    names = steps_of(feat)
    assert "uv sync" in names and not any("sibling" in n for n in names), names
    row = [r for r in metric_rows(main) if r["worktree_path"] == str(feat)][-1]
    assert row["detail"].get("reused_from") == str(main)
    assert row["detail"].get("reuse") == "ok"
    python = feat / ".venv" / "bin" / "python"
    prefix = subprocess.run(
        [str(python), "-c", "import sys, tinybeta; print(sys.prefix)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert prefix == str(feat / ".venv")


# --- pip: offline first ------------------------------------------------------


@pytest.fixture
def counted_index(wheelhouse: Path) -> Iterator[tuple[str, list[str]]]:
    write_simple_index(wheelhouse)
    seen: list[str] = []

    class Counting(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            seen.append(self.path)

    handler = functools.partial(Counting, directory=str(wheelhouse))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/simple/", seen
    server.shutdown()


def index_only(monkeypatch: pytest.MonkeyPatch, url: str, cache: Path) -> None:
    """Installs go to this index alone (no find-links), through this cache."""
    for name in ("UV_NO_INDEX", "UV_FIND_LINKS", "PIP_NO_INDEX", "PIP_FIND_LINKS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("UV_INDEX_URL", url)
    monkeypatch.setenv("PIP_INDEX_URL", url)
    monkeypatch.setenv("UV_CACHE_DIR", str(cache))


def test_pip_reuse_sends_no_request_when_cached_and_falls_back_online(
    tmp_path: Path,
    counted_index: tuple[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    require("uv")
    url, seen = counted_index
    cache = tmp_path / "uv-cache"  # this test's own cache, cleaned below
    index_only(monkeypatch, url, cache)
    main = pip_project(tmp_path / "proj", package=False)
    first = seedbed("setup", cwd=main)
    assert first.returncode == 0, first.stdout + first.stderr
    assert seen, "the first setup downloads through the index"

    seen.clear()
    feat = tmp_path / "feat"
    assert worktree_add(main, feat, "feat").returncode == 0
    out = seedbed("setup", cwd=feat)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "uv pip install (sibling's set)" in steps_of(feat)
    assert seen == [], f"offline reuse asked the index: {seen}"

    shutil.rmtree(cache)  # the cache lost its files: offline fails, online works
    other = tmp_path / "other"
    assert worktree_add(main, other, "other").returncode == 0
    out = seedbed("setup", cwd=other)
    assert out.returncode == 0, out.stdout + out.stderr
    assert seen, "the online fallback went to the index"
    row = [r for r in metric_rows(main) if r["worktree_path"] == str(other)][-1]
    assert row["detail"].get("reuse") == "ok", row["detail"]
    python = other / ".venv" / "bin" / "python"
    subprocess.run([str(python), "-c", "import tinybeta"], check=True)


def test_offline_reuse_falls_back_online_when_one_wheel_left_the_cache(
    tmp_path: Path,
    counted_index: tuple[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Offline first, and the index only for what uv's cache lacks: here one
    package cleaned from the cache (`uv cache clean NAME`), the others there."""
    require("uv")
    url, seen = counted_index
    index_only(monkeypatch, url, tmp_path / "uv-cache")
    main = pip_project(tmp_path / "proj", "tinybeta\ntinydev\n", None, package=False)
    first = seedbed("setup", cwd=main)
    assert first.returncode == 0, first.stdout + first.stderr

    # Every file cached: the reuse sends nothing to the index.
    seen.clear()
    feat = tmp_path / "feat"
    assert worktree_add(main, feat, "feat").returncode == 0
    out = seedbed("setup", cwd=feat)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "uv pip install (sibling's set)" in steps_of(feat)
    assert seen == [], f"offline reuse asked the index: {seen}"

    # One package gone from the cache: offline fails, the online install
    # fetches it, and the worktree is still built from the sibling's set.
    subprocess.run(["uv", "cache", "clean", "tinydev"], check=True)
    other = tmp_path / "other"
    assert worktree_add(main, other, "other").returncode == 0
    out = seedbed("setup", cwd=other)
    assert out.returncode == 0, out.stdout + out.stderr
    assert any("tinydev" in path for path in seen), seen
    row = [r for r in metric_rows(main) if r["worktree_path"] == str(other)][-1]
    assert row["detail"].get("reuse") == "ok", row["detail"]
    assert row["detail"].get("reused_from") == str(main)
    python = other / ".venv" / "bin" / "python"
    subprocess.run([str(python), "-c", "import tinybeta, tinydev"], check=True)


# --- seedbed run -------------------------------------------------------------


@pytest.fixture
def ready_uv(tmp_path: Path, offline: Path) -> Path:
    require("uv")
    main = uv_project(tmp_path / "proj", offline)
    assert seedbed("setup", cwd=main).returncode == 0
    return main


def note(main: Path) -> Path:
    return main / ".git" / "seedbed-run.json"


def test_run_fast_path_matches_the_full_command(ready_uv: Path) -> None:
    main = ready_uv
    env = {**os.environ, "GIT_DIR": str(main / ".git")}
    full = seedbed("run", "--", "python", "-c", PROBE, cwd=main, env=env)
    assert full.returncode == 0, full.stderr
    assert note(main).is_file()
    fast = seedbed("run", "--", "python", "-c", PROBE, cwd=main, env=env)
    assert fast.returncode == 0, fast.stderr
    assert fast.stdout == full.stdout
    venv = str(main / ".venv")
    assert fast.stdout.split() == [venv, venv, str(main / ".venv" / "bin"), "False"]
    # Exit status passes through and each run is recorded, fast or not.
    code = seedbed("run", "python", "-c", "raise SystemExit(7)", cwd=main)
    assert code.returncode == 7
    runs = metric_rows(main, "run")
    assert [r["exit_code"] for r in runs] == [0, 0, 7]
    assert {r["manager"] for r in runs} == {"uv"}
    # A missing command: the same error and exit code as the full command.
    missing = seedbed("run", "no-such-command-xyz", cwd=main)
    note(main).unlink()
    slow = seedbed("run", "no-such-command-xyz", cwd=main)
    assert (missing.returncode, missing.stderr) == (slow.returncode, slow.stderr)


def test_run_fast_path_steps_aside_when_anything_changed(ready_uv: Path) -> None:
    main = ready_uv
    assert seedbed("run", "true", cwd=main).returncode == 0
    recorded = json.loads(note(main).read_text())
    # A changed lock: the full command syncs first, as before.
    (main / "uv.lock").write_text((main / "uv.lock").read_text() + "\n")
    out = seedbed("run", "true", cwd=main)
    assert out.returncode == 0 and "uv sync" in out.stderr, out.stderr
    git("checkout", "-q", "uv.lock", cwd=main)
    assert seedbed("run", "true", cwd=main).returncode == 0
    # A SEEDBED_* variable or a .env edit changes the key: a new note follows.
    before = json.loads(note(main).read_text())["key"]
    env = {**os.environ, "SEEDBED_SOMETHING": "1"}
    assert seedbed("run", "true", cwd=main, env=env).returncode == 0
    assert json.loads(note(main).read_text())["key"] != before
    (main / ".env").write_text("X=1\n")
    assert seedbed("run", "true", cwd=main).returncode == 0
    assert recorded["fingerprint"]
    # A note in the worktree (a branch could commit one) is never read.
    (main / ".seedbed" / "seedbed-run.json").write_text('{"bin": "/tmp"}')
    out = seedbed("run", "--", "python", "-c", PROBE, cwd=main)
    assert out.stdout.split()[2] == str(main / ".venv" / "bin")


# --- --help ------------------------------------------------------------------


def test_help_from_the_cache_follows_the_plugins(repo: Path) -> None:
    first = seedbed("--help", cwd=repo)
    second = seedbed("--help", cwd=repo)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout and "Commands:" in first.stdout
    assert "  ports" in first.stdout  # a command a plugin registers
    env = {**os.environ, "SEEDBED_DISABLE_PLUGINS": "resources"}
    blocked = seedbed("--help", cwd=repo, env=env)
    assert blocked.returncode == 0 and "  ports" not in blocked.stdout
    (repo / ".seedbed.toml").write_text('disable_plugins = ["resources"]\n')
    assert "  ports" not in seedbed("--help", cwd=repo).stdout
    (repo / ".seedbed.toml").unlink()
    assert seedbed("--help", cwd=repo).stdout == first.stdout


# --- metrics --json ----------------------------------------------------------


def expected(store: MetricsStore, **filters: object) -> dict:
    rows = store.rows(**filters)  # type: ignore[arg-type]
    return {
        "runs": [{**r, "started_at": iso(r["started_at"])} for r in rows],
        "schema_version": 1,
        "store": str(store.path),
    }


def test_metrics_json_streams_the_same_object(repo: Path) -> None:
    path = store_path(repo / ".git")
    path.parent.mkdir(parents=True, exist_ok=True)
    records = [
        run("setup", f"s{i}", 0.5 + i, 1_800_000_000.0 + i * 60, exit_code=i % 2)
        for i in range(7)
    ]
    records.append(run("gate", "lint", 0.25, 1_800_000_100.5, worktree="other-1"))
    record_runs(path, records)
    import sqlite3

    with sqlite3.connect(path) as db:  # a row written by hand, detail not JSON
        db.execute("UPDATE runs SET detail = 'not json' WHERE name = 's3'")
        db.execute("UPDATE runs SET detail = '' WHERE name = 's4'")
    store = MetricsStore(path)
    for args, filters in (
        ((), {}),
        (("--kind", "gate"), {"kind": "gate"}),
        (("--worktree", "other-1"), {"worktree": "other-1"}),
        (("--limit", "3"), {"limit": 3}),
    ):
        out = seedbed("metrics", "--json", *args, cwd=repo)
        assert out.returncode == 0, out.stderr
        got = json.loads(out.stdout)
        want = expected(store, **filters)
        assert got["runs"] == want["runs"], args
        assert got == {**want, "schema_version": got["schema_version"]}
    empty = seedbed("metrics", "--json", "--kind", "pod", cwd=repo)
    assert json.loads(empty.stdout)["runs"] == []
    assert (BIN / "seedbed").exists()
