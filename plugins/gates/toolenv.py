"""The pinned tool environment: gate tools a project does not install itself.

One virtual environment per set of pins (and per Python minor version of the
interpreter seedbed runs on), made once with uv and shared by every worktree
of every repository: `<user data dir>/tools/<hash>/` (`SEEDBED_TOOLS_DIR`
replaces `<user data dir>/tools`, e.g. for a test session or a CI cache). It is
created under a lock the first time a gate needs one of its tools; a finished
environment carries a marker file, so a half-made one (a killed install) is
made again. mypy from here gets `--python-executable <worktree env python>`, so
it still sees the project's packages.

Only tools that judge files without importing the project live here: ruff,
mypy (pointed at the project's interpreter), black, isort, flake8. pytest and
coverage must run inside the project's environment, so they never come from
here.
"""

from __future__ import annotations

import hashlib
import importlib
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from seedbed.core import runner
from seedbed.core.errors import EXIT_ENVIRONMENT, SeedbedError
from seedbed.core.files import locked, user_dir

# The one place the managed tools are pinned.
PINS: dict[str, str] = {
    "ruff": "0.17.6",
    "mypy": "2.4.1",
    "black": "26.10.1",
    "isort": "9.0.2",
    "flake8": "7.5.0",
}
TOOLS_DIR_VARIABLE = "SEEDBED_TOOLS_DIR"
READY = ".seedbed-tools-ready"
INSTALL_TIMEOUT = 900.0


# Hook repositories whose `rev:` pins a tool's version (`v0.15.4` -> 0.15.4):
# a project that pins its linters there is judged by those versions.
HOOK_REPOS: dict[str, str] = {
    "astral-sh/ruff-pre-commit": "ruff",
    "charliermarsh/ruff-pre-commit": "ruff",
    "psf/black": "black",
    "psf/black-pre-commit-mirror": "black",
    "pycqa/isort": "isort",
    "pycqa/flake8": "flake8",
    "pre-commit/mirrors-mypy": "mypy",
}
_VERSION = re.compile(r"v?(\d+(?:\.\d+){0,3})")


def project_pins(root: Path) -> dict[str, str]:
    """PINS, with the versions the project's .pre-commit-config.yaml pins for
    the same tools (a frozen `rev:` SHA pins nothing we can read: ignored)."""
    pins = dict(PINS)
    path = root / ".pre-commit-config.yaml"
    try:
        data = _yaml().safe_load(path.read_text()) if path.is_file() else None
    except (OSError, ValueError, _yaml().YAMLError):
        return pins
    repos = data.get("repos") if isinstance(data, dict) else None
    for repo in repos if isinstance(repos, list) else ():
        if not isinstance(repo, dict):
            continue
        url = str(repo.get("repo", "")).lower().removesuffix(".git").rstrip("/")
        tool = next((t for r, t in HOOK_REPOS.items() if url.endswith("/" + r)), "")
        version = _VERSION.fullmatch(str(repo.get("rev", "")))
        if tool and version:
            pins[tool] = version.group(1)
    return pins


def _yaml() -> Any:
    # PyYAML ships without type information; imported only when needed.
    return importlib.import_module("yaml")


def requirements(pins: dict[str, str] | None = None) -> list[str]:
    chosen = PINS if pins is None else pins
    return [f"{name}=={version}" for name, version in sorted(chosen.items())]


def base_dir() -> Path:
    configured = os.environ.get(TOOLS_DIR_VARIABLE)
    return Path(configured) if configured else user_dir("data") / "tools"


def env_dir(pins: dict[str, str] | None = None) -> Path:
    """This interpreter's tool environment for these pins (default: PINS)."""
    python = f"{sys.version_info[0]}.{sys.version_info[1]}"
    key = "\n".join([python, *requirements(pins)])
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return base_dir() / f"py{python}-{digest}"


def tool_path(name: str) -> Path:
    return env_dir() / "bin" / name


def is_ready() -> bool:
    return (env_dir() / READY).is_file()


def ensure(name: str, pins: dict[str, str] | None = None) -> Path:
    """The managed tool's executable, making the environment when needed.

    Raises SeedbedError (a gate then reports `error`) when it cannot be made.
    """
    if name not in PINS:
        raise SeedbedError(f"seedbed manages no tool named {name!r}")
    folder = env_dir(pins)
    if not (folder / READY).is_file():
        with locked(folder.parent / f"{folder.name}.lock"):
            if not (folder / READY).is_file():  # another process made it meanwhile
                _create(folder, requirements(pins))
    return folder / "bin" / name


def _uv() -> str:
    beside = Path(sys.executable).parent / "uv"
    if beside.is_file():
        return str(beside)
    found = shutil.which("uv")
    if found is None:
        raise SeedbedError(
            "cannot make seedbed's tool environment: uv is not installed",
            "install uv (it comes with `pip install seedbed[test]`, or see uv's "
            "docs), or add the gate's tool to the project's dev dependencies and "
            "run `seedbed setup`",
            EXIT_ENVIRONMENT,
        )
    return found


def _create(folder: Path, wanted: list[str]) -> None:
    uv = _uv()
    if folder.exists():
        shutil.rmtree(folder)  # a half-made environment from a killed run
    folder.parent.mkdir(parents=True, exist_ok=True)
    env = runner.child_env()
    env.pop("UV_PROJECT_ENVIRONMENT", None)
    steps = [
        ("uv venv", [uv, "venv", "--quiet", "--python", sys.executable, str(folder)]),
        (
            "uv pip install",
            [
                uv,
                "pip",
                "install",
                "--quiet",
                "--python",
                str(folder / "bin" / "python"),
                *wanted,
            ],
        ),
    ]
    for label, argv in steps:
        with tempfile.TemporaryFile() as log:
            result = runner.run_argv(
                label,
                argv,
                cwd=folder.parent,
                env=env,
                timeout=INSTALL_TIMEOUT,
                log=log,
            )
            log.seek(0)
            text = log.read().decode("utf-8", "replace").strip().splitlines()
        if not result.ok:
            shutil.rmtree(folder, ignore_errors=True)
            last = text[-2] if len(text) >= 2 else result.output_tail.strip()
            raise SeedbedError(
                f"cannot make seedbed's tool environment ({label} exited "
                f"{result.exit_code}: {last})",
                f"check that the package index is reachable, or add the tools "
                f"({', '.join(PINS)}) to the project's dev dependencies and run "
                f"`seedbed setup`; the environment goes to {folder}",
                EXIT_ENVIRONMENT,
            )
    (folder / READY).write_text("\n".join(requirements()) + "\n")
