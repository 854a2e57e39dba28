"""Shared helpers for package manager plugins (venv.py's VenvManager uses them).

Everything here is about a plain virtual environment inside the worktree, which
uv, pip, poetry (in-project) and pdm all produce.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from seedbed.core import interpreter_cache, ownership, paths, runner
from seedbed.core.discovery import is_package as is_package  # managers' shared helper
from seedbed.core.errors import ConfigError, EnvironmentProblem
from seedbed.core.types import RunCommand, SetupContext, Step
from seedbed.core.workspace import Workspace

HEALTH_PROBE = (
    "import json, sys; print(json.dumps({'prefix': sys.prefix, "
    "'version': '%d.%d.%d' % sys.version_info[:3]}))"
)

# Variables that would move a manager's download/wheel cache. seedbed never sets
# them: one cache per user, shared by every worktree, is what makes the second
# worktree fast (tests assert no step sets them).
CACHE_VARIABLES = (
    "UV_CACHE_DIR",
    "PIP_CACHE_DIR",
    "POETRY_CACHE_DIR",
    "PDM_CACHE_DIR",
    "CONDA_PKGS_DIRS",
)


def env_dir(workspace: Workspace) -> Path:
    """The configured folder inside the worktree; a value or a tracked symlink
    that leads out of it is a configuration error (exit 3), so nothing outside
    the worktree is ever created, synced or removed."""
    return confined(workspace, str(workspace.config["env_dir"]))


def confined(workspace: Workspace, relative: str) -> Path:
    where = workspace.config.origins.get("env_dir", "seedbed's default")
    environment = paths.confine(workspace.root, relative, where, "env_dir")
    if os.path.realpath(environment) == os.path.realpath(workspace.root):
        raise ConfigError(
            f"{where}: key 'env_dir': {relative!r} is the worktree itself "
            "(through a symlink)",
            "use a folder inside the worktree, e.g. .venv; nothing was changed",
            file=where,
            key="env_dir",
        )
    return environment


def env_python(environment: Path) -> Path:
    return environment / "bin" / "python"


def run_command(workspace: Workspace, argv: Sequence[str]) -> RunCommand:
    """Run argv with the environment's bin/ first on PATH, as `activate` would."""
    environment = env_dir(workspace)
    path = f"{environment / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"
    return RunCommand(tuple(argv), {"PATH": path, "VIRTUAL_ENV": str(environment)})


def health_check(workspace: Workspace) -> str | None:
    """Why the worktree's environment cannot be used, or None. When pip
    itself installs (installer = "pip", or "auto" without uv on PATH), an
    environment without pip cannot be used either: a `python -m venv` killed
    before ensurepip finished leaves a python that runs and no pip."""
    return venv_health(env_dir(workspace)) or pip_missing(workspace)


def pip_missing(workspace: Workspace) -> str | None:
    """Why an environment pip itself must install into cannot be used: no pip."""
    environment = env_dir(workspace)
    if installs_with_pip(workspace) and not has_pip(environment):
        return f"{environment} has no pip (an interrupted `python -m venv`?)"
    return None


def venv_health_check(workspace: Workspace) -> str | None:
    """health_check for managers that install with their own tool (uv,
    poetry, pdm): their environments hold no pip on purpose."""
    return venv_health(env_dir(workspace))


def installs_with_pip(workspace: Workspace) -> bool:
    wanted = str(workspace.config.get("installer", "auto"))
    return wanted == "pip" or (wanted == "auto" and shutil.which("uv") is None)


def has_pip(environment: Path) -> bool:
    return any(environment.glob("lib/python*/site-packages/pip/__init__.py"))


def venv_health(environment: Path) -> str | None:
    python = env_python(environment)
    if not environment.is_dir():
        return f"{environment} does not exist"
    if not (environment / "pyvenv.cfg").is_file():
        return f"{environment} has no pyvenv.cfg: not a virtual environment"
    return python_health(python, environment)


def python_health(python: Path, environment: Path) -> str | None:
    """Does the environment's interpreter run, and is sys.prefix the environment?

    Answered without a process when the facts are known: the interpreter
    python resolves to (a venv's python links to its base) is one a probe
    already saw run, unchanged since (core.interpreter_cache; a setup has
    just probed the base it built the venv from), and the environment's
    pyvenv.cfg, beside bin/, is what makes sys.prefix the environment."""
    if not python.exists():
        return f"{python} is missing or a broken link"
    if _known_venv(python, environment):
        return None
    result = runner.run_argv("health", [str(python), "-c", HEALTH_PROBE], timeout=60)
    if not result.ok:
        return f"{python} does not run: {result.output_tail.strip()[-200:]}"
    try:
        facts: dict[str, Any] = json.loads(result.output_tail.splitlines()[-1])
    except (ValueError, IndexError):
        return f"{python} gave no answer to the health probe"
    if os.path.realpath(facts["prefix"]) != os.path.realpath(environment):
        return f"{python} belongs to {facts['prefix']}, not {environment}"
    if facts.get("version"):
        interpreter_cache.remember(python, str(facts["version"]))
    return None


def _known_venv(python: Path, environment: Path) -> bool:
    """A venv whose python is a known interpreter and whose pyvenv.cfg names
    that interpreter's folder as its home (a stale home fails at start-up)."""
    home = _home(environment)
    if not home or not interpreter_cache.known(python):
        return False
    real = os.path.realpath(python)
    return os.path.realpath(home) == os.path.dirname(real)


def _home(environment: Path) -> str | None:
    """pyvenv.cfg's `home` (the base interpreter's folder); None without one."""
    try:
        text = (environment / "pyvenv.cfg").read_text(errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() == "home":
            return value.strip()
    return None


def tool_missing(name: str, how: str) -> EnvironmentProblem:
    """The error for a project whose manager is not on PATH; how says how to
    install it (one wording for every manager, so the hints read alike)."""
    return EnvironmentProblem(
        f"this is a {name} project but {name} is not on PATH",
        f"install {name} ({how}), then `seedbed setup`",
    )


def require_tool(name: str, how: str) -> str:
    """The manager's executable on PATH; raises tool_missing when it is not."""
    found = shutil.which(name)
    if found is None:
        raise tool_missing(name, how)
    return found


def venv_steps(context: SetupContext, environment: Path) -> list[Step]:
    """The steps before a poetry or pdm sync: none when the environment is
    healthy and no re-create was asked (the sync brings it in line in place,
    far cheaper than a rebuild), else remove it and make an empty one, without
    pip since those managers install with their own installers."""
    if not context.recreate and venv_health(environment) is None:
        return []
    return [
        remove_env_step(environment, context.workspace.root),
        create_venv_step(context, environment),
    ]


def remove_env_step(environment: Path, root: Path | None = None) -> Step:
    """Remove the environment, only when seedbed made it (core.ownership):
    a link, a file, or a folder without seedbed's mark is an error naming it
    and stays where it is."""

    def remove() -> None:
        ownership.remove(root or worktree_of(environment), environment)

    return Step(
        f"remove {environment.name}",
        action=remove,
        labels={"removes": str(environment)},
    )


def worktree_of(environment: Path) -> Path:
    """The worktree holding environment: the nearest folder above it with a
    `.git` (a linked worktree's is a file)."""
    for folder in environment.parents:
        if os.path.lexists(folder / ".git"):
            return folder
    return environment.parent


def create_venv_step(
    context: SetupContext,
    environment: Path,
    with_pip: bool = False,
    env: Mapping[str, str] | None = None,
) -> Step:
    """An empty virtual environment made with the chosen interpreter.

    uv makes one in about 20 ms; `python -m venv` costs about 7 s with pip (it
    runs ensurepip), about 50 ms without. poetry and pdm install with their own
    installers, so their environments need no pip.
    """
    workspace = context.workspace
    uv = context.tools.get("uv")
    if uv is not None:
        argv: tuple[str, ...] = (
            uv,
            "venv",
            "--python",
            str(context.interpreter.path),
            *(("--seed",) if with_pip else ()),
            str(environment),
        )
        return Step(
            "uv venv",
            argv,
            cwd=workspace.root,
            env={**uv_base_env(workspace), **(env or {})},
            labels={"installer": "uv"},
        )
    argv = (str(context.interpreter.path), "-m", "venv", str(environment))
    if not with_pip:
        argv = (*argv[:3], "--without-pip", *argv[3:])
    return Step("venv", argv, cwd=workspace.root, env=dict(env or {}))


def uv_base_env(workspace: Workspace | None = None) -> dict[str, str]:
    """No progress bars in logs; the cache is left where the user keeps it.
    Interpreter downloads follow the user's policy (UV_PYTHON_DOWNLOADS, or
    `python-downloads` in uv's config files); without one, uv never downloads
    an interpreter behind the user's back."""
    env = {"UV_NO_PROGRESS": "1"}
    if not python_downloads(workspace):
        env["UV_PYTHON_DOWNLOADS"] = "never"
    return env


def python_downloads(workspace: Workspace | None = None) -> str:
    """The user's own uv interpreter download policy ("" when unset):
    UV_PYTHON_DOWNLOADS, else `python-downloads` in the project's
    pyproject.toml [tool.uv] or uv.toml, else in the user's uv.toml."""
    value = os.environ.get("UV_PYTHON_DOWNLOADS", "").strip()
    if value:
        return value
    tables: list[Mapping[str, Any]] = []
    if workspace is not None:
        tables.append(workspace.pyproject.get("tool", {}).get("uv", {}))
        tables.append(_toml(workspace.root / "uv.toml"))
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    tables.append(_toml(Path(config) / "uv" / "uv.toml"))
    for table in tables:
        found = table.get("python-downloads") if isinstance(table, Mapping) else None
        if isinstance(found, str) and found.strip():
            return found.strip()
    return ""


def _toml(path: Path) -> Mapping[str, Any]:
    import tomllib

    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return {}


def link_mode_args(workspace: Workspace) -> tuple[str, ...]:
    """uv's --link-mode from config: auto leaves uv's own choice (hardlink on
    Linux, clone on macOS, or the user's UV_LINK_MODE)."""
    mode = str(workspace.config.get("link_mode", "auto"))
    return () if mode == "auto" else ("--link-mode", mode)


# --- cache hits and misses, from the managers' own output ------------------

_UV_PREPARED = re.compile(r"^Prepared (\d+) packages?", re.MULTILINE)
_UV_INSTALLED = re.compile(r"^Installed (\d+) packages?", re.MULTILINE)
_PIP_CACHED = re.compile(r"^\s*Using cached ", re.MULTILINE)
_PIP_DOWNLOADED = re.compile(r"^\s*Downloading ", re.MULTILINE)


def cache_stats(log_text: str) -> dict[str, int] | None:
    """Hits and misses of the download/wheel cache, when the output says so.

    uv: "Prepared N" counts wheels it had to fetch or build (misses); the rest
    of "Installed M" came from its cache. pip: "Using cached" lines are hits,
    "Downloading" lines misses. poetry and pdm do not say: None.
    """
    prepared = [int(n) for n in _UV_PREPARED.findall(log_text)]
    installed = [int(n) for n in _UV_INSTALLED.findall(log_text)]
    hits = len(_PIP_CACHED.findall(log_text))
    misses = len(_PIP_DOWNLOADED.findall(log_text))
    if installed:
        missed = sum(prepared)
        return {
            "hits": hits + max(sum(installed) - missed, 0),
            "misses": misses + missed,
        }
    if hits or misses:
        return {"hits": hits, "misses": misses}
    return None
