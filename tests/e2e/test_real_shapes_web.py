"""Real project shapes (issue 13): a stock Django project, a library with example
apps, a FastAPI backend/ with a tracked .env, Django on PostgreSQL by default.

Each sample is built here with the frameworks' own generators (tests/factories/web
builder), worktrees are made by `git worktree add` through the real hook, and
installs come from the local web wheelhouse with real uv.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest
from seedbed.plugins.resources import dotenv, ports

from tests.conftest import BIN, require, seedbed, worktree_add
from tests.factories.commands import run_tool
from tests.factories.git import git
from tests.factories.postgres import PostgresServer
from tests.factories.servers import get_json, stop, wait_for_port
from tests.factories.web import DJANGO_DATABASES, builder_tool, commit_sample
from tests.factories.wheels import offline_env, web_wheelhouse

COUNTING_MIGRATION = """import os

from django.db import migrations


def count(apps, schema_editor):
    log = os.environ.get("SEEDBED_TEST_MIGRATE_LOG")
    if log:
        with open(log, "a") as handle:
            handle.write(os.getcwd() + "\\n")


class Migration(migrations.Migration):
    dependencies = [("notes", "0001_initial")]
    operations = [migrations.RunPython(count, migrations.RunPython.noop)]
"""
TEST_SETTINGS = "from .settings import *  # noqa: F403\n\nTESTING = True\n"
SETTINGS_TEST = """from django.conf import settings
from django.test import SimpleTestCase


class SettingsTests(SimpleTestCase):
    def test_runs_with_the_test_settings(self):
        self.assertTrue(getattr(settings, "TESTING", False))
"""


@pytest.fixture
def web(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    require("uv")
    wheels = web_wheelhouse()
    for name, value in offline_env(wheels).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("SEEDBED_TEST_MIGRATE_LOG", str(tmp_path / "migrate.log"))
    return tmp_path / "migrate.log"


def startproject(root: Path, settings_databases: str = "") -> Path:
    """django-admin startproject + an app with a counting data migration; the
    settings are the stock ones unless settings_databases replaces DATABASES."""
    root.mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=root)
    run_tool([builder_tool("django-admin"), "startproject", "mysite", "."], cwd=root)
    run_tool([builder_tool("python"), "manage.py", "startapp", "notes"], cwd=root)
    settings = root / "mysite" / "settings.py"
    text = settings.read_text().replace(
        "'django.contrib.staticfiles',", "'django.contrib.staticfiles',\n    'notes',"
    )
    text = text.replace(
        '"django.contrib.staticfiles",', '"django.contrib.staticfiles",\n    "notes",'
    )
    if settings_databases:
        start = text.index("DATABASES = {")
        end = text.index("\n}\n", start) + 3
        text = text[:start] + settings_databases + text[end:]
    settings.write_text(text)
    (root / "notes" / "models.py").write_text(
        "from django.db import models\n\n\nclass Note(models.Model):\n"
        "    text = models.CharField(max_length=200, blank=True)\n"
    )
    scratch = root.parent / f"{root.name}-build.sqlite3"
    run_tool(
        [builder_tool("python"), "manage.py", "makemigrations", "notes"],
        cwd=root,
        DATABASE_URL=f"sqlite:///{scratch}",
    )
    (root / "db.sqlite3").unlink(missing_ok=True)  # makemigrations' connection
    (root / "notes" / "migrations" / "0002_count.py").write_text(COUNTING_MIGRATION)
    (root / "mysite" / "test_settings.py").write_text(TEST_SETTINGS)
    (root / "notes" / "tests.py").write_text(SETTINGS_TEST)
    requirements = ["Django"]
    if settings_databases:
        requirements.append("psycopg[binary]")
    (root / "requirements.txt").write_text("\n".join(requirements) + "\n")
    return commit_sample(root, "django-admin startproject")


def add_worktree(main: Path, path: Path) -> None:
    result = worktree_add(main, path, path.name)
    assert result.returncode == 0, result.stderr
    info = json.loads(seedbed("status", "--json", cwd=path).stdout)
    assert info["status"] == "ready", (path / ".seedbed/setup.log").read_text()


def migrate_runs(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_stock_django_uses_its_own_sqlite_and_the_next_worktree_clones_it(
    tmp_path: Path, web: Path
) -> None:
    main = startproject(tmp_path / "site")
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    a, b = tmp_path / "wt-a", tmp_path / "wt-b"
    add_worktree(main, a)
    # The app reads no DATABASE_URL: none is written; its own file is migrated.
    values = dotenv.read(a / ".env")
    assert "DATABASE_URL" not in values and values["PORT"]
    with sqlite3.connect(a / "db.sqlite3") as conn:
        applied = conn.execute(
            "SELECT count(*) FROM django_migrations WHERE app = 'notes'"
        ).fetchone()
    assert applied == (2,)
    assert not (a / ".seedbed" / "db.sqlite3").exists()
    assert migrate_runs(web) == [str(a)]
    # The second worktree starts from a's migrated database: nothing re-runs.
    add_worktree(main, b)
    assert migrate_runs(web) == [str(a)]
    state = json.loads((b / ".seedbed" / "resources.json").read_text())
    assert state["cloned_from"] == str(a / "db.sqlite3")
    assert (b / "db.sqlite3").is_file()
    # ls shows the database the app really uses.
    rows = json.loads(seedbed("ls", "--json", cwd=main).stdout)["worktrees"]
    shown = {row["path"]: row["database"] for row in rows}
    assert shown[str(b)] == str(b / "db.sqlite3")
    # seedbed test uses the project's test settings module.
    out = seedbed("test", cwd=b, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert git("status", "--porcelain", cwd=b) == ""


LIBRARY = '''"""A tiny web library.

Usage::

    from flask import Flask
    app = Flask(__name__)
"""
# app = Flask(__name__)
'''
LIBRARY_TEST = """import os


def test_no_app_was_invented():
    assert "FLASK_APP" not in os.environ
"""


def test_a_library_gets_no_app_and_seedbed_test_runs_pytest(
    tmp_path: Path, web: Path
) -> None:
    main = tmp_path / "weblib"
    main.mkdir()
    git("init", "-q", "-b", "main", cwd=main)
    (main / "weblib").mkdir()
    (main / "weblib" / "__init__.py").write_text(LIBRARY)
    tutorial = main / "examples" / "tutorial"
    tutorial.mkdir(parents=True)
    (tutorial / "app.py").write_text(
        "from flask import Flask\n\n\ndef create_app():\n    return Flask(__name__)\n"
    )
    (main / "tests").mkdir()
    (main / "tests" / "test_lib.py").write_text(LIBRARY_TEST)
    (main / "requirements.txt").write_text("Flask\npytest\n")
    commit_sample(main, "a library")
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    a = tmp_path / "wt-a"
    add_worktree(main, a)
    assert not (a / ".env").exists()
    detected = json.loads(seedbed("frameworks", "--json", cwd=a).stdout)["detected"]
    assert detected == []
    out = seedbed("test", "--", "-q", cwd=a, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "1 passed" in out.stdout + out.stderr


BACKEND_MAIN = """import os

from fastapi import FastAPI

DATABASE_URL = os.environ["DATABASE_URL"]
app = FastAPI()


@app.get("/")
def index():
    return {"cwd": os.getcwd(), "database": DATABASE_URL}
"""
BACKEND_TEST = """import os
from pathlib import Path


def test_runs_in_backend_with_the_worktree_database():
    assert Path.cwd().name == "backend"
    assert os.environ["DATABASE_URL"].startswith("sqlite:///")
"""


def test_fastapi_backend_with_a_tracked_env(tmp_path: Path, web: Path) -> None:
    main = tmp_path / "template"
    backend = main / "backend"
    (backend / "app").mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=main)
    (backend / "app" / "__init__.py").write_text("")
    (backend / "app" / "main.py").write_text(BACKEND_MAIN)
    (backend / "app" / "models.py").write_text(
        "from sqlalchemy import Column, Integer, MetaData, Table\n\n"
        "metadata = MetaData()\nnotes = Table('notes', metadata, "
        "Column('id', Integer, primary_key=True))\n"
    )
    run_tool([builder_tool("alembic"), "init", "migrations"], cwd=backend)
    env_py = backend / "migrations" / "env.py"
    env_py.write_text(
        "import os\n"
        + env_py.read_text()
        .replace(
            "config = context.config\n",
            'config = context.config\nconfig.set_main_option("sqlalchemy.url", '
            'os.environ["DATABASE_URL"])\n',
            1,
        )
        .replace(
            "target_metadata = None",
            "from app.models import metadata\n\ntarget_metadata = metadata",
            1,
        )
    )
    scratch = tmp_path / "build.sqlite3"
    run_tool(
        [builder_tool("alembic"), "revision", "--autogenerate", "-m", "notes"],
        cwd=backend,
        DATABASE_URL=f"sqlite:///{scratch}",
        PYTHONPATH=str(backend),
    )
    (backend / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\npythonpath = ["."]\n'
    )
    (backend / "tests").mkdir()
    (backend / "tests" / "test_app.py").write_text(BACKEND_TEST)
    (main / "requirements.txt").write_text(
        "fastapi\nuvicorn\nSQLAlchemy\nalembic\npytest\n"
    )
    (main / ".env").write_text("PROJECT_NAME=committed\n")
    commit_sample(main, "template with backend/ and a committed .env")
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    a = tmp_path / "wt-a"
    add_worktree(main, a)
    assert (a / ".env").read_text() == "PROJECT_NAME=committed\n"
    assert git("status", "--porcelain", cwd=a) == ""
    state = json.loads((a / ".seedbed" / "resources.json").read_text())
    assert state["env_file"] == "" and "tracked by git" in state["env_note"]
    database = a / ".seedbed" / "db.sqlite3"
    with sqlite3.connect(database) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    assert "notes" in tables  # alembic ran in backend/
    frameworks = json.loads(seedbed("frameworks", "--json", cwd=a).stdout)
    (found,) = frameworks["detected"]
    assert found["target"] == "app.main:app" and found["folder"] == "backend"
    # serve and test run in backend/, with the per-worktree values.
    out = seedbed("test", "--", "-q", cwd=a, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    block = ports.Registry().get(a)
    assert block is not None
    proc = subprocess.Popen(
        [str(BIN / "seedbed"), "serve"],
        cwd=a,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_port(block.start, proc, seconds=90)
        status, body = get_json(block.start)
    finally:
        stop(proc)
    assert status == 200 and body["cwd"] == str(a / "backend")
    assert body["database"] == f"sqlite:///{database}"


def test_django_on_postgres_by_default_clones_with_a_template(
    tmp_path: Path, web: Path, pg: PostgresServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("PGPASSWORD", raising=False)
    Path(os.environ["SEEDBED_CONFIG"]).write_text(
        f'[resources]\ndatabase_password = "{pg.password}"\n'
    )
    databases = DJANGO_DATABASES.replace(
        "f\"sqlite:///{BASE_DIR / 'db.sqlite3'}\"", '"postgres:///shop"'
    )
    assert "postgres:///shop" in databases
    main = startproject(tmp_path / "shop", databases)
    (main / ".seedbed.toml").write_text(f'[resources]\ndatabase_server = "{pg.url}"\n')
    commit_sample(main, "the server to use")
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    a, b = tmp_path / "wt-a", tmp_path / "wt-b"
    add_worktree(main, a)
    url_a = dotenv.read(a / ".env")["DATABASE_URL"]
    assert url_a.startswith("postgresql://")  # never moved to SQLite
    add_worktree(main, b)
    name_a = url_a.rsplit("/", 1)[1]
    name_b = dotenv.read(b / ".env")["DATABASE_URL"].rsplit("/", 1)[1]
    assert {name_a, name_b} <= pg.databases()
    state = json.loads((b / ".seedbed" / "resources.json").read_text())
    assert state["cloned_from"] == name_a
    assert migrate_runs(web) == [str(a)]
    with pg.connect(name_b) as conn:
        applied = conn.execute(
            "SELECT count(*) FROM django_migrations WHERE app = 'notes'"
        ).fetchone()
    assert applied == (2,)


def test_env_follows_its_inputs_through_the_cli(tmp_path: Path, offline: Path) -> None:
    """Trial defect 9: after .flaskenv appears, `seedbed run` and `.env` agree;
    a user's own line below seedbed's block is what both say."""
    root = tmp_path / "p"
    root.mkdir()
    git("init", "-q", "-b", "main", cwd=root)
    (root / "app.py").write_text("from flask import Flask\napp = Flask(__name__)\n")
    (root / "wsgi.py").write_text("from flask import Flask\nw = Flask(__name__)\n")
    (root / "requirements.txt").write_text("")
    commit_sample(root, "two apps")
    assert seedbed("setup", cwd=root).returncode == 0
    assert dotenv.read(root / ".env")["FLASK_APP"] == str(root / "app.py")
    (root / ".flaskenv").write_text("FLASK_APP=wsgi.py\n")
    with (root / ".env").open("a") as handle:
        handle.write("FLASK_DEBUG=0\n")
    script = 'printf "%s %s" "$FLASK_APP" "$FLASK_DEBUG"'
    out = seedbed("run", "--", "sh", "-c", script, cwd=root)
    assert out.returncode == 0, out.stderr
    assert out.stdout == f"{root / 'wsgi.py'} 0"
    values = dotenv.read(root / ".env")
    assert values["FLASK_APP"] == str(root / "wsgi.py")
    assert values["FLASK_DEBUG"] == "0"
    _, block, _ = dotenv.split((root / ".env").read_text())
    assert "FLASK_DEBUG" not in block
