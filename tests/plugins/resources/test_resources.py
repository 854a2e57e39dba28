"""The resources plugin: all-or-nothing provisioning, run env, gc."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from seedbed.core.discovery import Found
from seedbed.core.errors import SeedbedError
from seedbed.core.types import Manager
from seedbed.core.workspace import Workspace
from seedbed.plugins import resources
from seedbed.plugins.resources import dotenv, ports
from seedbed.plugins.resources.provision import provision
from seedbed.plugins.resources.settings import settings

from tests.factories.servers import closed_port
from tests.plugins.frameworks.test_detect import workspace, write

APP = (
    "import os\nfrom flask import Flask\napp = Flask(__name__)\n"
    'app.config["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]\n'
)


def found(ws: Workspace) -> list[Found]:
    return resources.detected(ws)


def test_provision_is_idempotent_and_excludes_env(repo: Path) -> None:
    write(repo, "app.py", APP)
    ws = workspace(repo)
    config = settings(ws)
    first = provision(ws, config, found(ws))
    second = provision(ws, config, found(ws))
    assert first.block == second.block
    values = dotenv.read(repo / ".env")
    assert values["PORT"] == str(first.block.start)
    assert values["FLASK_APP"] == str(repo / "app.py")
    assert values["DATABASE_URL"].startswith(f"sqlite:///{repo}/.seedbed/")
    assert "/.env" in (repo / ".git" / "info" / "exclude").read_text().splitlines()


def test_a_refused_server_leaves_no_port_block_and_no_env(repo: Path) -> None:
    pytest.importorskip("psycopg")
    write(repo, "app.py", APP)
    ws = workspace(
        repo,
        database="postgres",
        database_server=f"postgresql://x@127.0.0.1:{closed_port()}",
    )
    with pytest.raises(SeedbedError):
        provision(ws, settings(ws), found(ws))
    assert ports.Registry().get(repo) is None
    assert not (repo / ".env").exists()


def test_run_env_without_and_with_a_port_block(repo: Path) -> None:
    assert resources.seedbed_run_env(workspace(repo)) == {}  # no framework: nothing
    write(repo, "app.py", APP)
    ws = workspace(repo)
    env = resources.seedbed_run_env(ws)
    assert "PORT" not in env and env["DEBUG"] == "1" and "DATABASE_URL" in env
    provision(ws, settings(ws), found(ws))
    assert resources.seedbed_run_env(ws)["PORT"] == dotenv.read(repo / ".env")["PORT"]
    never = workspace(repo, provision="never")
    assert resources.seedbed_run_env(never) == {}
    always = workspace(repo, provision="always", database="none", debug=False)
    env = resources.seedbed_run_env(always)
    assert env["DEBUG"] == "0" and "DATABASE_URL" not in env


def test_setup_steps_put_resources_before_migrations(repo: Path) -> None:
    write(repo, "app.py", APP + "import flask_migrate\n")
    write(repo, "migrations/env.py", "")
    write(repo, "requirements.txt", "")
    from seedbed.core.interpreters import find, request_for
    from seedbed.core.types import SetupContext

    ws = workspace(repo)
    interpreter = find(request_for(repo, "", {}))
    context = SetupContext(ws, interpreter, "uv", manager=pip_manager())
    steps = resources.seedbed_setup_steps(context)
    assert [s.name for s in steps] == [
        "resources",
        "flask db upgrade",
        "resources: record migrations",
    ]
    migrate = steps[1]
    assert migrate.env["PATH"].startswith(str(repo / ".venv" / "bin"))
    assert migrate.env["DATABASE_URL"].startswith("sqlite:///")


def pip_manager() -> Manager:
    from seedbed.core import plugins

    return plugins.Registry.load(plugins.build()).manager("pip")


def test_one_setup_walks_the_project_tree_once(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Planning, the run env and the editor's dev server all detect frameworks:
    the .py files are listed once per workspace, not once per question."""
    from seedbed.core import discovery as base
    from seedbed.core import plugins
    from seedbed.core.interpreters import find, request_for
    from seedbed.core.types import SetupContext

    write(repo, "app.py", APP + "import flask_migrate\n")
    write(repo, "migrations/env.py", "")
    write(repo, "pkg/service.py", "from fastapi import FastAPI\n")
    walks: list[Path] = []
    walk = base.python_files

    def counted(root: Path, skip: frozenset[str] = base.SKIP_DIRS) -> Iterator[Path]:
        walks.append(root)
        return walk(root, skip)

    monkeypatch.setattr(base, "python_files", counted)
    ws = workspace(repo)
    interpreter = find(request_for(repo, "", {}))
    context = SetupContext(ws, interpreter, "uv", manager=pip_manager())
    steps = resources.seedbed_setup_steps(context)
    assert [s.name for s in steps] == [
        "resources",
        "flask db upgrade",
        "resources: record migrations",
    ]
    assert resources.seedbed_run_env(ws)["FLASK_APP"] == str(repo / "app.py")
    registry = base.FrameworkRegistry.load(plugins.build())
    assert registry.choose(ws).name == "flask"
    assert walks == [repo]
    resources.seedbed_run_env(workspace(repo))  # a new command: walked again
    assert walks == [repo, repo]


def test_gc_releases_removed_and_orphaned_blocks_only(tmp_path: Path) -> None:
    registry = ports.Registry()
    common = tmp_path / "repo" / ".git"
    common.mkdir(parents=True)
    low = 30000 + closed_port() % 20000
    span = (low, low + 99)
    registry.allocate(tmp_path / "live", span, 10, "repo", common)
    registry.allocate(tmp_path / "removed", span, 10, "repo", common)
    registry.allocate(tmp_path / "elsewhere", span, 10, "other", tmp_path / "gone/.git")
    other_common = tmp_path / "other" / ".git"
    other_common.mkdir(parents=True)
    registry.allocate(tmp_path / "other-wt", span, 10, "other", other_common)
    dry = resources.seedbed_gc(common, [tmp_path / "live"], dry_run=True)
    assert {a.worktree for a in dry} == {
        str(tmp_path / "removed"),
        str(tmp_path / "elsewhere"),
    }
    assert len(registry.blocks()) == 4
    done = resources.seedbed_gc(common, [tmp_path / "live"], dry_run=False)
    assert all(a.done for a in done) and len(done) == 2
    assert {b.worktree for b in registry.blocks()} == {
        str(tmp_path / "live"),
        str(tmp_path / "other-wt"),
    }
