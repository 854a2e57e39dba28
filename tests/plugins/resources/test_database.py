"""Per-worktree databases: SQLite files, and real PostgreSQL create/drop."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from seedbed.core.errors import EXIT_CONFIG, EXIT_NOT_FOUND, SeedbedError
from seedbed.plugins.resources import database, postgres

from tests.factories.postgres import PostgresServer


def server_for(pg: PostgresServer, password: str | None = None) -> postgres.Server:
    return postgres.Server.parse(pg.url, password or pg.password)


def test_sqlite_is_a_file_inside_the_worktree(tmp_path: Path) -> None:
    db = database.sqlite_for(tmp_path)
    assert db.name == str(tmp_path / ".seedbed" / "db.sqlite3")
    assert db.url == f"sqlite:///{tmp_path}/.seedbed/db.sqlite3"
    assert database.create(db) and not database.create(db)
    assert database.exists(db)
    assert database.drop(db) and not database.exists(db)


def test_postgres_names_are_safe_unique_and_short() -> None:
    name = postgres.database_name("My-Shop", "feature-x-1a2b3c")
    assert name == "my_shop_feature_x_1a2b3c"
    long = postgres.database_name("r" * 80, "w" * 40 + "-abc123")
    assert len(long) + len("_test") <= 63 and long.endswith("abc123")
    assert postgres.database_name("9lives", "x-000000").startswith("wt_")


@pytest.mark.parametrize(
    "url,engine",
    [
        ("mysql://root@127.0.0.1:3306", "mysql"),
        ("sqlite:///x.db", "sqlite"),
        ("oracle+cx://u@h", "oracle"),
        ("127.0.0.1:5432", ""),
    ],
)
def test_an_unsupported_engine_is_a_config_error(url: str, engine: str) -> None:
    with pytest.raises(SeedbedError) as caught:
        postgres.Server.parse(url)
    assert caught.value.exit_code == EXIT_CONFIG
    expected = repr(engine) if engine else "is not a server URL"
    assert expected in caught.value.message


def test_server_urls_never_carry_the_password() -> None:
    server = postgres.Server.parse("postgresql://me:hunter2@db.internal:6543/maint")
    assert server.password == "hunter2" and server.port == 6543
    assert server.maintenance_db == "maint"
    assert "hunter2" not in server.url and "hunter2" not in repr(server)
    db = database.postgres_for("shop", "wt-abcdef", server)
    assert "hunter2" not in db.url and "hunter2" not in str(db.as_dict())
    with pytest.raises(SeedbedError) as caught:
        postgres.Server.parse("postgresql://me:hunter2@h", password_allowed=False)
    assert caught.value.exit_code == EXIT_CONFIG
    assert "hunter2" not in caught.value.message + caught.value.hint


def test_a_refused_connection_is_a_clear_error_and_creates_nothing() -> None:
    pytest.importorskip("psycopg")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nobody listens once the probe closes
    server = postgres.Server("127.0.0.1", port, "someone", password="pw-never-shown")
    db = database.postgres_for("shop", "wt-abcdef", server)
    for call in (lambda: database.create(db), lambda: database.preflight(db)):
        with pytest.raises(SeedbedError) as caught:
            call()
        assert caught.value.exit_code == postgres.EXIT_DATABASE
        assert f"127.0.0.1:{port}" in caught.value.message
        assert "pw-never-shown" not in caught.value.message + caught.value.hint


def test_postgres_create_is_idempotent_and_drop_removes_test_db_too(
    pg: PostgresServer,
) -> None:
    db = database.postgres_for("shop", "create-drop-1a2b3c", server_for(pg))
    assert database.create(db)
    assert not database.create(db)
    assert database.exists(db)
    with pg.connect() as conn:  # what a test runner would make beside it
        conn.execute(f'CREATE DATABASE "{db.test_name}"')
    assert {db.name, db.test_name} <= pg.databases()
    assert database.drop(db)
    assert not {db.name, db.test_name} & pg.databases()
    assert not database.drop(db)


def test_create_from_a_template_copies_its_tables(pg: PostgresServer) -> None:
    with pg.connect() as conn:
        conn.execute('CREATE DATABASE "tmpl_seed"')
    with pg.connect("tmpl_seed") as conn:
        conn.execute("CREATE TABLE seeded (id int)")
        conn.execute("INSERT INTO seeded VALUES (42)")
    db = database.postgres_for("shop", "templ-1a2b3c", server_for(pg))
    try:
        assert database.create(db, template="tmpl_seed")
        with pg.connect(db.name) as conn:
            assert conn.execute("SELECT id FROM seeded").fetchall() == [(42,)]
    finally:
        database.drop(db)


def test_a_missing_template_is_not_found_and_creates_nothing(
    pg: PostgresServer,
) -> None:
    db = database.postgres_for("shop", "notempl-1a2b3c", server_for(pg))
    for call in (
        lambda: database.create(db, "no_such_template"),
        lambda: database.preflight(db, "no_such_template"),
    ):
        with pytest.raises(SeedbedError) as caught:
            call()
        assert caught.value.exit_code == EXIT_NOT_FOUND
        assert "no_such_template" in caught.value.message
    assert db.name not in pg.databases()


def test_a_wrong_password_is_a_server_error_without_the_password(
    pg: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    db = database.postgres_for("shop", "badpw-1a2b3c", server_for(pg, "wrong-pw-xyz"))
    with pytest.raises(SeedbedError) as caught:
        database.create(db)
    assert caught.value.exit_code == postgres.EXIT_DATABASE
    assert "wrong-pw-xyz" not in caught.value.message
    assert db.name not in pg.databases()


def test_records_keep_no_password(tmp_path: Path) -> None:
    server = postgres.Server.parse("postgresql://me@h:5432", "pw-xyz")
    db = database.postgres_for("shop", "wt-abcdef", server)
    records = database.Records(tmp_path)
    records.add(tmp_path / "wt", db)
    assert "pw-xyz" not in (tmp_path / "seedbed" / "databases.json").read_text()
    loaded = records.all()[str(tmp_path / "wt")]
    assert loaded.name == db.name and loaded.server and loaded.server.url == server.url
    records.remove(str(tmp_path / "wt"))
    assert records.all() == {}
