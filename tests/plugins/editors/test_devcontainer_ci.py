"""The dev container (worktree-aware, pod limits) and the CI workflow template."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from seedbed.core.errors import SeedbedError
from seedbed.core.workspace import Workspace
from seedbed.plugins.editors import ci, devcontainer, jsonc
from seedbed.plugins.pods.settings import CONFIG_KEYS as POD_KEYS


def test_devcontainer_mounts_the_common_dir_with_pod_limits(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "0"\n\n[tool.seedbed.pod]\n'
        'memory = "2g"\ncpus = 1.5\npids = 100\nbase_image = "local/py:1"\n'
    )
    ws = Workspace.discover(repo, POD_KEYS)
    written = devcontainer.write_devcontainer(ws, port=8040)
    assert written.status == "created"
    data = jsonc.parse((repo / devcontainer.DEVCONTAINER).read_text()).python()
    common = str(repo / ".git")
    assert data["mounts"][0] == f"source={common},target={common},type=bind"
    assert data["workspaceFolder"] == "${localWorkspaceFolder}"
    # The pod's base image is not the dev container's: the project's Python is.
    assert data["image"] == "python:3-slim"
    assert data["runArgs"] == ["--memory=2g", "--cpus=1.5", "--pids-limit=100"]
    assert data["hostRequirements"] == {"cpus": 2, "memory": "2gb"}
    assert data["forwardPorts"] == [8040]
    assert data["containerEnv"]["SEEDBED_SKIP"] == "1"
    again = devcontainer.write_devcontainer(ws, port=8040)
    assert again.status == "unchanged"


def test_devcontainer_keeps_the_users_keys(repo: Path) -> None:
    path = repo / devcontainer.DEVCONTAINER
    path.parent.mkdir()
    path.write_text('{\n  // mine\n  "image": "my/image",\n}\n')
    written = devcontainer.write_devcontainer(Workspace.discover(repo, POD_KEYS))
    assert written.kept == ("image",)
    data = jsonc.parse(path.read_text()).python()
    assert data["image"] == "my/image" and "mounts" in data
    assert data["forwardPorts"] == []


def test_sizes() -> None:
    assert devcontainer.docker_size(512 * 1024**2) == "512m"
    assert devcontainer.host_size(3 * 1024**3) == "3gb"


def test_github_workflow_uses_uv_and_the_gates(repo: Path) -> None:
    (repo / ".python-version").write_text("3.12\n")
    ws = Workspace.discover(repo)
    written = ci.write_ci_workflow(ws, "github", seedbed_spec="seedbed==0.1.0")
    assert written.status == "created"
    assert written.path == repo / ".github/workflows/seedbed.yml"
    flow = yaml.safe_load(written.path.read_text())
    steps = flow["jobs"]["gates"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("astral-sh/setup-uv@") for u in uses)
    assert steps[1]["with"] == {"python-version-file": ".python-version"}
    runs = [s.get("run") for s in steps if "run" in s]
    assert runs == ["uv tool install seedbed==0.1.0", "seedbed setup", "seedbed gate"]
    assert set(flow[True]) == {"push", "pull_request"}  # YAML 1.1 reads `on` as True
    assert ci.write_ci_workflow(ws, "github", "seedbed==0.1.0").status == "unchanged"


def test_existing_workflow_is_never_overwritten(repo: Path) -> None:
    path = repo / ".github/workflows/seedbed.yml"
    path.parent.mkdir(parents=True)
    path.write_text("name: mine\n")
    written = ci.write_ci_workflow(Workspace.discover(repo))
    assert written.status == "skipped" and path.read_text() == "name: mine\n"


def test_unknown_provider(repo: Path) -> None:
    with pytest.raises(SeedbedError) as caught:
        ci.write_ci_workflow(Workspace.discover(repo), "jenkins")
    assert caught.value.hint == "known providers: github"
