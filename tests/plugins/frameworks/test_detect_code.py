"""Apps found from code (ast), declared apps, subfolder apps, libraries, tests.

Issue 13 findings 1 and 7 (backend/), trial defects 4, 6 and 13.
"""

from __future__ import annotations

from pathlib import Path

from seedbed.core.config import Source
from seedbed.core.workspace import Workspace
from seedbed.plugins import resources
from seedbed.plugins.frameworks import django, fastapi, flask
from seedbed.plugins.resources.settings import CONFIG_KEYS

from tests.plugins.frameworks.test_detect import MANAGE, write


def workspace(root: Path, **section: object) -> Workspace:
    sources = [Source("test", {"resources": section})] if section else []
    keys = [
        *CONFIG_KEYS,
        *fastapi.seedbed_config_keys(),
        *flask.seedbed_config_keys(),
    ]
    return Workspace.discover(root, keys, sources)


DOCSTRING_APP = '''"""The application object.

Example::

    from flask import Flask
    app = Flask(__name__)
"""
# app = Flask(__name__)
from flask import Flask
EXAMPLE = "app = Flask(__name__)"


class Flask2(Flask):
    def make(self):
        app = Flask(__name__)
        return app
'''


def test_an_app_in_a_docstring_comment_or_string_is_not_an_app(repo: Path) -> None:
    write(repo, "src/webframe/app.py", DOCSTRING_APP)
    assert flask.FRAMEWORK.detect(workspace(repo)) is None


def test_a_library_with_example_apps_is_not_an_app(repo: Path) -> None:
    """A framework's own repository: relative imports in the package, the apps
    under examples/ and tests/ only."""
    write(repo, "src/webframe/__init__.py", "from .app import Flask\n")
    write(repo, "src/webframe/app.py", "class Flask:\n    pass\n")
    factory = (
        "from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n"
    )
    write(repo, "examples/tutorial/flaskr/__init__.py", factory)
    write(repo, "tests/conftest.py", "from flask import Flask\napp = Flask('t')\n")
    write(repo, "docs/conf.py", "import flask\napp = flask.Flask('d')\n")
    ws = workspace(repo)
    assert resources.detected(ws) == []
    # The project names the app it wants served: the Flask setting.
    named = workspace(repo, flask_app="examples/tutorial/flaskr")
    found = flask.FRAMEWORK.detect(named)
    assert found and found.target == "examples/tutorial/flaskr"
    assert found.evidence == ("resources.flask_app",)
    assert flask.FRAMEWORK.env(named, found)["FLASK_APP"] == str(
        repo / "examples/tutorial/flaskr"
    )


def test_flask_app_declared_in_flaskenv_or_env_example(repo: Path) -> None:
    write(repo, "app.py", "from flask import Flask\napp = Flask(__name__)\n")
    write(repo, "wsgi.py", "from flask import Flask\nother = Flask(__name__)\n")
    write(repo, ".env.example", "FLASK_APP=wsgi.py\nSECRET_KEY=change-me\n")
    found = flask.FRAMEWORK.detect(workspace(repo))
    assert found and found.target == "wsgi.py"
    assert found.evidence == (".env.example FLASK_APP",)
    write(repo, ".flaskenv", "FLASK_APP=app.py\n")
    found = flask.FRAMEWORK.detect(workspace(repo))
    assert found and found.target == "app.py"


def test_real_definitions_are_found(repo: Path) -> None:
    write(repo, "pkg/web.py", "import flask as f\n\nweb: f.Flask = f.Flask(__name__)\n")
    found = flask.FRAMEWORK.detect(workspace(repo))
    assert found and found.target == "pkg/web.py"
    assert found.evidence == ("pkg/web.py: web = Flask(...)",)
    write(repo, "svc/main.py", "from fastapi import FastAPI as F\n")
    assert fastapi.FRAMEWORK.detect(workspace(repo)) is None  # aliased class name
    write(repo, "svc/main.py", "from fastapi import FastAPI\napi = FastAPI()\n")
    found = fastapi.FRAMEWORK.detect(workspace(repo))
    assert found and found.target == "svc.main:api"


def test_fastapi_in_a_backend_folder_runs_there(repo: Path) -> None:
    """A template's shape: backend/ with its own pyproject and alembic.ini."""
    write(repo, "pyproject.toml", '[project]\nname = "root"\nversion = "0"\n')
    write(repo, "backend/pyproject.toml", '[project]\nname = "app"\nversion = "0"\n')
    write(repo, "backend/alembic.ini", "[alembic]\nscript_location = app/alembic\n")
    write(repo, "backend/app/__init__.py", "")
    write(repo, "backend/app/main.py", "from fastapi import FastAPI\napp = FastAPI()\n")
    ws = workspace(repo)
    found = fastapi.FRAMEWORK.detect(ws)
    assert found and found.target == "app.main:app"
    assert found.as_dict()["folder"] == "backend"
    serve = fastapi.FRAMEWORK.serve_command(ws, found, 8001).argv
    assert serve[serve.index("--app-dir") + 1] == str(repo / "backend")
    from seedbed.core.types import FrameworkContext, RunCommand

    context = FrameworkContext(ws, found, {}, lambda argv: RunCommand(tuple(argv)))
    (step,) = fastapi.FRAMEWORK.setup_steps(context)
    assert step.name == "alembic upgrade" and step.cwd == repo / "backend"


def test_fastapi_from_a_compose_command(repo: Path) -> None:
    write(
        repo,
        "compose.yaml",
        "services:\n  api:\n    # command: uvicorn wrong.place:app\n"
        "    command: uvicorn --reload service.api:application --port 80\n",
    )
    found = fastapi.FRAMEWORK.detect(workspace(repo))
    assert found and found.target == "service.api:application"


def test_django_settings_parsed_and_test_settings_used(repo: Path) -> None:
    manage = "# DJANGO_SETTINGS_MODULE', 'wrong.settings'\n" + MANAGE
    write(repo, "manage.py", manage)
    write(repo, "mysite/__init__.py", "")
    write(repo, "mysite/settings.py", "DEBUG = True\n")
    ws = workspace(repo)
    found = django.FRAMEWORK.detect(ws)
    assert found and django.FRAMEWORK.env(ws, found) == {
        "DJANGO_SETTINGS_MODULE": "mysite.settings"
    }
    plain = django.FRAMEWORK.test_command(ws, found, [])
    assert "--settings" not in plain.argv
    write(repo, "mysite/test_settings.py", "from .settings import *\n")
    spec = django.FRAMEWORK.test_command(ws, found, ["-v", "2"])
    assert spec.argv[-4:] == ("--settings", "mysite.test_settings", "-v", "2")
    assert spec.env == {"DJANGO_SETTINGS_MODULE": "mysite.test_settings"}


def test_django_settings_package_test_module_and_pytest_config(repo: Path) -> None:
    write(
        repo,
        "manage.py",
        "import os\nos.environ.setdefault("
        "'DJANGO_SETTINGS_MODULE', 'config.settings.local')\n",
    )
    for name in ("__init__", "base", "local", "test"):
        write(repo, f"config/settings/{name}.py", "")
    ws = workspace(repo)
    found = django.FRAMEWORK.detect(ws)
    assert found is not None
    spec = django.FRAMEWORK.test_command(ws, found, [])
    assert spec.env == {"DJANGO_SETTINGS_MODULE": "config.settings.test"}
    # pytest-django: the module pytest's configuration names, not seedbed's.
    write(
        repo, "pytest.ini", "[pytest]\nDJANGO_SETTINGS_MODULE = config.settings.test\n"
    )
    spec = django.FRAMEWORK.test_command(ws, found, [])
    assert spec.argv == ("python", "-m", "pytest")
    assert spec.env == {"DJANGO_SETTINGS_MODULE": "config.settings.test"}
