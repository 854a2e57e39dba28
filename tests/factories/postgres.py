"""A throwaway PostgreSQL server, one per test session, stopped at exit.

initdb + pg_ctl on a free loopback port in a temporary folder, as the postgres
user when running as root (initdb refuses root), with a password (scram) so the
credential path is real. tests/setup/postgres.sh installs PostgreSQL; the `pg`
fixture (tests/conftest.py) skips, or fails under SEEDBED_STRICT, without it.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from tests.factories.commands import run_tool
from tests.factories.servers import closed_port

PG_USER = "seedbed_admin"
PG_PASSWORD = "s3cret-Pg-pass-4-tests"


@dataclass
class PostgresServer:
    port: int
    directory: Path
    bin_dir: Path
    user: str = PG_USER
    password: str = PG_PASSWORD

    @property
    def url(self) -> str:
        """The server as seedbed's config takes it: no password."""
        return f"postgresql://{self.user}@127.0.0.1:{self.port}"

    def connect(self, dbname: str = "postgres"):  # type: ignore[no-untyped-def]
        import psycopg

        return psycopg.connect(
            host="127.0.0.1",
            port=self.port,
            user=self.user,
            password=self.password,
            dbname=dbname,
            autocommit=True,
        )

    def databases(self) -> set[str]:
        with self.connect() as conn:
            return {row[0] for row in conn.execute("SELECT datname FROM pg_database")}


def postgres_bin() -> Path | None:
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(candidates[-1]).parent if candidates else None


_SERVER: PostgresServer | None = None


def postgres_server() -> PostgresServer | None:
    """The session's server, started on first use; None when PostgreSQL is not
    installed (tests/setup/postgres.sh installs it)."""
    global _SERVER
    if _SERVER is not None:
        return _SERVER
    bin_dir = postgres_bin()
    if bin_dir is None:
        return None
    directory = Path(tempfile.mkdtemp(prefix="seedbed-pg-"))
    prefix: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        prefix = ["runuser", "-u", "postgres", "--"]
        shutil.chown(directory, "postgres")
    pwfile = directory / "pw"
    pwfile.write_text(PG_PASSWORD + "\n")
    if prefix:
        shutil.chown(pwfile, "postgres")
    data = directory / "data"
    run_tool(
        [
            *prefix,
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            PG_USER,
            "--auth=scram-sha-256",
            f"--pwfile={pwfile}",
            "-E",
            "UTF8",
            "--locale=C",
        ]
    )
    port = closed_port()
    with open(data / "postgresql.conf", "a") as conf:
        conf.write(
            f"port = {port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{directory}'\n"
            # A throwaway server: durability costs time and buys nothing here.
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
        )
    run_tool(
        [
            *prefix,
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(directory / "server.log"),
            "-w",
            "-t",
            "60",
            "start",
        ]
    )
    _SERVER = PostgresServer(port, directory, bin_dir)
    atexit.register(_stop_server, _SERVER, prefix)
    return _SERVER


def _stop_server(server: PostgresServer, prefix: list[str]) -> None:
    subprocess.run(
        [
            *prefix,
            str(server.bin_dir / "pg_ctl"),
            "-D",
            str(server.directory / "data"),
            "-m",
            "immediate",
            "stop",
        ],
        capture_output=True,
        check=False,
        timeout=60,
    )
    shutil.rmtree(server.directory, ignore_errors=True)
