"""Real web sample projects (Django, Flask, FastAPI), made by the frameworks'
own generators.

A builder environment (uv, from the web wheelhouse, cached in .cache/) runs
`django-admin startproject`, `manage.py startapp` and `makemigrations`,
`flask db init/migrate`, `alembic init/revision`; worktrees then install
offline from the same wheelhouse (wheels.web_wheelhouse).
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from pathlib import Path

from tests.factories.commands import outside_env, run_tool
from tests.factories.git import git
from tests.factories.wheels import REPO, STAMP, WEB_PACKAGES, web_wheelhouse

BUILDER = REPO / ".cache" / "web-builder"


def builder() -> Path:
    """A venv with every framework, for running their generators."""
    wheels = web_wheelhouse()
    python = BUILDER / "bin" / "python"
    stamp = BUILDER / STAMP
    if python.exists() and stamp.is_file():
        return BUILDER
    shutil.rmtree(BUILDER, ignore_errors=True)
    run_tool(["uv", "venv", "-q", "--python", sys.executable, str(BUILDER)])
    run_tool(
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
            *WEB_PACKAGES,
        ]
    )
    stamp.write_text("ok\n")
    return BUILDER


def builder_tool(name: str) -> str:
    """The path of a framework tool (django-admin, flask, alembic, python)."""
    return str(builder() / "bin" / name)


def commit_sample(root: Path, message: str) -> Path:
    """Commit the sample on main, caches ignored (git outside the test's
    settings, as the generators run)."""
    (root / ".gitignore").write_text("__pycache__/\n*.pyc\n")
    git("add", "-A", cwd=root, env=outside_env())
    git("commit", "-q", "-m", message, cwd=root, env=outside_env())
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
    git("init", "-q", "-b", "main", cwd=root, env=outside_env())
    run_tool([builder_tool("django-admin"), "startproject", "mysite", "."], cwd=root)
    run_tool([builder_tool("python"), "manage.py", "startapp", "notes"], cwd=root)
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
        run_tool(
            [builder_tool("python"), "manage.py", "makemigrations", "notes"],
            cwd=root,
            DATABASE_URL=f"sqlite:///{scratch}/build.sqlite3",
        )
    requirements = ["Django"]
    if database == "postgres":
        requirements.append("psycopg[binary]")
    (root / "requirements.txt").write_text("\n".join(requirements) + "\n")
    _resources_config(root, database, server_url, template)
    return commit_sample(root, "django sample from django-admin startproject")


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
    git("init", "-q", "-b", "main", cwd=root, env=outside_env())
    (root / "app.py").write_text(FLASK_APP)
    with tempfile.TemporaryDirectory() as scratch:
        url = f"sqlite:///{scratch}/build.sqlite3"
        run_tool(
            [builder_tool("flask"), "--app", "app.py", "db", "init"],
            cwd=root,
            DATABASE_URL=url,
        )
        run_tool(
            [builder_tool("flask"), "--app", "app.py", "db", "migrate", "-m", "notes"],
            cwd=root,
            DATABASE_URL=url,
        )
    (root / "requirements.txt").write_text("Flask\nFlask-SQLAlchemy\nFlask-Migrate\n")
    return commit_sample(root, "flask sample")


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
    git("init", "-q", "-b", "main", cwd=root, env=outside_env())
    package = root / "service"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "models.py").write_text(FASTAPI_MODELS)
    (package / "main.py").write_text(FASTAPI_MAIN)
    run_tool([builder_tool("alembic"), "init", "migrations"], cwd=root)
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
        run_tool(
            [builder_tool("alembic"), "revision", "--autogenerate", "-m", "notes"],
            cwd=root,
            DATABASE_URL=f"sqlite:///{scratch}/build.sqlite3",
        )
    (root / "requirements.txt").write_text("fastapi\nuvicorn\nSQLAlchemy\nalembic\n")
    return commit_sample(root, "fastapi sample")
