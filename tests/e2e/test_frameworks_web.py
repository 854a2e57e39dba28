"""Two worktrees of a real web app, side by side: own port, database, .env.

Each sample is made by the framework's own tools (tests/factories/web.py), its
worktrees are set up by the real post-checkout hook, both dev servers run at
once under `seedbed serve`, and HTTP requests show each answers from its own
database with migrations applied. gc then releases the port block and drops
the PostgreSQL database of a removed worktree.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from seedbed.plugins.resources import dotenv, ports

from tests.conftest import BIN, require, seedbed, worktree_add
from tests.factories.git import git
from tests.factories.postgres import PostgresServer
from tests.factories.servers import get_json, stop, wait_for_port
from tests.factories.web import django_project, fastapi_project, flask_project
from tests.factories.wheels import offline_env, web_wheelhouse


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch) -> Path:
    """Installs come from the frameworks' local wheelhouse only."""
    require("uv")
    wheels = web_wheelhouse()
    for name, value in offline_env(wheels).items():
        monkeypatch.setenv(name, value)
    return wheels


@pytest.fixture
def pg(pg: PostgresServer, monkeypatch: pytest.MonkeyPatch) -> PostgresServer:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    return pg


def two_worktrees(main: Path, tmp_path: Path) -> tuple[Path, Path]:
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    paths = (tmp_path / "wt-a", tmp_path / "wt-b")
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda p: worktree_add(main, p, p.name), paths))
    for result in results:
        assert result.returncode == 0, result.stderr
    for path in paths:
        status = seedbed("status", "--json", cwd=path)
        info = json.loads(status.stdout)
        assert info["status"] == "ready", (
            info,
            (path / ".seedbed/setup.log").read_text(),
        )
    return paths


def worktree_env(path: Path) -> dict[str, str]:
    env = path / ".env"
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    return dotenv.read(env)


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for proc in started:
        stop(proc)


def serve(path: Path, started: list[subprocess.Popen[bytes]], *args: str) -> int:
    port = int(worktree_env(path)["PORT"])
    log = open(path.parent / f"serve-{path.name}.log", "wb")  # noqa: SIM115
    proc = subprocess.Popen(
        [str(BIN / "seedbed"), "serve", *args],
        cwd=path,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    started.append(proc)
    try:
        wait_for_port(port, proc, seconds=90)
    except AssertionError:
        log.flush()
        raise AssertionError(
            (path.parent / f"serve-{path.name}.log").read_text()
        ) from None
    return port


def check_side_by_side(
    a: Path, b: Path, started: list[subprocess.Popen[bytes]], *args: str
) -> tuple[int, int]:
    """Both dev servers up at once, each answering from its own database."""
    env_a, env_b = worktree_env(a), worktree_env(b)
    assert env_a["PORT"] != env_b["PORT"]
    assert env_a["DATABASE_URL"] != env_b["DATABASE_URL"]
    assert env_a["TEST_DB_NAME"] != env_b["TEST_DB_NAME"]
    assert env_a["DEBUG"] == "1"
    with ThreadPoolExecutor(2) as pool:
        port_a, port_b = pool.map(lambda p: serve(p, started, *args), (a, b))
    status, body = get_json(port_a)
    assert status == 200 and body["notes"] == 0  # the table exists: migrated
    assert get_json(port_a, "/add?text=only-in-a") == (200, {"notes": 1})
    assert get_json(port_a)[1]["notes"] == 1
    status, body = get_json(port_b)
    assert status == 200 and body["notes"] == 0  # a row written in a is absent in b
    # .env stays out of git; the worktrees are clean.
    assert git("status", "--porcelain", cwd=a) == ""
    return port_a, port_b


def sqlite_tables(path: Path) -> set[str]:
    url = worktree_env(path)["DATABASE_URL"]
    db = url.removeprefix("sqlite:///")
    assert db.startswith(str(path)), "the SQLite file lives inside its worktree"
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        return {row[0] for row in rows}


def test_django_on_postgres_two_worktrees_serve_test_and_gc(
    tmp_path: Path,
    web: Path,
    pg: PostgresServer,
    servers: list[subprocess.Popen[bytes]],
) -> None:
    # The password lives only in the user's config, as a real user would keep it.
    Path(os.environ["SEEDBED_CONFIG"]).write_text(
        f'[resources]\ndatabase_password = "{pg.password}"\n'
    )
    main = django_project(tmp_path / "shop", database="postgres", server_url=pg.url)
    a, b = two_worktrees(main, tmp_path)
    names = {p: worktree_env(p)["DATABASE_URL"].rsplit("/", 1)[1] for p in (a, b)}
    assert set(names.values()) <= pg.databases()
    for name in names.values():
        with pg.connect(name) as conn:
            applied = conn.execute(
                "SELECT count(*) FROM django_migrations WHERE app = 'notes'"
            ).fetchone()
            assert applied == (1,)
    check_side_by_side(a, b, servers)
    # `seedbed test` runs manage.py test against the worktree's test database.
    out = seedbed("test", "--json", cwd=a, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    # manage.py prints to stdout too; the JSON summary comes last.
    summary = json.loads(out.stdout[out.stdout.rindex('{\n  "argv"') :])
    assert summary["framework"] == "django" and summary["exit_code"] == 0
    # The password is never written or shown.
    secret = pg.password
    assert secret not in (a / ".env").read_text()
    metrics = (main / ".git" / "seedbed").glob("*.db*")
    assert all(secret.encode() not in path.read_bytes() for path in metrics)
    for path in (a, b):
        assert secret not in (path / ".seedbed" / "setup.log").read_text()
    # gc: remove b, then its port block and database are released.
    for proc in servers:
        stop(proc)
    servers.clear()
    git("worktree", "remove", "--force", str(b), cwd=main)
    dry = seedbed("gc", "--dry-run", "--json", cwd=main)
    assert dry.returncode == 0 and names[b] in dry.stdout and secret not in dry.stdout
    assert names[b] in pg.databases()
    out = seedbed("gc", "--json", cwd=main)
    assert out.returncode == 0, out.stdout + out.stderr
    resources = [
        x["resource"]
        for x in json.loads(out.stdout)["actions"]
        if x["plugin"] == "resources"
    ]
    assert any(r.startswith("port block") for r in resources)
    assert any(names[b] in r for r in resources)
    assert names[b] not in pg.databases() and names[a] in pg.databases()
    held = {blk.worktree for blk in ports.Registry().blocks()}
    assert str(a) in held and str(b) not in held
    # A second gc has nothing left to do.
    again = json.loads(seedbed("gc", "--json", cwd=main).stdout)["actions"]
    assert [x for x in again if x["plugin"] == "resources"] == []


def test_flask_with_flask_migrate_on_sqlite(
    tmp_path: Path, web: Path, servers: list[subprocess.Popen[bytes]]
) -> None:
    main = flask_project(tmp_path / "blog")
    a, b = two_worktrees(main, tmp_path)
    for path in (a, b):
        assert {"note", "alembic_version"} <= sqlite_tables(path)
    check_side_by_side(a, b, servers)
    # `seedbed run` sees the same variables the server got.
    out = seedbed(
        "run",
        "--",
        "python",
        "-c",
        "import os; print(os.environ['PORT'], os.environ['FLASK_APP'])",
        cwd=a,
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [worktree_env(a)["PORT"], str(a / "app.py")]
    # The ports listing shows both blocks, JSON for scripts.
    listing = json.loads(seedbed("ports", "--json", cwd=a).stdout)
    mine = {blk["worktree"]: blk for blk in listing["blocks"]}
    assert mine[str(a)]["current"] and not mine[str(b)]["current"]
    assert mine[str(a)]["start"] == int(worktree_env(a)["PORT"])


def test_fastapi_with_alembic_on_sqlite(
    tmp_path: Path, web: Path, servers: list[subprocess.Popen[bytes]]
) -> None:
    main = fastapi_project(tmp_path / "api")
    a, b = two_worktrees(main, tmp_path)
    for path in (a, b):
        assert {"notes", "alembic_version"} <= sqlite_tables(path)
    check_side_by_side(a, b, servers, "fastapi")
    # gc releases the block of a removed worktree (SQLite files go with it).
    for proc in servers:
        stop(proc)
    servers.clear()
    git("worktree", "remove", "--force", str(b), cwd=main)
    out = seedbed("gc", "--json", cwd=main)
    assert out.returncode == 0, out.stderr
    assert {blk.worktree for blk in ports.Registry().blocks()} == {str(a)}
