"""Django: manage.py plus its settings module.

Setup: `manage.py check`, then `manage.py migrate --noinput` against the
worktree's own database. Serve: `manage.py runserver 127.0.0.1:$PORT`. Tests:
`manage.py test`, or pytest when pytest-django is configured. The settings are
expected to read DATABASE_URL and TEST_DB_NAME (docs/frameworks.md shows how).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from seedbed.core.hookspecs import hookimpl
from seedbed.core.types import Detection, Framework, FrameworkContext, RunCommand, Step
from seedbed.core.workspace import Workspace
from seedbed.plugins.frameworks.base import read_small

SETTINGS = re.compile(r"""DJANGO_SETTINGS_MODULE["']\s*,\s*["']([A-Za-z_][\w.]*)["']""")
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


def pytest_django_configured(workspace: Workspace) -> bool:
    """pytest-django reads DJANGO_SETTINGS_MODULE from pytest's configuration."""
    for name in PYTEST_FILES:
        text = read_small(workspace.root / name)
        if "DJANGO_SETTINGS_MODULE" in text and (
            name == "pytest.ini" or "pytest" in text
        ):
            return True
    return False


class DjangoFramework:
    name = "django"

    def detect(self, workspace: Workspace) -> Detection | None:
        manage = manage_py(workspace)
        if manage is None:
            return None
        match = SETTINGS.search(read_small(manage))
        if not match:
            return None
        relative = str(manage.relative_to(workspace.root))
        return Detection(
            self.name, (relative, f"settings {match.group(1)}"), target=relative
        )

    def env(self, workspace: Workspace, detection: Detection) -> Mapping[str, str]:
        settings = next(
            (e.removeprefix("settings ") for e in detection.evidence if " " in e), ""
        )
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
        if pytest_django_configured(workspace):
            return RunCommand(("python", "-m", "pytest", *args))
        manage = workspace.root / detection.target
        return RunCommand(("python", str(manage), "test", "--noinput", *args))


FRAMEWORK: Framework = DjangoFramework()


@hookimpl
def seedbed_frameworks() -> Sequence[Framework]:
    return [FRAMEWORK]
