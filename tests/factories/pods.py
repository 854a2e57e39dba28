"""The real Docker engine the pod and task tests drive, and the pods they make.

The `engine` fixture (tests/conftest.py) asks engine_problem() whether the
engine and the offline base image are there; as root under SEEDBED_STRICT=1 it
first runs tests/setup/docker.sh, which starts dockerd and builds the image.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

BASE_IMAGE = os.environ.get("SEEDBED_TEST_BASE_IMAGE", "seedbed-test-base:bookworm")
SETUP_SCRIPT = Path(__file__).resolve().parent.parent / "setup" / "docker.sh"
# Running as root (CI), the worktree belongs to this user and pods run as it.
POD_UID = 4321
POD_LABEL = "seedbed.pod"
WORKTREE_LABEL = "seedbed.worktree"


def engine_problem() -> str | None:
    import docker
    from docker.errors import DockerException, ImageNotFound

    try:
        client = docker.from_env(timeout=30)
        client.ping()
    except DockerException as exc:
        return f"the Docker engine is not reachable ({exc})"
    try:
        client.images.get(BASE_IMAGE)
    except ImageNotFound:
        return f"the offline base image {BASE_IMAGE} is missing"
    return None


def expected_uid() -> int:
    return os.getuid() if os.getuid() != 0 else POD_UID


def hand_over(path: Path) -> None:
    """Give a tree to the pod user when the tests run as root (as CI does)."""
    if os.getuid() != 0:
        return
    os.chown(path, POD_UID, POD_UID)
    for item in path.rglob("*"):
        os.chown(item, POD_UID, POD_UID, follow_symlinks=False)


def ours(engine: Any, tmp_path: Path) -> list[dict[str, Any]]:
    """This test's pods: seedbed pods serving a worktree under its tmp_path."""
    found = engine.api.containers(all=True, filters={"label": POD_LABEL})
    prefix = str(tmp_path)
    return [
        pod for pod in found if pod["Labels"].get(WORKTREE_LABEL, "").startswith(prefix)
    ]
