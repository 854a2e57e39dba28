"""Real web sample projects (Django, Flask, FastAPI) and a throwaway PostgreSQL.

- The web wheelhouse: Django, Flask, FastAPI and friends downloaded once with
  pip into $REPO/.cache/wheels-web/; worktrees then install offline from it.
- A builder environment (uv, from that wheelhouse, cached in .cache/) runs the
  frameworks' own generators: `django-admin startproject`, `manage.py startapp`
  and `makemigrations`, `flask db init/migrate`, `alembic init/revision`.
- PostgreSQL: initdb + pg_ctl on a free loopback port in a temporary folder, as
  the postgres user when running as root (initdb refuses root), with a password
  (scram) so the credential path is real. One server per test session, stopped
  at exit.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WHEELS = REPO / ".cache" / "wheels-web"
BUILDER = REPO / ".cache" / "web-builder"
PACKAGES = (
    "Django",
    "Flask",
    "Flask-SQLAlchemy",
    "Flask-Migrate",
    "fastapi",
    "uvicorn",
    "SQLAlchemy",
    "alembic",
    "psycopg[binary]",
    "pytest",
)
STAMP = "complete.json"


def _clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.pop("VIRTUAL_ENV", None)
    for name in ("PIP_NO_INDEX", "UV_NO_INDEX", "UV_FIND_LINKS"):
        env.pop(name, None)
    env.update(extra)
    return env


def _run(argv: list[str], cwd: Path | None = None, **env: str) -> str:
    out = subprocess.run(
        argv,
        cwd=cwd,
        capture_output=True,
        text=True,
        env=_clean_env(**env),
        check=False,
        timeout=600,
    )
    if out.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout


def web_wheelhouse() -> Path:
    """The frameworks' wheels, downloaded once (the only step that needs the
    package index)."""
    stamp = WHEELS / STAMP
    if stamp.is_file() and json.loads(stamp.read_text()) == list(PACKAGES):
        return WHEELS
    WHEELS.mkdir(parents=True, exist_ok=True)
    _run([sys.executable, "-m", "pip", "download", "-q", "-d", str(WHEELS), *PACKAGES])
    stamp.write_text(json.dumps(list(PACKAGES)))
    return WHEELS


def offline_env(wheels: Path) -> dict[str, str]:
    return {
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheels),
        "UV_NO_INDEX": "1",
        "UV_FIND_LINKS": str(wheels),
    }


def builder() -> Path:
    """A venv with every framework, for running their generators."""
    wheels = web_wheelhouse()
    python = BUILDER / "bin" / "python"
    stamp = BUILDER / STAMP
    if python.exists() and stamp.is_file():
        return BUILDER
    shutil.rmtree(BUILDER, ignore_errors=True)
    _run(["uv", "venv", "-q", "--python", sys.executable, str(BUILDER)])
    _run(
        [
            "uv",
            "pip",
            "install",
            "-q",
            "--python",
            str(python),
            "--offline",
            "--no-index",
            "--find-links",
            str(wheels),
            *PACKAGES,
        ]
    )
    stamp.write_text("ok\n")
    return BUILDER


def _tool(name: str) -> str:
    return str(builder() / "bin" / name)


def git(*args: str, cwd: Path) -> None:
    _run(["git", *args], cwd=cwd)


def _commit(root: Path, message: str) -> Path:
    (root / ".gitignore").write_text("__pycache__/\n*.pyc\n")
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", message, cwd=root)
    return root


# ---------------------------------------------------------------------------
# Django
# ---------------------------------------------------------------------------

DJANGO_DATABASES = '''
import os
from urllib.parse import unquote, urlsplit


def _database(url, test_name):
    """DATABASE_URL and TEST_DB_NAME from the worktree's variables (seedbed)."""
    if url.startswith("sqlite:///"):
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": unquote(url[len("sqlite:///"):]),
            "TEST": {"NAME": test_name},
        }
    parts = urlsplit(url)
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parts.path.lstrip("/")),
        "USER": unquote(parts.username or ""),
        "PASSWORD": unquote(parts.password or ""),
        "HOST": parts.hostname or "",
        "PORT": str(parts.port or ""),
        "TEST": {"NAME": test_name},
    }


DATABASES = {
    "default": _database(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        os.environ.get("TEST_DB_NAME") or None,
    )
}
DEBUG = os.environ.get("DEBUG", "0") == "1"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
'''

DJANGO_VIEWS = """from django.db import connection
from django.http import JsonResponse

from .models import Note


def index(request):
    name = str(connection.settings_dict["NAME"])
    return JsonResponse({"notes": Note.objects.count(), "database": name})


def add(request):
    Note.objects.create(text=request.GET.get("text", ""))
    return JsonResponse({"notes": Note.objects.count()})
"""

DJANGO_TESTS = """from django.db import connection
from django.test import TestCase

from .models import Note


class NoteTests(TestCase):
    def test_uses_the_worktree_test_database(self):
        import os

        Note.objects.create(text="x")
        self.assertEqual(Note.objects.count(), 1)
        expected = os.environ["TEST_DB_NAME"]
        self.assertEqual(str(connection.settings_dict["NAME"]), expected)
"""


def django_project(
    root: Path,
    database: str = "sqlite",
    server_url: str = "",
    template: str = "",
) -> Path:
    """`django-admin startproject` + `startapp notes` + `makemigrations`, on main."""
    root.mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=root)
    _run([_tool("django-admin"), "startproject", "mysite", "."], cwd=root)
    _run([_tool("python"), "manage.py", "startapp", "notes"], cwd=root)
    settings = root / "mysite" / "settings.py"
    text = settings.read_text()
    start = text.index("DATABASES = {")
    end = text.index("\n}\n", start) + 3
    text = text[:start] + DJANGO_DATABASES + text[end:]
    text = re.sub(
        r"(['\"]django\.contrib\.staticfiles['\"],)", r"\1\n    'notes',", text, count=1
    )
    settings.write_text(text)
    (root / "notes" / "models.py").write_text(
        "from django.db import models\n\n\nclass Note(models.Model):\n"
        "    text = models.CharField(max_length=200, blank=True)\n"
    )
    (root / "notes" / "views.py").write_text(DJANGO_VIEWS)
    (root / "notes" / "tests.py").write_text(DJANGO_TESTS)
    urls = root / "mysite" / "urls.py"
    urls.write_text(
        urls.read_text() + "\nfrom notes import views  # noqa: E402\n\n"
        "urlpatterns += [path('', views.index), path('add', views.add)]\n"
    )
    with tempfile.TemporaryDirectory() as scratch:
        _run(
            [_tool("python"), "manage.py", "makemigrations", "notes"],
            cwd=root,
            DATABASE_URL=f"sqlite:///{scratch}/build.sqlite3",
        )
    requirements = ["Django"]
    if database == "postgres":
        requirements.append("psycopg[binary]")
    (root / "requirements.txt").write_text("\n".join(requirements) + "\n")
    _resources_config(root, database, server_url, template)
    return _commit(root, "django sample from django-admin startproject")


def _resources_config(
    root: Path, database: str, server_url: str, template: str
) -> None:
    lines = ["[resources]", f'database = "{database}"']
    if server_url:
        lines.append(f'database_server = "{server_url}"')
    if template:
        lines.append(f'database_template = "{template}"')
    (root / ".seedbed.toml").write_text("\n".join(lines) + "\n")


# ---------------------------------------------------------------------------
# Flask (Flask-SQLAlchemy + Flask-Migrate)
# ---------------------------------------------------------------------------

FLASK_APP = """import os

from flask import Flask, jsonify, request
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy

db = SQLAlchemy()
migrate = Migrate()


class Note(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    text = db.Column(db.String(200), nullable=False, default="")


def create_app():
    app = Flask(__name__)
    app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    db.init_app(app)
    migrate.init_app(app, db)

    @app.get("/")
    def index():
        return jsonify(notes=db.session.query(Note).count(),
                       database=app.config["SQLALCHEMY_DATABASE_URI"])

    @app.get("/add")
    def add():
        db.session.add(Note(text=request.args.get("text", "")))
        db.session.commit()
        return jsonify(notes=db.session.query(Note).count())

    return app
"""


def flask_project(root: Path) -> Path:
    """A minimal Flask app; migrations generated by `flask db init/migrate`."""
    root.mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=root)
    (root / "app.py").write_text(FLASK_APP)
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/build.sqlite3"
        _run(
            [_tool("flask"), "--app", "app.py", "db", "init"],
            cwd=root,
            DATABASE_URL=url,
        )
        _run(
            [_tool("flask"), "--app", "app.py", "db", "migrate", "-m", "notes"],
            cwd=root,
            DATABASE_URL=url,
        )
    (root / "requirements.txt").write_text("Flask\nFlask-SQLAlchemy\nFlask-Migrate\n")
    return _commit(root, "flask sample")


# ---------------------------------------------------------------------------
# FastAPI (SQLAlchemy + alembic)
# ---------------------------------------------------------------------------

FASTAPI_MODELS = """from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    text: Mapped[str] = mapped_column(String(200), default="")
"""

FASTAPI_MAIN = """import os

from fastapi import FastAPI
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from service.models import Note

DATABASE_URL = os.environ["DATABASE_URL"]
engine = create_engine(DATABASE_URL)
api = FastAPI()


@api.get("/")
def index():
    with Session(engine) as session:
        count = session.scalar(select(func.count()).select_from(Note))
    return {"notes": count, "database": DATABASE_URL}


@api.get("/add")
def add(text: str = ""):
    with Session(engine) as session:
        session.add(Note(text=text))
        session.commit()
        return {"notes": session.scalar(select(func.count()).select_from(Note))}
"""


def fastapi_project(root: Path) -> Path:
    """A minimal FastAPI service; migrations from `alembic init` + autogenerate."""
    root.mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=root)
    package = root / "service"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(FASTAPI_MODELS)
    (package / "main.py").write_text(FASTAPI_MAIN)
    _run([_tool("alembic"), "init", "migrations"], cwd=root)
    env_py = root / "migrations" / "env.py"
    text = env_py.read_text()
    text = "import os\n" + text.replace(
        "config = context.config\n",
        'config = context.config\nconfig.set_main_option("sqlalchemy.url", '
        'os.environ["DATABASE_URL"])\n',
        1,
    ).replace(
        "target_metadata = None",
        "from service.models import Base\n\ntarget_metadata = Base.metadata",
        1,
    )
    env_py.write_text(text)
    with tempfile.TemporaryDirectory() as scratch:
        _run(
            [_tool("alembic"), "revision", "--autogenerate", "-m", "notes"],
            cwd=root,
            DATABASE_URL=f"sqlite:///{scratch}/build.sqlite3",
        )
    (root / "requirements.txt").write_text("fastapi\nuvicorn\nSQLAlchemy\nalembic\n")
    return _commit(root, "fastapi sample")


# ---------------------------------------------------------------------------
# Dev servers and HTTP
# ---------------------------------------------------------------------------


def wait_for_port(
    port: int, proc: subprocess.Popen[bytes], seconds: float = 60
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}")
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listened on 127.0.0.1:{port} within {seconds} s")


def get_json(
    port: int, path: str = "/", attempts: int = 20
) -> tuple[int, dict[str, object]]:
    """GET http://127.0.0.1:port/path (a reloader may still be starting)."""
    url = f"http://127.0.0.1:{port}{path}"
    for attempt in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, json.loads(response.read())
        except (ConnectionError, urllib.error.URLError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)
    raise AssertionError("unreachable")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """TERM the `seedbed serve` process (it forwards to the server's group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, 15)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 9)
        proc.wait(timeout=10)


# ---------------------------------------------------------------------------
# PostgreSQL
# ---------------------------------------------------------------------------

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


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


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
    _run(
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
    port = _free_port()
    with open(data / "postgresql.conf", "a") as conf:
        conf.write(
            f"port = {port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{directory}'\n"
            # A throwaway server: durability costs time and buys nothing here.
            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
        )
    _run(
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
