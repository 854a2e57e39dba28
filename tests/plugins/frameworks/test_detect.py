"""Framework detection, commands and the registry, on real files (no installs)."""

from __future__ import annotations

from pathlib import Path

import pluggy
import pytest
from seedbed.core import hookspecs
from seedbed.core.config import Source
from seedbed.core.discovery import FrameworkRegistry
from seedbed.core.errors import EXIT_CONFIG, EXIT_NOT_FOUND, SeedbedError
from seedbed.core.types import Framework
from seedbed.core.workspace import Workspace
from seedbed.plugins.frameworks import django, fastapi, flask
from seedbed.plugins.resources.settings import CONFIG_KEYS


def workspace(root: Path, **section: object) -> Workspace:
    sources = [Source("test", {"resources": section})] if section else []
    keys = [*CONFIG_KEYS, *fastapi.seedbed_config_keys()]
    return Workspace.discover(root, keys, sources)


def write(root: Path, name: str, text: str) -> None:
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


MANAGE = (
    "import os, sys\n"
    "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'mysite.settings')\n"
)


def test_django_from_manage_py(repo: Path) -> None:
    write(repo, "manage.py", MANAGE)
    ws = workspace(repo)
    found = django.FRAMEWORK.detect(ws)
    assert found and found.target == "manage.py"
    assert django.FRAMEWORK.env(ws, found) == {
        "DJANGO_SETTINGS_MODULE": "mysite.settings"
    }
    serve = django.FRAMEWORK.serve_command(ws, found, 8123)
    assert serve.argv == (
        "python",
        str(repo / "manage.py"),
        "runserver",
        "127.0.0.1:8123",
    )
    assert django.FRAMEWORK.test_command(ws, found, ["-v", "2"]).argv[-3:] == (
        "--noinput",
        "-v",
        "2",
    )
    write(repo, "pytest.ini", "[pytest]\nDJANGO_SETTINGS_MODULE = mysite.settings\n")
    assert django.FRAMEWORK.test_command(ws, found, []).argv == (
        "python",
        "-m",
        "pytest",
    )


def test_django_manage_py_one_folder_down(repo: Path) -> None:
    write(repo, "admin/manage.py", MANAGE)
    found = django.FRAMEWORK.detect(workspace(repo))
    assert found and found.target == "admin/manage.py"


def test_a_manage_py_that_is_not_django_is_ignored(repo: Path) -> None:
    write(repo, "manage.py", "print('something else')\n")
    assert django.FRAMEWORK.detect(workspace(repo)) is None


def test_flask_app_factory_and_flaskenv(repo: Path) -> None:
    write(
        repo,
        "src/shop/__init__.py",
        "from flask import Flask\n\ndef create_app():\n    return Flask(__name__)\n",
    )
    ws = workspace(repo)
    found = flask.FRAMEWORK.detect(ws)
    assert found and found.target == "src/shop/__init__.py"
    serve = flask.FRAMEWORK.serve_command(ws, found, 8200).argv
    assert serve[:5] == ("python", "-m", "flask", "--app", str(repo / found.target))
    assert serve[-4:] == ("--host", "127.0.0.1", "--port", "8200")
    write(repo, ".flaskenv", "FLASK_APP=wsgi:make()\n")
    found = flask.FRAMEWORK.detect(ws)
    assert found and found.target == "wsgi:make()"
    assert flask.FRAMEWORK.env(ws, found)["FLASK_APP"] == "wsgi:make()"


def test_flask_migrate_adds_the_upgrade_step_only_when_used(repo: Path) -> None:
    write(repo, "app.py", "import flask\napp = flask.Flask(__name__)\n")
    ws = workspace(repo)
    found = flask.FRAMEWORK.detect(ws)
    assert found is not None
    context = _context(ws, found)
    assert flask.FRAMEWORK.setup_steps(context) == []
    write(repo, "migrations/env.py", "")
    write(
        repo,
        "app.py",
        "import flask\nfrom flask_migrate import Migrate\n"
        "app = flask.Flask(__name__)\n",
    )
    steps = flask.FRAMEWORK.setup_steps(_context(ws, found))
    assert [s.name for s in steps] == ["flask db upgrade"]
    assert steps[0].argv[-2:] == ("db", "upgrade")
    assert steps[0].env["DATABASE_URL"] == "sqlite:///x"


def test_fastapi_found_by_scanning_and_configured(repo: Path) -> None:
    write(repo, "service/__init__.py", "")
    write(repo, "service/main.py", "from fastapi import FastAPI\n\napi = FastAPI()\n")
    write(repo, ".venv/lib/site.py", "from fastapi import FastAPI\nx = FastAPI()\n")
    ws = workspace(repo)
    found = fastapi.FRAMEWORK.detect(ws)
    assert found and found.target == "service.main:api"
    argv = fastapi.FRAMEWORK.serve_command(ws, found, 8300).argv
    assert argv[:4] == ("python", "-m", "uvicorn", "service.main:api")
    assert "--reload" in argv and argv[argv.index("--port") + 1] == "8300"
    assert argv[argv.index("--reload-dir") + 1] == str(repo / "service")
    assert fastapi.FRAMEWORK.setup_steps(_context(ws, found)) == []
    write(repo, "alembic.ini", "[alembic]\n")
    steps = fastapi.FRAMEWORK.setup_steps(_context(ws, found))
    assert steps[0].argv[-3:] == ("alembic", "upgrade", "head")
    configured = workspace(repo, fastapi_app="other.app:application")
    found = fastapi.FRAMEWORK.detect(configured)
    assert found and found.target == "other.app:application"


def test_fastapi_in_a_src_layout(repo: Path) -> None:
    write(repo, "src/api/__init__.py", "")
    write(repo, "src/api/app.py", "import fastapi\napp = fastapi.FastAPI(title='x')\n")
    ws = workspace(repo)
    found = fastapi.FRAMEWORK.detect(ws)
    assert found and found.target == "api.app:app"
    argv = fastapi.FRAMEWORK.serve_command(ws, found, 1).argv
    assert argv[argv.index("--app-dir") + 1] == str(repo / "src")


def test_nothing_detected_in_a_plain_project(repo: Path) -> None:
    write(repo, "lib.py", "def f():\n    return 'FastAPI( Flask('\n")
    ws = workspace(repo)
    assert all(
        f.detect(ws) is None
        for f in (django.FRAMEWORK, flask.FRAMEWORK, fastapi.FRAMEWORK)
    )


def _context(ws: Workspace, found: object):  # type: ignore[no-untyped-def]
    from seedbed.core.types import FrameworkContext, RunCommand

    return FrameworkContext(
        ws,
        found,
        {"DATABASE_URL": "sqlite:///x"},  # type: ignore[arg-type]
        lambda argv: RunCommand(tuple(argv), {"PATH": "/env/bin"}),
    )


# --- the registry -------------------------------------------------------------


def manager_with(*plugins: object) -> pluggy.PluginManager:
    pm = pluggy.PluginManager("seedbed")
    pm.add_hookspecs(hookspecs)
    for i, plugin in enumerate(plugins):
        pm.register(plugin, name=f"p{i}")
    return pm


class Offers:
    def __init__(self, *frameworks: object) -> None:
        self.frameworks = frameworks

    @hookspecs.hookimpl
    def seedbed_frameworks(self) -> list[object]:
        return list(self.frameworks)


def test_two_plugins_with_one_framework_name_is_an_error_naming_both() -> None:
    pm = manager_with(Offers(django.FRAMEWORK), Offers(django.DjangoFramework()))
    with pytest.raises(SeedbedError) as caught:
        FrameworkRegistry.load(pm)
    assert "'p0'" in caught.value.message and "'p1'" in caught.value.message


def test_a_plugin_returning_something_else_is_named() -> None:
    with pytest.raises(SeedbedError) as caught:
        FrameworkRegistry.load(manager_with(Offers("django")))
    assert "'p0'" in caught.value.message


def test_choose_by_name_configured_or_the_only_one(repo: Path) -> None:
    write(repo, "admin/manage.py", MANAGE)
    write(repo, "service/main.py", "from fastapi import FastAPI\napp = FastAPI()\n")
    pm = manager_with(Offers(django.FRAMEWORK, flask.FRAMEWORK, fastapi.FRAMEWORK))
    registry = FrameworkRegistry.load(pm)
    assert isinstance(registry.frameworks["django"], Framework)
    ws = workspace(repo)
    assert [f.name for f in registry.detect(ws)] == ["django", "fastapi"]
    with pytest.raises(SeedbedError) as caught:
        registry.choose(ws)
    assert (
        caught.value.exit_code == EXIT_CONFIG
        and "django, fastapi" in caught.value.message
    )
    assert registry.choose(ws, "fastapi").name == "fastapi"
    assert registry.choose(ws, configured="django").name == "django"
    with pytest.raises(SeedbedError) as unknown:
        registry.choose(ws, "pyramid")
    assert unknown.value.exit_code == EXIT_NOT_FOUND
    assert "django, fastapi, flask" in unknown.value.hint
    with pytest.raises(SeedbedError) as absent:
        registry.choose(ws, "flask")
    assert (
        absent.value.exit_code == EXIT_NOT_FOUND
        and "not detected" in absent.value.message
    )


def test_the_built_in_plugins_register_all_three() -> None:
    from seedbed.core import plugins

    registry = FrameworkRegistry.load(plugins.build())
    assert {"django", "flask", "fastapi"} <= set(registry.frameworks)
