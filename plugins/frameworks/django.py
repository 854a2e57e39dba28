"""Django: manage.py plus its settings module.

Setup: `manage.py check`, then `manage.py migrate --noinput` against the
worktree's own database. Serve: `manage.py runserver 127.0.0.1:$PORT`. Tests:
`manage.py test` (with the project's test settings module when it has one:
settings/test.py, settings_test.py, test_settings.py), or pytest when
pytest-django is configured (with the settings module pytest's configuration
names). DATABASE_URL is given only to settings that read one
(plugins/resources/project.py); docs/frameworks.md shows how.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from seedbed.core.discovery import read_small
from seedbed.core.hookspecs import hookimpl
from seedbed.core.types import Detection, Framework, FrameworkContext, RunCommand, Step
from seedbed.core.workspace import Workspace
from seedbed.plugins.frameworks import scan
from seedbed.plugins.frameworks.scan import AppDetection

INI_SETTINGS = re.compile(
    r"(?m)^\s*DJANGO_SETTINGS_MODULE\s*=\s*['\"]?([A-Za-z_][\w.]*)"
)
TEST_MODULES = ("test", "tests", "testing", "test_settings")
PYTEST_FILES = ("pytest.ini", "pyproject.toml", "setup.cfg", "tox.ini")


def manage_py(workspace: Workspace) -> Path | None:
    """manage.py at the root, else one folder down (a Django admin beside a
    service in one repository)."""
    root = workspace.root
    if (root / "manage.py").is_file():
        return root / "manage.py"
    try:
        folders = sorted(p for p in root.iterdir() if p.is_dir())
    except OSError:
        return None
    for folder in folders:
        if folder.name.startswith(".") or folder.name in ("node_modules", "venv"):
            continue
        if (folder / "manage.py").is_file():
            return folder / "manage.py"
    return None


def pytest_django_settings(base: Path) -> str | None:
    """The settings module pytest-django is configured with (None: not
    configured; "" configured without a readable module)."""
    for name in PYTEST_FILES:
        text = read_small(base / name)
        if "DJANGO_SETTINGS_MODULE" in text and (
            name == "pytest.ini" or "pytest" in text
        ):
            match = INI_SETTINGS.search(text)
            return match.group(1) if match else ""
    return None


def settings_module(base: Path, manage: Path) -> str:
    """DJANGO_SETTINGS_MODULE as manage.py sets it (parsed, not matched)."""
    tree = scan.parse(manage)
    return scan.string_argument(tree, "DJANGO_SETTINGS_MODULE") if tree else ""


def test_settings(base: Path, settings: str) -> str:
    """The project's test settings module, when it has one: a sibling module
    named test/tests/testing/test_settings of the settings module, or
    `<settings>_test`; "" otherwise."""
    if not settings:
        return ""
    parent, _, leaf = settings.rpartition(".")
    folder = base.joinpath(*parent.split(".")) if parent else base
    if (base.joinpath(*settings.split(".")) / "__init__.py").is_file():
        parent, folder = settings, base.joinpath(*settings.split("."))
    candidates = [*TEST_MODULES, f"{leaf}_test"]
    for name in candidates:
        if name != leaf and (folder / f"{name}.py").is_file():
            return f"{parent}.{name}" if parent else name
    return ""


class DjangoFramework:
    name = "django"
    # Text a .py file must hold for detect() to read anything in it (the
    # resources family's run_env_inputs; core/runfast keys the others by name).
    markers = ("DJANGO_SETTINGS_MODULE",)

    def detect(self, workspace: Workspace) -> Detection | None:
        manage = manage_py(workspace)
        if manage is None:
            return None
        settings = settings_module(manage.parent, manage)
        if not settings:
            return None
        relative = str(manage.relative_to(workspace.root))
        where = str(manage.parent.relative_to(workspace.root))
        return AppDetection(
            self.name,
            (relative, f"settings {settings}"),
            target=relative,
            folder="" if where == "." else where,
        )

    def env(self, workspace: Workspace, detection: Detection) -> Mapping[str, str]:
        settings = _settings(detection)
        return {"DJANGO_SETTINGS_MODULE": settings} if settings else {}

    def setup_steps(self, context: FrameworkContext) -> Sequence[Step]:
        manage = context.workspace.root / context.detection.target
        return [
            context.step(
                "django check", ["python", str(manage), "check"], manage.parent
            ),
            context.step(
                "django migrate",
                ["python", str(manage), "migrate", "--noinput"],
                manage.parent,
            ),
        ]

    def serve_command(
        self, workspace: Workspace, detection: Detection, port: int
    ) -> RunCommand:
        manage = workspace.root / detection.target
        return RunCommand(("python", str(manage), "runserver", f"127.0.0.1:{port}"))

    def test_command(
        self, workspace: Workspace, detection: Detection, args: Sequence[str]
    ) -> RunCommand:
        """pytest when pytest-django is configured (with the settings module its
        configuration names), else `manage.py test` with the project's test
        settings module when it has one."""
        manage = workspace.root / detection.target
        base = manage.parent
        configured = pytest_django_settings(base)
        if configured is None and base != workspace.root:
            configured = pytest_django_settings(workspace.root)
        if configured is not None:
            env = {"DJANGO_SETTINGS_MODULE": configured} if configured else {}
            return RunCommand(("python", "-m", "pytest", *args), env)
        settings = test_settings(base, _settings(detection))
        if settings:
            return RunCommand(
                ("python", str(manage), "test", "--noinput", "--settings", settings,
                 *args),
                {"DJANGO_SETTINGS_MODULE": settings},
            )  # fmt: skip
        return RunCommand(("python", str(manage), "test", "--noinput", *args))


def _settings(detection: Detection) -> str:
    return next(
        (e.removeprefix("settings ") for e in detection.evidence if " " in e), ""
    )


FRAMEWORK: Framework = DjangoFramework()


@hookimpl
def seedbed_frameworks() -> Sequence[Framework]:
    return [FRAMEWORK]
