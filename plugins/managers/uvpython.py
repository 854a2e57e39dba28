"""uv projects: the interpreter by uv's own discovery and download policy, and
what `uv sync` installs (for `seedbed status`).

seedbed's own search (PATH, pyenv, uv's managed folder) runs first; when it
finds nothing for the request, uv is asked (`uv python find --system`), and
only where the user's policy is "automatic" (UV_PYTHON_DOWNLOADS, or
`python-downloads` in uv's config) does seedbed let uv install one. Without a
policy, nothing is downloaded: the error names `uv python install X.Y`.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from typing import Any

from seedbed.core import interpreters, runner
from seedbed.core.errors import EnvironmentProblem, SeedbedError
from seedbed.core.interpreters import Request
from seedbed.core.types import Interpreter
from seedbed.core.workspace import Workspace
from seedbed.plugins.managers import base

INSTALL_TIMEOUT = 900.0  # an interpreter download on a slow link


def provide(
    workspace: Workspace, request: Request, missing: SeedbedError
) -> Interpreter:
    uv = shutil.which("uv")
    found_versions = list(missing.details.get("found", []) or [])
    if uv is None:
        raise missing
    env = runner.child_env(base.uv_base_env(workspace))
    wanted = request.text
    found = _find(uv, wanted, workspace, env, request)
    if found is not None:
        return found
    policy = base.python_downloads(workspace)
    if policy == "automatic":
        result = runner.run_argv(
            "uv python install",
            [uv, "python", "install", wanted],
            cwd=workspace.root,
            env=env,
            timeout=INSTALL_TIMEOUT,
        )
        found = _find(uv, wanted, workspace, env, request) if result.ok else None
        if found is not None:
            return found
        tail = result.output_tail.strip().splitlines()[-1:] or [""]
        raise EnvironmentProblem(
            f"uv could not install Python {wanted} (from {request.origin}): {tail[0]}",
            f"run `uv python install {wanted}` to see why, or install it with "
            "pyenv or your system's package",
            wanted=wanted,
        )
    short = _short(wanted)
    allow = (
        f"UV_PYTHON_DOWNLOADS is {policy!r}"
        if policy
        else "UV_PYTHON_DOWNLOADS=automatic lets uv fetch it during setup"
    )
    raise interpreters.missing(
        request,
        found_versions,
        f"get one with `uv python install {short}` ({allow}), "
        f"`pyenv install {short}`, or your system's package",
    )


def _find(
    uv: str, wanted: str, workspace: Workspace, env: dict[str, str], request: Request
) -> Interpreter | None:
    result = runner.run_argv(
        "uv python find",
        [uv, "python", "find", "--system", wanted],
        cwd=workspace.root,
        env=env,
        timeout=60,
    )
    lines = result.output_tail.strip().splitlines()
    if not result.ok or not lines:
        return None
    from pathlib import Path

    path = Path(lines[-1].strip())
    version = interpreters.probe(path)
    if version is None or not request.admits(version):
        return None
    return Interpreter(path, version)


def _short(text: str) -> str:
    import re

    found = re.search(r"\d+\.\d+(\.\d+)?", text)
    return found.group(0) if found else text


def describe(workspace: Workspace) -> Mapping[str, Any]:
    """What `uv sync` installs here: the lock, the project, and its default
    groups ([tool.uv] default-groups, else dev) unless dev = false."""
    root = workspace.root
    groups_table = workspace.pyproject.get("dependency-groups", {})
    defined = list(groups_table) if isinstance(groups_table, Mapping) else []
    uv_table = workspace.pyproject.get("tool", {}).get("uv", {})
    default = uv_table.get("default-groups") if isinstance(uv_table, Mapping) else None
    reasons: list[str] = []
    groups: list[str] = []
    if not workspace.config["dev"]:
        reasons.append("dev = false: `uv sync --no-dev`, no groups")
    elif default == "all":
        groups = defined
        reasons.append('[tool.uv] default-groups = "all"')
    elif isinstance(default, list):
        groups = [str(g) for g in default if g in defined]
        reasons.append("[tool.uv] default-groups")
    elif "dev" in defined:
        groups = ["dev"]
        reasons.append("uv's default group dev")
    files = [n for n in ("uv.lock",) if (root / n).is_file()]
    if files:
        reasons.insert(0, "uv.lock: `uv sync --frozen` installs the locked set")
    return {
        "source": "convention",
        "files": files,
        "included": files,
        "skipped": [],
        "extras": [],
        "groups": groups,
        "editable": base.is_package(workspace),
        "reasons": reasons,
    }
