"""The database the project expects, one truth per worktree, tracked `.env`.

Issue 13 findings 3, 4, 5, 7; trial defects 5, 7, 9.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from seedbed.core.errors import EXIT_DATABASE, SeedbedError
from seedbed.core.workspace import Workspace
from seedbed.plugins import resources
from seedbed.plugins.resources import database, dotenv, project
from seedbed.plugins.resources.provision import provision, read_state
from seedbed.plugins.resources.settings import settings

from tests.factories.git import git
from tests.factories.servers import closed_port
from tests.plugins.frameworks.test_detect import write
from tests.plugins.frameworks.test_detect_code import workspace
from tests.plugins.resources.test_resources import pip_manager

MANAGE = (
    "import os\nos.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"
)
STOCK_SETTINGS = """from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
# DATABASE_URL is not read here: the stock settings of django-admin startproject.
DATABASES = {
    'default': {
        'ENGINE': 'django.db.backends.sqlite3',
        'NAME': BASE_DIR / 'db.sqlite3',
    }
}
"""
ENVIRON_SETTINGS = """import environ
env = environ.Env()
DATABASES = {"default": env.db("DATABASE_URL", default="postgres:///shop")}
"""


def django_repo(repo: Path, settings_text: str) -> Workspace:
    write(repo, "manage.py", MANAGE)
    write(repo, "mysite/__init__.py", "")
    write(repo, "mysite/settings.py", settings_text)
    return workspace(repo)


def test_stock_django_gets_no_database_url_and_its_own_file_is_reported(
    repo: Path,
) -> None:
    ws = django_repo(repo, STOCK_SETTINGS)
    found = resources.detected(ws)
    expected = project.expected(ws, found)
    assert (expected.engine, expected.reads_url) == ("sqlite", False)
    config = settings(ws, found)
    assert config.database is None
    assert config.reported and config.reported.name == str(repo / "db.sqlite3")
    provision(ws, config, found)
    values = dotenv.read(repo / ".env")
    assert "DATABASE_URL" not in values and "TEST_DB_NAME" not in values
    assert "DATABASE_URL" not in resources.seedbed_run_env(ws)
    shown = database.Records(ws.common_dir).all()[str(repo)]
    assert shown.name == str(repo / "db.sqlite3") and not shown.managed
    assert not database.drop(shown)  # the app's own file is never dropped by gc


def test_postgres_project_is_never_moved_to_sqlite(repo: Path) -> None:
    pytest.importorskip("psycopg")
    ws = django_repo(repo, ENVIRON_SETTINGS)
    found = resources.detected(ws)
    expected = project.expected(ws, found)
    assert (expected.engine, expected.reads_url) == ("postgres", True)
    unreachable = workspace(
        repo, database_server=f"postgresql://x@127.0.0.1:{closed_port()}"
    )
    config = settings(unreachable, found)
    assert config.database and config.database.engine == "postgres"
    from seedbed.core.interpreters import find, request_for
    from seedbed.core.types import SetupContext

    context = SetupContext(
        unreachable,
        find(request_for(repo, "", {})),
        "uv",
        manager=pip_manager(),
    )
    with pytest.raises(SeedbedError) as caught:
        resources.seedbed_setup_steps(context)
    assert caught.value.exit_code == EXIT_DATABASE
    assert "this project uses PostgreSQL (mysite/settings.py" in caught.value.message
    assert "resources.database_server" in caught.value.hint
    # Choosing SQLite is the user's, explicitly.
    chosen = settings(workspace(repo, database="sqlite"), found)
    assert chosen.database and chosen.database.engine == "sqlite"


@pytest.mark.parametrize(
    ("name", "text"),
    [
        (".env.example", "DATABASE_URL=postgresql://app@localhost/app\n"),
        ("compose.yaml", "services:\n  db:\n    image: postgres:16\n"),
    ],
)
def test_engine_from_env_example_or_compose(repo: Path, name: str, text: str) -> None:
    write(
        repo,
        "app.py",
        "import os\nfrom flask import Flask\napp = Flask(__name__)\n"
        "URL = os.environ['DATABASE_URL']\n",
    )
    write(repo, name, text)
    ws = workspace(repo)
    assert project.expected(ws, resources.detected(ws)).engine == "postgres"


def test_a_tracked_env_is_never_modified_and_never_fails(repo: Path) -> None:
    write(repo, "app.py", "from flask import Flask\napp = Flask(__name__)\n")
    write(repo, ".env", "SECRET_KEY=committed\n")
    git("add", ".env", "app.py", cwd=repo)
    git("commit", "-q", "-m", "template with a .env", cwd=repo)
    ws = workspace(repo)
    found = resources.detected(ws)
    provision(ws, settings(ws, found), found)
    assert (repo / ".env").read_text() == "SECRET_KEY=committed\n"
    assert git("status", "--porcelain", cwd=repo) == ""
    state = read_state(repo)
    assert state["env_file"] == "" and "tracked by git" in state["env_note"]
    env = resources.seedbed_run_env(ws)
    assert env["FLASK_APP"] == str(repo / "app.py") and env["PORT"]
    assert (repo / ".env").read_text() == "SECRET_KEY=committed\n"


def test_the_users_own_line_wins_and_env_follows_its_inputs(repo: Path) -> None:
    write(repo, "app.py", "from flask import Flask\napp = Flask(__name__)\n")
    write(repo, "wsgi.py", "from flask import Flask\nw = Flask(__name__)\n")
    write(repo, ".env", "FLASK_DEBUG=0\n")
    ws = workspace(repo)
    found = resources.detected(ws)
    provision(ws, settings(ws, found), found)
    before, block, _ = dotenv.split((repo / ".env").read_text())
    assert before == "FLASK_DEBUG=0\n" and "FLASK_DEBUG" not in block
    assert dotenv.read(repo / ".env")["FLASK_DEBUG"] == "0"
    assert resources.seedbed_run_env(ws)["FLASK_DEBUG"] == "0"
    assert read_state(repo)["kept_user_values"] == ["FLASK_DEBUG"]
    # .flaskenv appears: run computes the new app and .env says the same.
    write(repo, ".flaskenv", "FLASK_APP=wsgi.py\n")
    fresh = workspace(repo)
    env = resources.seedbed_run_env(fresh)
    assert env["FLASK_APP"] == str(repo / "wsgi.py")
    assert dotenv.read(repo / ".env")["FLASK_APP"] == env["FLASK_APP"]
    assert json.loads((repo / ".seedbed" / "resources.json").read_text())


SQLITE_UNLESS_URL_SETTINGS = """import os
import dj_database_url
from pathlib import Path
BASE_DIR = Path(__file__).resolve().parent.parent
if "DATABASE_URL" in os.environ:
    DATABASES = {"default": dj_database_url.config(conn_max_age=600)}
    if os.environ["DATABASE_URL"].startswith("postgres://"):
        DATABASES["default"]["OPTIONS"] = {"sslmode": "require"}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
        }
    }
"""


def test_settings_that_default_to_sqlite_stay_on_sqlite(repo: Path) -> None:
    """A PostgreSQL branch for deployments (and a postgres service in a compose
    file) does not move a project whose local default is SQLite."""
    ws = django_repo(repo, SQLITE_UNLESS_URL_SETTINGS)
    write(repo, "docker-compose.yml", "services:\n  db:\n    image: postgres:16\n")
    expected = project.expected(ws, resources.detected(ws))
    assert (expected.engine, expected.reads_url) == ("sqlite", True)
    assert any("defaults to SQLite" in e for e in expected.evidence)


def test_settings_with_only_a_postgres_default_get_postgres(repo: Path) -> None:
    ws = django_repo(repo, ENVIRON_SETTINGS)
    assert project.expected(ws, resources.detected(ws)).engine == "postgres"
