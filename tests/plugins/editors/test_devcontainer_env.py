"""The dev container builds its own environment: the project's Python, a
volume over the env folder (never the host's), postCreateCommand per manager,
and a file the devcontainer JSON Schema accepts (structural check below)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from seedbed.core.workspace import Workspace
from seedbed.plugins.editors import CONFIG_KEYS as EDITOR_KEYS
from seedbed.plugins.editors import devcontainer, jsonc
from seedbed.plugins.editors.postcreate import post_create
from seedbed.plugins.pods.settings import CONFIG_KEYS as POD_KEYS

KEYS = (*POD_KEYS, *EDITOR_KEYS)
COMMAND_TYPES = (str, list, dict)


def check_devcontainer(data: Any) -> None:
    """What the devcontainer JSON Schema (devContainer.base.schema.json of the
    devcontainers spec) requires of the properties seedbed writes."""
    assert isinstance(data, dict)
    assert isinstance(data["image"], str) and data["image"]
    for key in ("name", "workspaceMount", "workspaceFolder"):
        assert isinstance(data[key], str)
    for key in ("runArgs", "mounts"):
        assert all(isinstance(item, str) for item in data[key])
    for key in ("containerEnv",):
        assert all(isinstance(v, str) for v in data[key].values())
    assert all(isinstance(v, str | None) for v in data["remoteEnv"].values())
    assert isinstance(data["postCreateCommand"], COMMAND_TYPES)
    for port in data["forwardPorts"]:
        assert (isinstance(port, int) and 0 <= port <= 65535) or re.fullmatch(
            r"[a-z0-9-]+:\d{1,5}", port
        )
    host = data["hostRequirements"]
    assert isinstance(host["cpus"], int) and host["cpus"] >= 1
    assert re.fullmatch(r"\d+([tgmk]b)?", host["memory"])
    assert isinstance(data["customizations"], dict)


def written(repo: Path, pyproject: str, **files: str) -> dict[str, Any]:
    (repo / "pyproject.toml").write_text(pyproject)
    for name, text in files.items():
        (repo / name).write_text(text)
    ws = Workspace.discover(repo, KEYS)
    result = devcontainer.write_devcontainer(ws, 8000, "pip")
    assert result.status == "created", result.note
    data = jsonc.parse(result.path.read_text()).python()
    check_devcontainer(data)
    return dict(data)


PROJECT = '[project]\nname = "x"\nversion = "0"\n'


def test_the_project_python_version_picks_the_image(repo: Path) -> None:
    data = written(repo, PROJECT, **{".python-version": "3.11\n"})
    assert data["image"] == "python:3.11-slim"


@pytest.mark.parametrize(
    ("requires", "tag"),
    [(">=3.10,<3.13", "3.12"), ("==3.11.*", "3.11"), ("~=3.9", "3.14")],
)
def test_requires_python_picks_the_newest_minor_it_allows(
    repo: Path, requires: str, tag: str
) -> None:
    data = written(repo, PROJECT + f'requires-python = "{requires}"\n')
    assert data["image"] == f"python:{tag}-slim"


def test_devcontainer_image_is_configurable(repo: Path) -> None:
    data = written(
        repo,
        PROJECT
        + '\n[tool.seedbed.editors]\ndevcontainer_image = "local/py:{python}"\n',
        **{".python-version": "3.11.4\n"},
    )
    assert data["image"] == "local/py:3.11"


def test_the_host_environment_is_never_mounted(repo: Path) -> None:
    data = written(repo, PROJECT, **{"requirements.txt": "\n"})
    bind_targets = [m for m in data["mounts"] if "type=bind" in m and ".venv" in m]
    assert bind_targets == []
    (volume,) = [m for m in data["mounts"] if "type=volume" in m]
    assert volume.endswith("target=${containerWorkspaceFolder}/.venv,type=volume")
    assert "${devcontainerId}" in volume  # one volume per dev container
    assert data["remoteEnv"]["PATH"].startswith(
        "${containerWorkspaceFolder}/.venv/bin:"
    )
    assert data["postCreateCommand"] == (
        "python3 -m venv .venv && .venv/bin/python -m pip install"
        " -r requirements.txt -e ."
    )


def test_post_create_per_manager(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(PROJECT)
    ws = Workspace.discover(repo, KEYS)
    command, env = post_create(ws, "uv", ".venv")
    assert command.endswith("; uv sync") and 'pip" install -q uv' in command
    assert env["UV_PROJECT_ENVIRONMENT"] == ".venv"
    command, env = post_create(ws, "poetry", ".venv")
    assert command.endswith("; poetry install")
    assert env == {"POETRY_VIRTUALENVS_IN_PROJECT": "true"}
    assert post_create(ws, "pdm", "env")[0].endswith("; pdm install")
    assert "--prefix env" in post_create(ws, "conda", "env")[0]
