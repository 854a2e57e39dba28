"""Flask: an app factory or `app = Flask(...)`, or FLASK_APP in `.flaskenv`.

Serve: `flask --app TARGET run --port $PORT` on 127.0.0.1. Setup: `flask db
upgrade` when Flask-Migrate is used (a migrations/ folder and the import).
Tests: pytest. TARGET is the app's file, which flask's own import logic turns
into a module however deep it sits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from seedbed.core.hookspecs import hookimpl
from seedbed.core.types import Detection, Framework, FrameworkContext, RunCommand, Step
from seedbed.core.workspace import Workspace
from seedbed.plugins.frameworks.base import find_source, project_files, read_small
from seedbed.plugins.resources import dotenv

IMPORTS = re.compile(r"^\s*(from\s+flask\s+import|import\s+flask)\b", re.MULTILINE)
DEFINES = re.compile(
    r"^\s*(\w+)\s*(?::\s*[\w.]+\s*)?=\s*(?:flask\.)?Flask\(|^def\s+(create_app|make_app)\(",
    re.MULTILINE,
)
MIGRATE = re.compile(r"\bflask_migrate\b")


def _debug(workspace: Workspace) -> str:
    return "1" if workspace.config.section("resources").get("debug", True) else "0"


class FlaskFramework:
    name = "flask"

    def detect(self, workspace: Workspace) -> Detection | None:
        configured = dotenv.read(workspace.root / ".flaskenv").get("FLASK_APP", "")
        if configured:
            return Detection(self.name, (".flaskenv FLASK_APP",), target=configured)
        found = find_source(workspace, DEFINES, IMPORTS)
        if found is None:
            return None
        path, match = found
        relative = str(path.relative_to(workspace.root))
        what = "app factory" if match.group(2) else f"{match.group(1)} = Flask(...)"
        return Detection(self.name, (f"{relative}: {what}",), target=relative)

    def target(self, workspace: Workspace, detection: Detection) -> str:
        """--app value: a file is made absolute, so any cwd works."""
        candidate = workspace.root / detection.target.split(":", 1)[0]
        if candidate.exists():
            rest = detection.target[len(detection.target.split(":", 1)[0]) :]
            return str(candidate) + rest
        return detection.target

    def env(self, workspace: Workspace, detection: Detection) -> Mapping[str, str]:
        return {
            "FLASK_APP": self.target(workspace, detection),
            "FLASK_DEBUG": _debug(workspace),
        }

    def setup_steps(self, context: FrameworkContext) -> Sequence[Step]:
        workspace = context.workspace
        if not (workspace.root / "migrations" / "env.py").is_file():
            return []
        if not uses_flask_migrate(workspace):
            return []
        target = self.target(workspace, context.detection)
        return [
            context.step(
                "flask db upgrade",
                ["python", "-m", "flask", "--app", target, "db", "upgrade"],
            )
        ]

    def serve_command(
        self, workspace: Workspace, detection: Detection, port: int
    ) -> RunCommand:
        target = self.target(workspace, detection)
        return RunCommand(
            (
                "python", "-m", "flask", "--app", target, "run",
                "--host", "127.0.0.1", "--port", str(port),
            )
        )  # fmt: skip

    def test_command(
        self, workspace: Workspace, detection: Detection, args: Sequence[str]
    ) -> RunCommand:
        return RunCommand(("python", "-m", "pytest", *args))


def uses_flask_migrate(workspace: Workspace) -> bool:
    return any(
        MIGRATE.search(read_small(path))
        for path in project_files(workspace)
        if "migrations" not in path.relative_to(workspace.root).parts
    )


FRAMEWORK: Framework = FlaskFramework()


@hookimpl
def seedbed_frameworks() -> Sequence[Framework]:
    return [FRAMEWORK]
