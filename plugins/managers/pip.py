"""pip projects (requirements*.txt, or a plain pyproject with no other lock).

The installer is uv's pip interface when uv is on PATH (installer = "auto",
several times faster) or pip itself (installer = "pip").

Requirement files are repository content: a configured one (`requirements`),
a default one, or one pulled in with `-r`/`-c` must stay inside the worktree,
symlinks resolved; one that leads out is a configuration error (exit 3) before
anything is installed.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from seedbed.core.errors import ConfigError
from seedbed.core.hookspecs import hookimpl
from seedbed.core.paths import confine, inside
from seedbed.core.types import (
    ConfigKey,
    Detection,
    Manager,
    SetupContext,
    Step,
    Watch,
)
from seedbed.core.workspace import Workspace
from seedbed.plugins.managers import base
from seedbed.plugins.managers.uv import uv_env
from seedbed.plugins.managers.venv import VenvManager

_INCLUDE = re.compile(r"^\s*(?:-r|--requirement|-c|--constraint)[\s=]+(\S+)")


class PipManager(VenvManager):
    name = "pip"
    priority = 10  # the weakest claim: requirement files or a plain pyproject
    identity_keys: tuple[str, ...] = ("requirements",)

    def health_check(self, workspace: Workspace) -> str | None:
        return base.health_check(workspace)

    def detect(self, workspace: Workspace) -> Detection | None:
        found = sorted(p.name for p in workspace.root.glob("requirements*.txt"))
        if found:
            return Detection(self.name, tuple(found), 20)
        if base.is_package(workspace):
            return Detection(self.name, ("pyproject.toml",), 10)
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
        names = requirement_files(workspace)
        _refuse_escaping_includes(workspace.root, names)
        for name in names:
            packages += ["-r", name]
        if base.is_package(workspace):
            packages += ["-e", "."]
        uv = context.tools.get("uv")
        if context.installer == "uv" and uv is not None:
            env = uv_env(environment)
            if not reuse:
                create = [uv, "venv", "--python", str(context.interpreter.path)]
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
                    uv,
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
    """The requirement files to install, each confined to the worktree (a
    tracked symlink to a file outside is refused, naming the key)."""
    root = workspace.root
    configured = list(workspace.config["requirements"])
    if configured:
        where = workspace.config.origins.get("requirements", "configuration")
        for name in configured:
            confine(root, name, where, "requirements")
        return configured
    names = ["requirements.txt"]
    if workspace.config["dev"]:
        names.append("requirements-dev.txt")
    present = [name for name in names if (root / name).is_file()]
    for name in present:
        confine(root, name, str(root / name), "requirements")
    return present


def included_files(root: Path, names: Sequence[str]) -> list[str]:
    """The files and the ones they pull in with -r/-c, so editing either
    re-syncs; only those inside the worktree (nothing outside is read)."""
    return _includes(root, names)[0]


def _includes(root: Path, names: Sequence[str]) -> tuple[list[str], list[str]]:
    """(files inside the worktree, includes that lead out of it)."""
    seen: list[str] = []
    outside: list[str] = []
    pending = list(names)
    while pending:
        name = pending.pop()
        if name in seen or name in outside:
            continue
        if not inside(root / name, root):
            outside.append(name)
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
    return sorted(seen), sorted(outside)


def _refuse_escaping_includes(root: Path, names: Sequence[str]) -> None:
    """A `-r ../x` (or a symlink) in a requirement file would make the
    installer read a file outside the worktree: refused before installing."""
    outside = _includes(root, names)[1]
    if outside:
        raise ConfigError(
            f"requirement file {outside[0]!r} (pulled in with -r/-c) leads out "
            f"of the worktree {root}",
            "keep requirement files inside the worktree; nothing was changed",
            file=outside[0],
            key="requirements",
        )


MANAGER: Manager = PipManager()


@hookimpl
def seedbed_managers() -> Sequence[Manager]:
    return [MANAGER]


@hookimpl
def seedbed_config_keys() -> Sequence[ConfigKey]:
    return [
        ConfigKey(
            "installer",
            "str",
            "auto",
            "pip projects: auto uses uv's pip interface when uv is on PATH",
            choices=("auto", "uv", "pip"),
        ),
        ConfigKey(
            "requirements",
            "list",
            [],
            "pip projects: requirement files (default requirements.txt and "
            "requirements-dev.txt when present)",
            path=True,
        ),
    ]
