"""Find a gate's tool and run it inside the worktree's own environment.

Where a tool comes from, first match wins:
  1. the worktree's environment (`<env>/bin/<tool>`), so the project's pinned
     version runs with the project's packages importable;
  2. seedbed's pinned tool environment (toolenv.py: ruff, mypy, black, isort,
     flake8), made once with uv and shared by every worktree.
Every command runs through the package manager's `run_command` (the env's
bin/ first on PATH, VIRTUAL_ENV set) and core.runner; never a shell. A tool
that cannot be had raises SeedbedError, which the gate run reports as `error`
(could not judge the code), never `fail`.

Caches that are safe to share live under `<common git dir>/seedbed/cache/`, so a
new worktree's first run is warm (docs/gates.md says why sharing is safe).
"""

from __future__ import annotations

import tempfile
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedbed.core import runner
from seedbed.core.errors import EXIT_ENVIRONMENT, SeedbedError
from seedbed.core.types import Finding, GateContext, GateResult, StepResult
from seedbed.core.workspace import Workspace
from seedbed.plugins.gates import toolenv

ORIGINS = ("environment", "seedbed tools")
TOOL_TIMEOUT = 1800.0


@dataclass(frozen=True)
class Tool:
    name: str
    path: str
    origin: str  # one of ORIGINS

    def describe(self) -> str:
        return f"{self.path} ({self.origin})"


def env_bin(context: GateContext) -> Path | None:
    if context.manager is None:
        return None
    return context.manager.env_dir(context.workspace) / "bin"


def in_env(context: GateContext, name: str) -> Tool | None:
    folder = env_bin(context)
    if folder is not None and (folder / name).is_file():
        return Tool(name, str(folder / name), "environment")
    return None


def find(context: GateContext, name: str) -> Tool:
    """The project's own tool, else seedbed's pinned one (made when needed)."""
    own = in_env(context, name)
    if own is not None:
        return own
    if name not in toolenv.PINS:
        raise SeedbedError(missing_message(context, name), exit_code=EXIT_ENVIRONMENT)
    # The version the project pins in its pre-commit config, else seedbed's.
    path = toolenv.ensure(name, toolenv.project_pins(context.workspace.root))
    return Tool(name, str(path), "seedbed tools")


def missing_message(context: GateContext, name: str) -> str:
    where = env_bin(context)
    inside = f"the worktree's environment ({where.parent})" if where else "no env"
    return (
        f"{name} not found in {inside}: add {name} to the project's dev "
        "dependencies and run `seedbed setup`"
    )


def env_python(context: GateContext) -> Path | None:
    folder = env_bin(context)
    python = folder / "python" if folder else None
    return python if python and python.exists() else None


def require_python(context: GateContext, purpose: str) -> Path:
    """The worktree env's interpreter, or an error saying how to get one."""
    python = env_python(context)
    if python is not None:
        return python
    if context.manager is None:
        raise SeedbedError(
            f"cannot {purpose}: no Python project detected here",
            "run the gate from the project's worktree",
            EXIT_ENVIRONMENT,
        )
    where = context.manager.env_dir(context.workspace)
    raise SeedbedError(
        f"cannot {purpose}: the worktree's environment is missing ({where})",
        "run `seedbed setup` (see `seedbed status` for why the last sync failed)",
        EXIT_ENVIRONMENT,
    )


def env_has(context: GateContext, module: str) -> bool:
    """Whether the worktree's environment installs a top-level module
    (a package folder or a module file); no process is started."""
    folder = env_bin(context)
    if folder is None:
        return False
    for site in folder.parent.glob("lib/python*/site-packages"):
        if (site / module).is_dir() or (site / f"{module}.py").is_file():
            return True
    return False


def cache_dir(workspace: Workspace, tool: str) -> Path:
    return workspace.repo_state_dir / "cache" / tool


def installed_version(tool: Tool, distribution: str) -> str | None:
    """A distribution's version next to the tool's bin/ (no process started)."""
    prefix = Path(tool.path).parent.parent
    for meta in prefix.glob(f"lib/python*/site-packages/{distribution}-*.dist-info"):
        return meta.name[len(distribution) + 1 : -len(".dist-info")]
    return None


@dataclass(frozen=True)
class Ran:
    """A finished tool: the runner's record and its whole output (the record
    keeps only the last lines; gates parse every line)."""

    result: StepResult
    text: str

    @property
    def ok(self) -> bool:
        return self.result.ok


def run(
    context: GateContext,
    name: str,
    argv: Sequence[str],
    extra_env: Mapping[str, str] | None = None,
    timeout: float = TOOL_TIMEOUT,
    cwd: Path | None = None,
) -> Ran:
    """Run argv in the worktree root (or cwd), inside its environment when
    there is one."""
    workspace = context.workspace
    env: dict[str, str] = dict(context.run_env)
    if context.manager is not None:
        command = context.manager.run_command(workspace, argv)
        argv = command.argv
        env.update(command.env)
    env.update(extra_env or {})
    with tempfile.TemporaryFile() as log:
        result = runner.run_argv(
            name,
            argv,
            cwd=cwd or workspace.root,
            env=runner.child_env(env),
            timeout=timeout,
            log=log,
        )
        log.seek(0)
        lines = log.read().decode("utf-8", "replace").splitlines()
    # The runner frames the output with "$ argv" and "# exit N" lines.
    if lines and lines[0].startswith("$ "):
        lines = lines[1:]
    if lines and lines[-1].startswith("# exit "):
        lines = lines[:-1]
    return Ran(result, "\n".join(lines))


def checker_result(
    gate: str,
    tool: Tool,
    ran: Ran,
    findings: tuple[Finding, ...],
    *,
    label: str,
    clean: str,
    dirty: str,
) -> GateResult:
    """The result of a checker run: ruff and mypy both exit 0 when clean, 1
    with findings, and anything else when they could not run at all (a bad
    config, a crash), which label names in the message."""
    code = ran.result.exit_code
    if code == 0:
        message = clean
    elif code == 1:
        message = dirty
    else:
        message = f"{label} could not run (exit {code}): see its output"
    return GateResult(
        gate,
        code == 0,
        error=code not in (0, 1),
        figure=float(len(findings)),
        findings=findings,
        message=message,
        tool=tool.describe(),
        output="" if code == 0 else tail(ran.text),
    )


def tail(text: str, lines: int = 20) -> str:
    kept = [line for line in text.splitlines() if line.strip()]
    return "\n".join(kept[-lines:])


def python_files(files: Sequence[str]) -> list[str]:
    return [f for f in files if f.endswith((".py", ".pyi"))]


def ruff_line_length(workspace: Workspace) -> int | None:
    """The line-length the project's own ruff config sets, if any."""
    root = workspace.root
    for name in ("ruff.toml", ".ruff.toml"):
        path = root / name
        if path.is_file():
            data = _toml(path)
            return _int(data.get("line-length"))
    tool = workspace.pyproject.get("tool", {})
    ruff: Any = tool.get("ruff", {}) if isinstance(tool, dict) else {}
    return _int(ruff.get("line-length")) if isinstance(ruff, dict) else None


def _toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return {}  # ruff itself will report a broken config


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
