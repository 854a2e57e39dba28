"""The generated dev container, brought up by the real devcontainer CLI
(tests/setup/devcontainer.sh installs it into .tools/) on the local engine,
from the offline base image (tests/setup/docker.sh): no registry is needed.

The container must build its own environment (postCreateCommand) in a volume
over the worktree's .venv, with the project importable, and never use the
host's .venv (here a link to an interpreter that exists only on the host).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, STRICT, TOOLS_BIN, seedbed, unavailable
from tests.factories.git import git
from tests.factories.pods import BASE_IMAGE
from tests.plugins.editors.test_devcontainer_env import check_devcontainer

CLI = TOOLS_BIN / "devcontainer"
SETUP = REPO / "tests" / "setup" / "devcontainer.sh"


def offline(project: Path) -> list[str]:
    """No index is reachable: pip installs from the wheelhouse copied into the
    project (bind-mounted, so the same path inside)."""
    wheels = project / "wheels"
    return [
        "--remote-env",
        "PIP_NO_INDEX=1",
        "--remote-env",
        f"PIP_FIND_LINKS={wheels}",
    ]


@pytest.fixture(scope="session")
def cli() -> Path:
    if not CLI.exists() and STRICT:
        subprocess.run(["sh", str(SETUP)], stdin=subprocess.DEVNULL, check=False)
    if not CLI.exists():
        unavailable("the devcontainer CLI is missing: run tests/setup/devcontainer.sh")
    return CLI


def devcontainer(cli: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(cli), *args], capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture
def project(repo: Path, engine: Any, wheelhouse: Path) -> Iterator[Path]:
    package = repo / "src" / "sample"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(
        '"""A sample."""\n\n\ndef answer():\n    return 42\n'
    )
    (repo / ".python-version").write_text("3.11\n")
    shutil.copytree(wheelhouse, repo / "wheels")
    (repo / ".gitignore").write_text("/wheels/\n")
    (repo / "pyproject.toml").write_text(
        "[build-system]\n"
        'requires = ["flit_core>=3.4"]\n'
        'build-backend = "flit_core.buildapi"\n\n'
        '[project]\nname = "sample"\nversion = "0.1"\ndescription = "a sample"\n'
        'dependencies = ["tinyalpha"]\n\n'
        '[tool.seedbed]\nmanager = "pip"\n\n'
        f'[tool.seedbed.editors]\ndevcontainer_image = "{BASE_IMAGE}"\n\n'
        '[tool.seedbed.pod]\nmemory = "1g"\n'
    )
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "sample", cwd=repo)
    # The host's environment: its interpreter exists only on the host.
    (repo / ".venv" / "bin").mkdir(parents=True)
    (repo / ".venv" / "bin" / "python").symlink_to("/host/only/python3")
    yield repo
    found = engine.api.containers(
        all=True, filters={"label": f"devcontainer.local_folder={repo}"}
    )
    for container in found:
        volumes = [
            m["Name"] for m in container.get("Mounts", []) if m.get("Type") == "volume"
        ]
        engine.api.remove_container(container["Id"], force=True)
        for name in volumes:
            engine.api.remove_volume(name, force=True)


def test_devcontainer_up_builds_its_own_environment(cli: Path, project: Path) -> None:
    made = seedbed("editor", "--devcontainer", "--json", cwd=project)
    assert made.returncode == 0, made.stdout + made.stderr
    path = project / ".devcontainer" / "devcontainer.json"
    from seedbed.plugins.editors import jsonc

    data = jsonc.parse(path.read_text()).python()
    check_devcontainer(data)
    assert data["image"] == BASE_IMAGE
    read = devcontainer(cli, "read-configuration", "--workspace-folder", str(project))
    assert read.returncode == 0, read.stderr

    up = devcontainer(cli, "up", "--workspace-folder", str(project), *offline(project))
    assert up.returncode == 0, up.stdout[-3000:] + up.stderr[-3000:]
    outcome = json.loads(up.stdout.strip().splitlines()[-1])
    assert outcome["outcome"] == "success", outcome

    probe = (
        "import os, sys, sample, tinyalpha; "
        "print(sample.answer(), sys.prefix, sys.version_info[:2] == (3, 11))"
    )
    ran = devcontainer(
        cli, "exec", "--workspace-folder", str(project), "python", "-c", probe
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    assert ran.stdout.split()[-3:] == ["42", str(project / ".venv"), "True"]
    # The host's .venv was shadowed, not changed.
    assert os.readlink(project / ".venv" / "bin" / "python") == "/host/only/python3"
