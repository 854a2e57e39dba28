"""pip projects (requirements*.txt, or a plain pyproject with no other lock).

The installer is uv's pip interface when uv is on PATH (installer = "auto",
several times faster) or pip itself (installer = "pip").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from core.hookspecs import hookimpl
from core.records import Detection, Manager, SetupContext, Step, Watch
from core.workspace import Workspace
from plugins.managers import base, relocate
from plugins.managers.uv import uv_env

_INCLUDE = re.compile(r"^\s*(?:-r|--requirement|-c|--constraint)[\s=]+(\S+)")


class PipManager:
    name = "pip"
    env_dir = staticmethod(base.env_dir)
    run_command = staticmethod(base.run_command)
    health_check = staticmethod(base.health_check)
    reuse_steps = staticmethod(relocate.reuse_steps)
    cache_stats = staticmethod(base.cache_stats)

    def detect(self, workspace: Workspace) -> Detection | None:
        found = sorted(p.name for p in workspace.root.glob("requirements*.txt"))
        if found:
            return Detection(self.name, 20, tuple(found))
        if base.is_package(workspace):
            return Detection(self.name, 10, ("pyproject.toml",))
        return None

    def watch(self, workspace: Workspace) -> Watch:
        files = requirement_files(workspace)
        return Watch(
            (*included_files(workspace.root, files), "setup.py", "setup.cfg"),
            ("requirements*.txt",),
        )

    def lock_check(self, workspace: Workspace) -> Step | None:
        return None  # requirements files are not a lock

    def setup_steps(self, context: SetupContext) -> Sequence[Step]:
        workspace = context.workspace
        environment = base.env_dir(workspace)
        python = base.env_python(environment)
        reuse = not context.recreate and base.venv_health(environment) is None
        steps: list[Step] = []
        if environment.exists() and not reuse:
            steps.append(base.remove_env_step(environment))
        packages: list[str] = []
        for name in requirement_files(workspace):
            packages += ["-r", name]
        if base.is_package(workspace):
            packages += ["-e", "."]
        if context.installer == "uv":
            assert context.uv is not None
            env = uv_env(environment)
            if not reuse:
                create = [context.uv, "venv", "--python", str(context.interpreter.path)]
                steps.append(
                    Step(
                        "uv venv",
                        (*create, str(environment)),
                        cwd=workspace.root,
                        env=env,
                        labels={"installer": "uv"},
                    )
                )
            if packages:
                install = [
                    context.uv,
                    "pip",
                    "install",
                    "--python",
                    str(python),
                    *base.link_mode_args(workspace),
                ]
                steps.append(
                    Step(
                        "uv pip install",
                        (*install, *packages),
                        cwd=workspace.root,
                        env=env,
                        labels={"installer": "uv"},
                    )
                )
            return steps
        if not reuse:
            create = [str(context.interpreter.path), "-m", "venv", str(environment)]
            steps.append(
                Step(
                    "venv",
                    tuple(create),
                    cwd=workspace.root,
                    labels={"installer": "pip"},
                )
            )
        if packages:
            install = [
                str(python),
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
            ]
            steps.append(
                Step(
                    "pip install",
                    (*install, *packages),
                    cwd=workspace.root,
                    labels={"installer": "pip"},
                )
            )
        return steps


def requirement_files(workspace: Workspace) -> list[str]:
    configured = list(workspace.config["requirements"])
    if configured:
        return configured
    names = ["requirements.txt"]
    if workspace.config["dev"]:
        names.append("requirements-dev.txt")
    return [name for name in names if (workspace.root / name).is_file()]


def included_files(root: Path, names: Sequence[str]) -> list[str]:
    """The files and the ones they pull in with -r/-c, so editing either re-syncs."""
    seen: list[str] = []
    pending = list(names)
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.append(name)
        try:
            lines = (root / name).read_text().splitlines()
        except OSError:
            continue
        base_dir = Path(name).parent
        for line in lines:
            match = _INCLUDE.match(line)
            if match:
                pending.append(str(base_dir / match.group(1)))
    return sorted(seen)


MANAGER: Manager = PipManager()


@hookimpl
def seedbed_managers() -> Sequence[Manager]:
    return [MANAGER]
