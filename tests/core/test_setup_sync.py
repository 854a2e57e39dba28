"""The pieces of setup's no-op decision on their own: the identity of an
environment, the watched files (every manager's), the fingerprint."""

from __future__ import annotations

from pathlib import Path

from seedbed.core.setup import sync
from seedbed.core.types import Watch

from tests.core.setup_helpers import make_app
from tests.core.test_setup_choose import Thirdparty, plugin


def test_watched_is_every_managers_paths_and_the_core_inputs(repo: Path) -> None:
    (repo / "uv.lock").write_text("")
    third = Thirdparty("hatchish", "hatch.lock", 20)
    app = make_app(repo, [plugin(third)])
    uv = app.registry.managers["uv"]
    watch = sync.watched(app, uv)
    assert {"uv.lock", "poetry.lock", "pdm.lock", "environment.yml"} <= set(watch.paths)
    assert {"pyproject.toml", ".seedbed.toml", ".python-version"} <= set(watch.paths)
    assert "hatch.lock" in watch.paths  # a third party's lock re-syncs too
    assert list(watch.paths) == sorted(set(watch.paths))
    pip = app.registry.managers["pip"]
    assert sync.watched(app, pip).globs == (
        "requirements*.txt",
        "requirements/*.txt",
        "dev-requirements.txt",
    )
    assert watch.globs == ()  # globs are the chosen manager's only


def test_another_managers_lock_appearing_changes_the_fingerprint(repo: Path) -> None:
    (repo / "uv.lock").write_text("")
    app = make_app(repo)
    uv = app.registry.managers["uv"]
    before = sync.fingerprint(app, uv, "uv", "3.12.1")
    assert before.files["poetry.lock"] is None
    (repo / "poetry.lock").write_text("")
    after = sync.fingerprint(app, uv, "uv", "3.12.1")
    assert after.value != before.value
    assert sync.fingerprint(app, uv, "pip", "3.12.1").value != after.value
    assert after.identity["python"] == "3.12.1"


def test_identity_holds_the_managers_own_keys(repo: Path) -> None:
    app = make_app(repo)
    other = make_app(repo, requirements=["reqs/a.txt"])
    pip, uv = app.registry.managers["pip"], app.registry.managers["uv"]
    assert pip.identity_keys == ("requirements", "extras", "dev_groups")
    assert uv.identity_keys == ()
    assert sync.identity(app.workspace, pip, "uv") != sync.identity(
        other.workspace, pip, "uv"
    )
    assert sync.identity(app.workspace, uv, "uv") == sync.identity(
        other.workspace, uv, "uv"
    )
    assert sync.identity(app.workspace, uv, "uv")["env_dir"] == ".venv"
    undev = make_app(repo, dev=False)
    assert sync.identity(undev.workspace, uv, "uv") != sync.identity(
        app.workspace, uv, "uv"
    )


def test_a_broken_other_manager_does_not_stop_the_watch(
    repo: Path, tmp_path: Path
) -> None:
    # pip's configured requirement file leads out of the worktree (a symlink):
    # pip's watch raises, but pip is not the chosen manager here.
    (repo / "uv.lock").write_text("")
    (tmp_path / "outside.txt").write_text("x\n")
    (repo / "reqs.txt").symlink_to(tmp_path / "outside.txt")
    app = make_app(repo, requirements=["reqs.txt"])
    watch = sync.watched(app, app.registry.managers["uv"])
    assert isinstance(watch, Watch) and "uv.lock" in watch.paths
