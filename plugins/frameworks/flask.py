"""Flask: the app the project declares, else one found in its code.

Declared: `resources.flask_app`, else FLASK_APP in `.flaskenv` or
`.env.example`. Found: `app = Flask(...)` or a `create_app`/`make_app` factory
at module level (parsed with ast; plugins/frameworks/scan.py), outside
examples/, docs/ and tests/.

Serve: `flask --app TARGET run --port $PORT` on 127.0.0.1. Setup: `flask db
upgrade` when Flask-Migrate is used (a migrations/ folder and the import).
Tests: pytest. TARGET is the app's file, which flask's own import logic turns
into a module however deep it sits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from seedbed.core import envfile
from seedbed.core.discovery import folder, project_files, read_small
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

MIGRATE = "flask_migrate"
DECLARED_IN = (".flaskenv", ".env.example", ".env.sample", ".env.template")
FACTORIES = ("create_app", "make_app")


def _debug(workspace: Workspace) -> str:
    return "1" if workspace.config.section("resources").get("debug", True) else "0"


def declared(workspace: Workspace) -> tuple[str, str]:
    """(FLASK_APP, where) from the project's own declarations, or ("", "")."""
    configured = str(workspace.config.section("resources").get("flask_app", ""))
    if configured:
        return configured, "resources.flask_app"
    for name in DECLARED_IN:
        value = envfile.read(workspace.root / name).get("FLASK_APP", "")
        if value:
            return value, f"{name} FLASK_APP"
    return "", ""


class FlaskFramework:
    name = "flask"
    # Text a .py file must hold for detect() to read anything in it (the
    # resources family's run_env_inputs; core/runfast keys the others by name).
    markers = ("flask",)

    def detect(self, workspace: Workspace) -> Detection | None:
        target, where = declared(workspace)
        if target:
            return AppDetection(self.name, (where,), target=target)
        found = scan.find_app(workspace, "flask", "Flask", FACTORIES)
        if found is None:
            return None
        relative = str(found.path.relative_to(workspace.root))
        what = "app factory" if found.factory else f"{found.name} = Flask(...)"
        return AppDetection(
            self.name,
            (f"{relative}: {what}",),
            target=relative,
            folder=scan.folder_of(workspace, found.path),
        )

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
        where = folder(workspace, context.detection)
        if not (where / "migrations" / "env.py").is_file():
            return []
        if not uses_flask_migrate(workspace):
            return []
        target = self.target(workspace, context.detection)
        return [
            context.step(
                "flask db upgrade",
                ["python", "-m", "flask", "--app", target, "db", "upgrade"],
                where,
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
        MIGRATE in read_small(path)
        for path in project_files(workspace)
        if "migrations" not in path.relative_to(workspace.root).parts
    )


FRAMEWORK: Framework = FlaskFramework()


@hookimpl
def seedbed_frameworks() -> Sequence[Framework]:
    return [FRAMEWORK]


@hookimpl
def seedbed_config_keys() -> Sequence[ConfigKey]:
    return [
        ConfigKey(
            "flask_app",
            "str",
            "",
            'the Flask application as FLASK_APP takes it, e.g. "examples/'
            'tutorial/flaskr" or "pkg.app:create_app" (default: FLASK_APP in '
            ".flaskenv or .env.example, else found in the project's modules)",
            section="resources",
        )
    ]
