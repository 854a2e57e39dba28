"""FastAPI: the configured application, else one found in the code, else the
uvicorn command of a compose file.

`resources.fastapi_app = "pkg.main:app"` wins; else a module-level
`NAME = FastAPI(...)` in a module importing fastapi (parsed with ast,
plugins/frameworks/scan.py; examples/, docs/, tests/ left out); an app in a
subfolder with its own project files (backend/ with alembic.ini) runs there.
Serve: uvicorn on 127.0.0.1:$PORT with reload (watching the app's package, not
the environment). Setup: `alembic upgrade head` when the app's folder has
alembic.ini. Tests: pytest.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from seedbed.core.discovery import folder, module_name, read_small
from seedbed.core.hookspecs import hookimpl
from seedbed.core.types import (
    ConfigKey,
    Detection,
    Framework,
    FrameworkContext,
    RunCommand,
    Step,
)
from seedbed.core.workspace import Workspace
from seedbed.plugins.frameworks import scan
from seedbed.plugins.frameworks.scan import AppDetection

COMPOSE_FILES = (
    "compose.yaml",
    "compose.yml",
    "docker-compose.yml",
    "docker-compose.yaml",
)
# `uvicorn pkg.main:app` or `fastapi run|dev path` in a compose `command:` line.
UVICORN = re.compile(r"\buvicorn\s+(?:--?\S+\s+)*([A-Za-z_][\w.]*:[A-Za-z_]\w*)")


def from_compose(workspace: Workspace) -> tuple[str, str]:
    """(target, file) from a compose file's uvicorn command, or ("", "")."""
    for name in COMPOSE_FILES:
        for line in read_small(workspace.root / name).splitlines():
            if line.lstrip().startswith("#"):
                continue
            match = UVICORN.search(line)
            if match:
                return match.group(1), name
    return "", ""


class FastAPIFramework:
    name = "fastapi"
    # Text a .py file must hold for detect() to read anything in it (the
    # resources family's run_env_inputs; core/runfast keys the others by name).
    markers = ("fastapi",)

    def detect(self, workspace: Workspace) -> Detection | None:
        configured = str(workspace.config.section("resources").get("fastapi_app", ""))
        if configured:
            return AppDetection(
                self.name, ("resources.fastapi_app",), target=configured
            )
        found = scan.find_app(workspace, "fastapi", "FastAPI")
        if found is not None:
            where = scan.folder_of(workspace, found.path)
            base = workspace.root / where if where else workspace.root
            relative = found.path.relative_to(workspace.root)
            target = f"{module_name(base, found.path)}:{found.name}"
            return AppDetection(
                self.name,
                (f"{relative}: {found.name} = FastAPI(...)",),
                target=target,
                folder=where,
            )
        target, compose = from_compose(workspace)
        if target:
            return AppDetection(
                self.name, (f"{compose}: uvicorn {target}",), target=target
            )
        return None

    def app_dir(self, workspace: Workspace, detection: Detection) -> str:
        """Where the app's top module is imported from: src/ in a src layout."""
        top = _top_module(detection)
        base = folder(workspace, detection)
        src = base / "src"
        if (src / top).is_dir() or (src / f"{top}.py").is_file():
            return str(src)
        return str(base)

    def env(self, workspace: Workspace, detection: Detection) -> Mapping[str, str]:
        return {}

    def setup_steps(self, context: FrameworkContext) -> Sequence[Step]:
        where = folder(context.workspace, context.detection)
        if not (where / "alembic.ini").is_file():
            return []
        return [
            context.step(
                "alembic upgrade",
                ["python", "-m", "alembic", "upgrade", "head"],
                where,
            )
        ]

    def serve_command(
        self, workspace: Workspace, detection: Detection, port: int
    ) -> RunCommand:
        app_dir = self.app_dir(workspace, detection)
        package = f"{app_dir}/{_top_module(detection)}"
        # Watch the app's own package: the whole worktree would include .venv,
        # which uvicorn's polling reloader would walk several times a second.
        watch = package if Path(package).is_dir() else app_dir
        return RunCommand(
            (
                "python", "-m", "uvicorn", detection.target,
                "--host", "127.0.0.1", "--port", str(port),
                "--app-dir", app_dir, "--reload", "--reload-dir", watch,
            )
        )  # fmt: skip

    def test_command(
        self, workspace: Workspace, detection: Detection, args: Sequence[str]
    ) -> RunCommand:
        return RunCommand(("python", "-m", "pytest", *args))


def _top_module(detection: Detection) -> str:
    return detection.target.split(":", 1)[0].split(".", 1)[0]


FRAMEWORK: Framework = FastAPIFramework()


@hookimpl
def seedbed_frameworks() -> Sequence[Framework]:
    return [FRAMEWORK]


@hookimpl
def seedbed_config_keys() -> Sequence[ConfigKey]:
    return [
        ConfigKey(
            "fastapi_app",
            "str",
            "",
            'the FastAPI application, e.g. "pkg.main:app" (default: found by '
            "scanning the project's modules)",
            section="resources",
        )
    ]
