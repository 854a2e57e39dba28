"""Which manager owns the worktree, and which interpreter its environment gets.

Managers detect the project with a score; the highest wins. Equal scores are
ambiguous (the user must choose) at or above STRONG, and otherwise decided by
each manager's declared `priority`, then by registration order.
"""

from __future__ import annotations

from seedbed.core import interpreters
from seedbed.core.app import App
from seedbed.core.errors import ConfigError, EnvironmentProblem, SetupError
from seedbed.core.types import Detection, Interpreter, Manager
from seedbed.core.workspace import Workspace

STRONG = 50  # a tie at or above this score is ambiguous: the user must choose


def choose_manager(app: App) -> Manager:
    workspace = app.workspace
    configured = str(workspace.config["manager"])
    if configured != "auto":
        return app.registry.manager(configured)
    managers = app.registry.managers
    found = [d for m in managers.values() if (d := m.detect(workspace))]
    if not found:
        raise SetupError(
            f"{workspace.root}: no Python project found (no lock file, "
            "requirements*.txt or pyproject.toml)",
            "add one, or set `manager` in .seedbed.toml",
            no_project=True,
        )
    priority = {name: m.priority for name, m in managers.items()}
    return managers[best(found, priority, str(workspace.root))]


def best(found: list[Detection], priority: dict[str, int], where: str) -> str:
    """The winning detection's name (ConfigError when strong ones tie)."""
    top = max(d.score for d in found)
    tied = [d for d in found if d.score == top]
    if len(tied) > 1 and top >= STRONG:
        evidence = "; ".join(f"{d.name}: {', '.join(d.evidence)}" for d in tied)
        raise ConfigError(
            f"{where}: more than one package manager claims this project ({evidence})",
            'choose one with manager = "NAME" in [tool.seedbed] or .seedbed.toml',
            key="manager",
        )
    # sorted is stable: equal priorities keep registration order.
    tied.sort(key=lambda d: -priority.get(d.name, 0))
    return tied[0].name


def interpreter(app: App, manager: Manager) -> Interpreter:
    """The machine's interpreter the request names; for a manager that
    installs its own (provides_python), the environment's and its file's spec.

    When none here meets the request, a manager that can find or provide
    one itself (`provide_python`) is asked before setup is refused; its
    error names its own ways to get one."""
    workspace: Workspace = app.workspace
    if manager.provides_python:
        wanted = manager.python_request(workspace)
        path = manager.env_python(workspace)
        return Interpreter(path, str(wanted or "from environment file"))
    request = python_request(workspace, manager)
    dirs = [d for m in app.registry.managers.values() for d in m.interpreter_dirs()]
    try:
        return interpreters.find(request, dirs)
    except EnvironmentProblem as missing:
        # The manager's own tool may find or provide one (uv), else the error.
        found = manager.provide_python(workspace, request, missing)
        if found is None:
            raise
        return found


def python_request(workspace: Workspace, manager: Manager) -> interpreters.Request:
    """What interpreter the worktree asks for: config `python`, the manager's
    version files, then requires-python."""
    names = tuple(manager.version_files())
    return interpreters.request_for(
        workspace.root, str(workspace.config["python"]), workspace.pyproject, names
    )
