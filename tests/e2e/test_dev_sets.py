"""pip projects get their development set by convention, and say so.

Samples: a `requirements/` folder whose requirements.txt only points at the
production set, extras named dev/test, PEP 735 dependency groups with an
include; real installs by uv and by pip from a local wheelhouse; the test
reads the worktree's environment to see exactly what was installed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import require, seedbed, worktree_add
from tests.factories.git import git
from tests.factories.projects import PYPROJECT, uv_project, write_package
from tests.factories.seedbed import status
from tests.factories.wheels import make_wheelhouse, offline_env, write_wheel

TINY = ("tinybase", "tinyuwsgi", "tinypytest", "tinyruff", "tinydocs", "tinylint")


@pytest.fixture(scope="session")
def dev_wheels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared wheelhouse plus a wheel for each role a sample gives."""
    folder = make_wheelhouse(tmp_path_factory.mktemp("dev-wheels"))
    for name in TINY:
        write_wheel(folder, name, "1.0")
    return folder


@pytest.fixture
def wheels(dev_wheels: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in offline_env(dev_wheels).items():
        monkeypatch.setenv(name, value)
    return dev_wheels


def installed(worktree: Path) -> set[str]:
    """The distributions in the worktree's environment (names only)."""
    site = next((worktree / ".venv").glob("lib/python*/site-packages"))
    return {p.name.split("-")[0].lower() for p in site.glob("*.dist-info")}


def commit(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", "main", cwd=root)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "sample", cwd=root)
    return root


REQUIREMENTS_FOLDER = {
    "app.py": "print('app')\n",
    "requirements.txt": "# deploys read this\n-r requirements/production.txt\n",
    "requirements/base.txt": "tinybase\n",
    "requirements/production.txt": "-r base.txt\ntinyuwsgi  # a compiled server\n",
    "requirements/local.txt": "-r base.txt\ntinypytest\ntinyruff\n",
}


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_requirements_folder_installs_the_dev_set_not_production(
    tmp_path: Path, wheels: Path, installer: str
) -> None:
    require("uv")
    main = commit(tmp_path / "proj", REQUIREMENTS_FOLDER)
    env = {**os.environ, "SEEDBED_INSTALLER": installer}
    out = seedbed("setup", cwd=main, env=env)
    assert out.returncode == 0, out.stderr
    got = installed(main)
    assert {"tinybase", "tinypytest", "tinyruff"} <= got
    assert "tinyuwsgi" not in got  # production-only: never chosen
    info = status(main)["installed"]
    assert info["files"] == ["requirements/local.txt"]
    assert info["skipped"] == ["requirements/production.txt"]
    assert info["included"] == ["requirements/base.txt", "requirements/local.txt"]
    assert info["source"] == "convention"
    assert any("production-only" in r for r in info["reasons"])
    text = seedbed("status", cwd=main).stdout
    assert "requirements/local.txt" in text and "left out" in text


def test_dev_file_beside_a_base_pointer_in_a_new_worktree(
    tmp_path: Path, wheels: Path
) -> None:
    """requirements.txt = -r requirements/base.txt, dev set in development.txt:
    the hook's worktree gets base + development, and editing development.txt
    re-syncs (it is watched)."""
    require("uv")
    main = commit(
        tmp_path / "proj",
        {
            "app.py": "print('app')\n",
            "requirements.txt": "-r requirements/base.txt\n",
            "requirements/base.txt": "tinybase\n",
            "requirements/production.txt": "-r base.txt\ntinyuwsgi\n",
            "requirements/development.txt": "-r base.txt\ntinypytest\n",
        },
    )
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    feat = tmp_path / "feat"
    out = worktree_add(main, feat, "feat")
    assert out.returncode == 0, out.stderr
    got = installed(feat)
    assert {"tinybase", "tinypytest"} <= got and "tinyuwsgi" not in got
    info = status(feat)
    assert info["status"] == "ready"
    assert info["installed"]["files"] == ["requirements/development.txt"]
    (feat / "requirements/development.txt").write_text(
        "-r base.txt\ntinypytest\ntinyruff\n"
    )
    assert status(feat)["status"] == "stale"
    assert seedbed("setup", cwd=feat).returncode == 0
    assert "tinyruff" in installed(feat)


GROUPS = """
[project.optional-dependencies]
dev = ["tinyruff"]
docs = ["tinydocs"]

[dependency-groups]
test = ["tinypytest", {include-group = "lint"}]
lint = ["tinylint"]
"""


@pytest.mark.parametrize("installer", ["uv", "pip"])
def test_extras_and_dependency_groups_by_convention(
    tmp_path: Path, wheels: Path, installer: str
) -> None:
    require("uv")
    root = tmp_path / "proj"
    root.mkdir()
    write_package(root)
    main = commit(
        root,
        {
            "pyproject.toml": PYPROJECT.format(
                name="my-project", deps='"tinybase"', extra=GROUPS
            )
        },
    )
    env = {**os.environ, "SEEDBED_INSTALLER": installer}
    out = seedbed("setup", cwd=main, env=env)
    assert out.returncode == 0, out.stderr
    got = installed(main)
    # the project, its extra dev, group test and the group it includes
    assert {"my_project", "tinybase", "tinyruff", "tinypytest", "tinylint"} <= got
    assert "tinydocs" not in got
    info = status(main)["installed"]
    assert info["extras"] == ["dev"] and info["groups"] == ["test"]
    assert info["editable"] is True and info["files"] == []


def test_one_setting_overrides_the_convention(tmp_path: Path, wheels: Path) -> None:
    require("uv")
    files = {
        **REQUIREMENTS_FOLDER,
        ".seedbed.toml": 'requirements = ["requirements/production.txt"]\n',
    }
    main = commit(tmp_path / "proj", files)
    out = seedbed("setup", cwd=main)
    assert out.returncode == 0, out.stderr
    got = installed(main)
    assert {"tinybase", "tinyuwsgi"} <= got and "tinypytest" not in got
    info = status(main)["installed"]
    assert info["source"] == "config"
    assert info["files"] == ["requirements/production.txt"]


def test_dev_false_installs_the_projects_requirements_only(
    tmp_path: Path, wheels: Path
) -> None:
    require("uv")
    files = {
        **REQUIREMENTS_FOLDER,
        "requirements.txt": "tinybase\n",
        "requirements-dev.txt": "tinypytest\n",
        ".seedbed.toml": "dev = false\n",
    }
    main = commit(tmp_path / "proj", files)
    assert seedbed("setup", cwd=main).returncode == 0
    got = installed(main)
    assert "tinybase" in got and "tinypytest" not in got


def test_an_unknown_group_in_the_setting_is_a_config_error(
    tmp_path: Path, wheels: Path
) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    write_package(root)
    main = commit(
        root,
        {
            "pyproject.toml": PYPROJECT.format(
                name="my-project", deps="", extra=GROUPS
            ),
            ".seedbed.toml": 'dev_groups = ["nope"]\n',
        },
    )
    out = seedbed("setup", "--json", cwd=main)
    assert out.returncode == 3, out.stderr
    error = json.loads(out.stdout)
    assert "nope" in error["error"] and "test" in error["hint"]


def test_a_reused_environment_says_what_it_holds(tmp_path: Path, wheels: Path) -> None:
    """A worktree built from a sibling's environment records the same set."""
    require("uv")
    main = commit(tmp_path / "proj", REQUIREMENTS_FOLDER)
    assert seedbed("setup", cwd=main).returncode == 0
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    feat = tmp_path / "feat"
    assert worktree_add(main, feat, "feat").returncode == 0
    info = status(feat)
    assert info["status"] == "ready"
    marker = json.loads((feat / ".seedbed" / "ready.json").read_text())
    assert marker["reused_from"] == str(main)  # made from main's environment
    assert info["installed"]["files"] == ["requirements/local.txt"]
    assert "tinyuwsgi" not in installed(feat)


def test_uv_projects_show_their_groups(tmp_path: Path, wheels: Path) -> None:
    require("uv")
    main = uv_project(tmp_path / "proj", wheels)
    assert seedbed("setup", cwd=main).returncode == 0
    info = status(main)["installed"]
    assert info["files"] == ["uv.lock"] and info["groups"] == ["dev"]
    assert "tinydev" in installed(main)
