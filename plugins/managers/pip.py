"""pip projects (requirements*.txt, or a plain pyproject with no other lock).

The installer is uv's pip interface when uv is on PATH (installer = "auto",
several times faster) or pip itself (installer = "pip").

Requirement files are repository content: a configured one (`requirements`),
a default one, or one pulled in with `-r`/`-c` must stay inside the worktree,
symlinks resolved; one that leads out is a configuration error (exit 3) before
anything is installed.
"""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seedbed.core.errors import ConfigError
from seedbed.core.hookspecs import hookimpl
from seedbed.core.types import (
    ConfigKey,
    Detection,
    Manager,
    SetupContext,
    Step,
    Watch,
)
from seedbed.core.workspace import Workspace
from seedbed.plugins.managers import base, record
from seedbed.plugins.managers.uv import uv_env
from seedbed.plugins.managers.venv import VenvManager

if TYPE_CHECKING:  # imported where used: a uv project's setup never needs it
    from seedbed.plugins.managers import devset


class PipManager(VenvManager):
    name = "pip"
    priority = 10  # the weakest claim: requirement files or a plain pyproject
    identity_keys: tuple[str, ...] = ("requirements", "extras", "dev_groups")

    def health_check(self, workspace: Workspace) -> str | None:
        # The interpreter probe is the shared (cached) one; only the pip check
        # (a file look-up) is pip's own: a setup probes once, not twice.
        return super().health_check(workspace) or base.pip_missing(workspace)

    def detect(self, workspace: Workspace) -> Detection | None:
        root = workspace.root
        found = sorted(p.name for p in root.glob("requirements*.txt"))
        found += sorted(
            f"requirements/{p.name}" for p in root.glob("requirements/*.txt")
        )
        found += [n for n in ("dev-requirements.txt",) if (root / n).is_file()]
        if found:
            return Detection(self.name, tuple(found), 20)
        if base.is_package(workspace):
            return Detection(self.name, ("pyproject.toml",), 10)
        return None

    def version_files(self) -> tuple[str, ...]:
        # Where a pip project pins its Python, after `python`: runtime.txt is
        # the platform-as-a-service convention (python-3.12.1).
        return (".python-version", "runtime.txt")

    def watch(self, workspace: Workspace) -> Watch:
        chosen = self.describe(workspace)
        return Watch(
            (*chosen.included, "setup.py", "setup.cfg", "runtime.txt"),
            ("requirements*.txt", "requirements/*.txt", "dev-requirements.txt"),
        )

    def lock_check(self, workspace: Workspace) -> Step | None:
        return None  # requirements files are not a lock

    def required_tools(self) -> tuple[str, ...]:
        return ()  # pip comes with every venv; uv is used when on PATH

    def describe(self, workspace: Workspace) -> devset.DevSet:
        from seedbed.plugins.managers import devset

        chosen = devset.choose(workspace, base.is_package(workspace))
        _refuse_escaping_includes(workspace.root, chosen.files)
        return chosen

    def describe_install(self, workspace: Workspace) -> Mapping[str, Any]:
        """What setup installs and why (files, extras, groups)."""
        return self.describe(workspace).as_dict()

    def setup_steps(self, context: SetupContext) -> Sequence[Step]:
        workspace = context.workspace
        environment = base.env_dir(workspace)
        python = base.env_python(environment)
        reuse = not context.recreate and base.venv_health(environment) is None
        steps: list[Step] = []
        if environment.exists() and not reuse:
            steps.append(base.remove_env_step(environment))
        chosen = self.describe(workspace)
        uv = context.tools.get("uv")
        use_uv = context.installer == "uv" and uv is not None
        packages = _install_args(workspace, chosen, uv if use_uv else None)
        if use_uv and uv is not None:
            env = uv_env(environment, workspace)
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
            steps.append(record.record_step(workspace, self.name, chosen.as_dict()))
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
        steps.append(record.record_step(workspace, self.name, chosen.as_dict()))
        return steps


def _install_args(
    workspace: Workspace, chosen: devset.DevSet, uv: str | None
) -> list[str]:
    """The installer's arguments: -r files, the project (with extras) and the
    groups (uv's --group when it has one, else their expanded requirements)."""
    args: list[str] = []
    for name in chosen.files:
        args += ["-r", name]
    if chosen.editable:
        extras = f"[{','.join(chosen.extras)}]" if chosen.extras else ""
        args += ["-e", f".{extras}"]
    if chosen.groups:
        if uv is not None and uv_has_group(uv):
            for group in chosen.groups:
                args += ["--group", group]
        else:
            from seedbed.plugins.managers import devset

            args += devset.expand_groups(workspace, chosen.groups)
    return args


@functools.lru_cache(maxsize=4)
def uv_has_group(uv: str) -> bool:
    """Whether this uv's pip interface installs PEP 735 groups (--group): a
    probe of its help (the runner keeps only an output's tail)."""
    try:
        out = subprocess.run(
            [uv, "pip", "install", "--help"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return "--group" in out


def requirement_files(workspace: Workspace) -> list[str]:
    """The requirement files handed to the installer (confined to the worktree)."""
    from seedbed.plugins.managers import devset

    return list(devset.choose(workspace, base.is_package(workspace)).files)


def included_files(root: Path, names: Sequence[str]) -> list[str]:
    """The files and the ones they pull in with -r/-c, so editing either
    re-syncs; only those inside the worktree (nothing outside is read)."""
    from seedbed.plugins.managers import devset

    return devset.includes(root, names)[0]


def _refuse_escaping_includes(root: Path, names: Sequence[str]) -> None:
    """A `-r ../x` (or a symlink) in a requirement file would make the
    installer read a file outside the worktree: refused before installing."""
    from seedbed.plugins.managers import devset

    outside = devset.includes(root, names)[1]
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
            "pip projects: requirement files (default: the development set "
            "by convention, see docs/managers.md)",
            path=True,
        ),
        ConfigKey(
            "extras",
            "list",
            [],
            "pip projects: extras installed with the project (default: "
            "dev, test, tests when defined)",
        ),
        ConfigKey(
            "dev_groups",
            "list",
            [],
            "pip projects: PEP 735 dependency groups to install (default: "
            "dev, test, tests when defined)",
        ),
    ]
