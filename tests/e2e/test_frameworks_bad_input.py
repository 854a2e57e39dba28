"""Bad input for web resources: a clear error, its exit code, nothing half-made.

The project is a real git repository with a minimal Flask app (detection reads
files; nothing is installed before the errors stop setup).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from seedbed.core.errors import EXIT_CONFIG, EXIT_NOT_FOUND
from seedbed.plugins.resources import database, ports

from tests.conftest import seedbed
from tests.factories.git import git
from tests.factories.postgres import PostgresServer
from tests.factories.servers import closed_port

APP = "from flask import Flask\n\napp = Flask(__name__)\n"


def project(root: Path, seedbed_toml: str = "", **files: str) -> Path:
    root.mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=root)
    (root / "app.py").write_text(APP)
    (root / "requirements.txt").write_text("")
    if seedbed_toml:
        (root / ".seedbed.toml").write_text(seedbed_toml)
    for name, text in files.items():
        (root / name).write_text(text)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "sample", cwd=root)
    return root


def assert_nothing_made(root: Path) -> None:
    assert not (root / ".env").exists()
    assert not (root / ".venv").exists()
    assert ports.Registry().get(root) is None
    assert not (root / ".git" / "seedbed" / database.RECORDS).exists()


def test_an_unsupported_engine_is_a_config_error(tmp_path: Path) -> None:
    root = project(
        tmp_path / "p",
        '[resources]\ndatabase = "postgres"\n'
        'database_server = "mysql://root@127.0.0.1:3306"\n',
    )
    out = seedbed("setup", cwd=root)
    assert out.returncode == EXIT_CONFIG, out.stderr
    assert "unsupported database engine 'mysql'" in out.stderr
    assert_nothing_made(root)


def test_a_server_that_refuses_is_a_server_error(tmp_path: Path) -> None:
    pytest.importorskip("psycopg")
    port = closed_port()
    root = project(
        tmp_path / "p",
        f'[resources]\ndatabase = "postgres"\n'
        f'database_server = "postgresql://app@127.0.0.1:{port}"\n',
    )
    out = seedbed("setup", "--json", cwd=root)
    assert out.returncode == database.EXIT_DATABASE, out.stdout + out.stderr
    report = json.loads(out.stdout)
    assert f"127.0.0.1:{port}" in report["error"]
    assert "nothing was created" in report["hint"]
    assert_nothing_made(root)


def test_a_password_in_a_committed_file_is_refused_unshown(tmp_path: Path) -> None:
    root = project(
        tmp_path / "p",
        '[resources]\ndatabase = "postgres"\ndatabase_password = "leak-me-not"\n',
    )
    out = seedbed("setup", cwd=root)
    assert out.returncode == EXIT_CONFIG
    assert "user config" in out.stderr and "leak-me-not" not in out.stderr
    assert_nothing_made(root)


def test_an_unknown_framework_name_is_not_found(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    for command in (("serve", "pyramid"), ("test", "pyramid")):
        out = seedbed(*command, cwd=root)
        assert out.returncode == EXIT_NOT_FOUND, out.stderr
        assert "unknown framework 'pyramid'" in out.stderr
        assert "django, fastapi, flask" in out.stderr
    assert_nothing_made(root)


def test_several_frameworks_are_listed_and_chosen_by_name(tmp_path: Path) -> None:
    root = project(tmp_path / "p")
    (root / "admin").mkdir()
    (root / "admin" / "manage.py").write_text(
        "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'site.settings')\n"
    )
    listing = json.loads(seedbed("frameworks", "--json", cwd=root).stdout)
    assert [d["framework"] for d in listing["detected"]] == ["django", "flask"]
    out = seedbed("serve", cwd=root)
    assert out.returncode == EXIT_CONFIG
    assert "django, flask" in out.stderr and "seedbed serve NAME" in out.stderr
    out = seedbed("test", "-k", "x", cwd=root)  # arguments belong after --
    assert out.returncode == 2 and "after --" in out.stderr
    assert_nothing_made(root)


def test_a_tracked_env_file_is_never_written(tmp_path: Path, offline: Path) -> None:
    root = project(tmp_path / "p", **{".env": "MINE=1\n"})
    """Never written, never a failed setup (issue 13): the values go to the
    processes seedbed runs, and the setup says so."""
    out = seedbed("setup", cwd=root)
    assert out.returncode == 0, out.stderr
    assert "tracked by git: not modified" in out.stderr
    assert (root / ".env").read_text() == "MINE=1\n"
    port = ports.Registry().get(root)
    assert port is not None
    run = seedbed("run", "--", "sh", "-c", 'printf %s "$PORT"', cwd=root)
    assert run.returncode == 0 and run.stdout == str(port.start), run.stderr
    assert git("status", "--porcelain", cwd=root) == ""


def test_a_missing_template_is_not_found_and_nothing_is_created(
    tmp_path: Path, pg: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("psycopg")
    monkeypatch.setenv("PGPASSWORD", pg.password)  # libpq's own variable
    before = pg.databases()
    root = project(
        tmp_path / "p",
        f'[resources]\ndatabase = "postgres"\ndatabase_server = "{pg.url}"\n'
        'database_template = "no_such_template"\n',
    )
    out = seedbed("setup", cwd=root)
    assert out.returncode == EXIT_NOT_FOUND, out.stderr
    assert "template database 'no_such_template' does not exist" in out.stderr
    assert pg.databases() == before
    assert_nothing_made(root)
