"""FastAPI: an application found by scanning the project's modules, or configured.

Detection looks for `NAME = FastAPI(` in a module importing fastapi (bounded
scan, environments skipped); `resources.fastapi_app = "pkg.main:app"` overrides
it. Serve: uvicorn on 127.0.0.1:$PORT with reload (watching the app's package,
not the environment). Setup: `alembic upgrade head` when alembic.ini exists.
Tests: pytest.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

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
from seedbed.plugins.frameworks.base import find_source, module_name

IMPORTS = re.compile(r"^\s*(from\s+fastapi\s+import|import\s+fastapi)\b", re.MULTILINE)
DEFINES = re.compile(
    r"^(\w+)\s*(?::\s*[\w.]+\s*)?=\s*(?:fastapi\.)?FastAPI\(", re.MULTILINE
)


class FastAPIFramework:
    name = "fastapi"

    def detect(self, workspace: Workspace) -> Detection | None:
        configured = str(workspace.config.section("resources").get("fastapi_app", ""))
        if configured:
            return Detection(self.name, ("resources.fastapi_app",), target=configured)
        found = find_source(workspace, DEFINES, IMPORTS)
        if found is None:
            return None
        path, match = found
        relative = path.relative_to(workspace.root)
        target = f"{module_name(workspace.root, path)}:{match.group(1)}"
        return Detection(
            self.name, (f"{relative}: {match.group(1)} = FastAPI(...)",), target=target
        )

    def app_dir(self, workspace: Workspace, detection: Detection) -> str:
        """Where the app's top module is imported from: src/ in a src layout."""
        top = _top_module(detection)
        src = workspace.root / "src"
        if (src / top).is_dir() or (src / f"{top}.py").is_file():
            return str(src)
        return str(workspace.root)

    def env(self, workspace: Workspace, detection: Detection) -> Mapping[str, str]:
        return {}

    def setup_steps(self, context: FrameworkContext) -> Sequence[Step]:
        if not (context.workspace.root / "alembic.ini").is_file():
            return []
        return [
            context.step(
                "alembic upgrade", ["python", "-m", "alembic", "upgrade", "head"]
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
