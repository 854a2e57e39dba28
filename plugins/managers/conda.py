"""conda projects (environment.yml / environment.yaml): a prefix environment
inside the worktree (`.conda/`), made by conda, mamba or micromamba.

First setup: `conda env create --prefix ./.conda --file environment.yml`; later
syncs: `conda env update --prefix ./.conda --file environment.yml --prune`, so
removed packages go. micromamba has no pruning update: it re-creates. Tools run
through `conda run --prefix`. The interpreter comes from the environment file
(conda installs it), not from the machine. Package caches (pkgs_dirs) stay
shared, so a second worktree links packages it already has.

A sibling worktree's ready prefix is reused with `create --clone` (conda
relocates its files' prefix placeholders itself), then an update with --prune
re-runs the file's pip section, so an editable `-e .` points at this worktree.
"""

from __future__ import annotations

import importlib
import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedbed.core.errors import ConfigError, EnvironmentProblem
from seedbed.core.hookspecs import hookimpl
from seedbed.core.types import (
    ConfigKey,
    Detection,
    Manager,
    RunCommand,
    SetupContext,
    Step,
    Watch,
)
from seedbed.core.workspace import Workspace

# repair and relocate are imported where used: every setup loads this module,
# whatever the project's manager.
from seedbed.plugins.managers import base

FILES = ("environment.yml", "environment.yaml")
DEFAULT_ENV_DIR = ".conda"
FRONTENDS = ("conda", "mamba", "micromamba")
_PIP_FILE = re.compile(r"^\s*(?:-r|--requirement|-c|--constraint)[\s=]+(\S+)")
_PYTHON = re.compile(r"^python(?:\s*([=<>!~].*))?$")


@dataclass(frozen=True)
class EnvironmentFile:
    """What seedbed needs from an environment file (conda reads the rest)."""

    path: Path
    name: str = ""
    channels: tuple[str, ...] = ()
    conda: tuple[str, ...] = ()  # conda package specs, as written
    pip: tuple[str, ...] = ()  # the pip sub-section's lines
    python: str = ""  # the python spec, e.g. "3.11" or ">=3.10"
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def pip_files(self) -> tuple[str, ...]:
        """Files the pip section reads (-r/-c), relative to the env file."""
        found = []
        for line in self.pip:
            match = _PIP_FILE.match(line)
            if match:
                found.append(match.group(1))
        return tuple(found)


def parse(path: Path) -> EnvironmentFile:
    """Read an environment file; errors name the file and what is wrong."""
    # PyYAML, imported only for conda projects (and untyped: Any on purpose).
    yaml: Any = importlib.import_module("yaml")

    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"{path}: malformed YAML: {exc}".replace("\n", " "),
            "fix the file's syntax; nothing was changed",
            file=str(path),
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text", file=str(path)) from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: expected a mapping with 'dependencies', "
            f"got {type(data).__name__}",
            file=str(path),
        )
    channels = data.get("channels") or []
    deps = data.get("dependencies") or []
    if not isinstance(channels, list) or not isinstance(deps, list):
        raise ConfigError(
            f"{path}: 'channels' and 'dependencies' must be lists", file=str(path)
        )
    conda: list[str] = []
    pip: list[str] = []
    python = ""
    for item in deps:
        if isinstance(item, dict) and "pip" in item:
            entries = item["pip"] or []
            if not isinstance(entries, list):
                raise ConfigError(f"{path}: 'pip' must be a list", file=str(path))
            pip.extend(str(entry) for entry in entries)
        elif isinstance(item, str | int | float):
            spec = str(item).strip()
            conda.append(spec)
            match = _PYTHON.match(spec.split("::")[-1].replace(" ", ""))
            if match:
                python = (match.group(1) or "").lstrip("=")
        else:
            raise ConfigError(
                f"{path}: unexpected dependency entry {item!r}", file=str(path)
            )
    known = {"name", "channels", "dependencies", "prefix", "variables"}
    return EnvironmentFile(
        path=path,
        name=str(data.get("name") or ""),
        channels=tuple(str(c) for c in channels),
        conda=tuple(conda),
        pip=tuple(pip),
        python=python,
        extra={k: v for k, v in data.items() if k not in known},
    )


def env_file(workspace: Workspace) -> Path | None:
    for name in FILES:
        if (workspace.root / name).is_file():
            return workspace.root / name
    return None


def frontend(workspace: Workspace) -> tuple[str, str]:
    """(name, path) of the tool to use: configured, else mamba, conda or
    micromamba, the first on PATH."""
    wanted = str(workspace.config.section("conda").get("frontend", "auto"))
    order = ("mamba", "conda", "micromamba") if wanted == "auto" else (wanted,)
    for name in order:
        found = shutil.which(name)
        if found:
            return name, found
    # Where the user would set it: pyproject.toml only when the project has one.
    where = (
        "[tool.seedbed.conda] frontend in pyproject.toml"
        if (workspace.root / "pyproject.toml").is_file()
        else "frontend in the [conda] table of .seedbed.toml"
    )
    raise EnvironmentProblem(
        f"this is a conda project but {' or '.join(order)} is not on PATH",
        f"install conda, mamba or micromamba (or set {where}), then `seedbed setup`",
    )


class CondaManager(Manager):
    name = "conda"
    priority = 20
    provides_python = True  # the environment file names the interpreter

    def detect(self, workspace: Workspace) -> Detection | None:
        found = env_file(workspace)
        if found is None:
            return None
        return Detection(self.name, (found.name,), 100)

    def env_dir(self, workspace: Workspace) -> Path:
        # `.venv` is the core's default; a conda prefix gets its own name
        # unless the user chose one.
        if "env_dir" in workspace.config.origins:
            return base.env_dir(workspace)
        return base.confined(workspace, DEFAULT_ENV_DIR)

    def env_python(self, workspace: Workspace) -> Path:
        return base.env_python(self.env_dir(workspace))

    def required_tools(self) -> tuple[str, ...]:
        return ("conda", "mamba", "micromamba")  # any one of them will do

    def problems(self, workspace: Workspace) -> list[str]:
        from seedbed.plugins.managers import repair

        return repair.problems(workspace, self.env_dir(workspace), check_python=False)

    def watch(self, workspace: Workspace) -> Watch:
        found = env_file(workspace)
        extra: tuple[str, ...] = ()
        if found is not None:
            try:
                extra = parse(found).pip_files
            except ConfigError:
                extra = ()  # setup reports the error itself
        return Watch((*FILES, *extra))

    def python_request(self, workspace: Workspace) -> str:
        found = env_file(workspace)
        return parse(found).python if found else ""

    def lock_check(self, workspace: Workspace) -> Step | None:
        return None  # environment.yml is a specification, not a lock

    def run_command(self, workspace: Workspace, argv: Sequence[str]) -> RunCommand:
        name, tool = frontend(workspace)
        prefix = str(self.env_dir(workspace))
        if name == "micromamba":
            return RunCommand((tool, "run", "-p", prefix, *argv))
        return RunCommand(
            (tool, "run", "--prefix", prefix, "--no-capture-output", *argv)
        )

    def health_check(self, workspace: Workspace) -> str | None:
        prefix = self.env_dir(workspace)
        if not prefix.is_dir():
            return f"{prefix} does not exist"
        if not (prefix / "conda-meta").is_dir():
            return f"{prefix} has no conda-meta: not a conda environment"
        return base.python_health(base.env_python(prefix), prefix)

    def setup_steps(self, context: SetupContext) -> Sequence[Step]:
        workspace = context.workspace
        found = env_file(workspace)
        if found is None:
            raise ConfigError(f"{workspace.root}: no environment.yml")
        parse(found)  # a malformed file fails here, before anything changes
        name, tool = frontend(workspace)
        prefix = self.env_dir(workspace)
        fresh = context.recreate or self.health_check(workspace) is not None
        if name == "micromamba":  # no pruning update: a re-create is exact
            fresh = True
        steps: list[Step] = []
        if fresh:
            steps.append(base.remove_env_step(prefix, workspace.root))
        steps.append(
            Step(
                f"{name} {'create' if fresh else 'update'}",
                command(name, tool, prefix, found, fresh),
                cwd=workspace.root,
                env=conda_env(),
                labels={"installer": name},
            )
        )
        return steps

    def reuse_steps(
        self, context: SetupContext, donor_root: Path, donor_env: Path
    ) -> Sequence[Step] | None:
        workspace = context.workspace
        found = env_file(workspace)
        name, tool = frontend(workspace)
        if found is None or name == "micromamba":
            return None
        from seedbed.plugins.managers import repair

        if repair.donor_problems(donor_root, donor_env, workspace.common_dir):
            return None
        prefix = self.env_dir(workspace)
        clone = (tool, "create", "--prefix", str(prefix), "--clone", str(donor_env))
        return [
            base.remove_env_step(prefix, workspace.root),
            Step(
                f"{name} create --clone",
                clone,
                cwd=workspace.root,
                env=conda_env(),
                labels={"installer": name, "reused_from": str(donor_root)},
            ),
            Step(
                "repoint the project's own installs",
                action=lambda: repoint(donor_root, donor_env, workspace.root, prefix),
                labels={"reused_from": str(donor_root)},
            ),
        ]


def repoint(donor_root: Path, donor_env: Path, root: Path, prefix: Path) -> None:
    """After `--clone` (which copies the sibling's conda and pip packages, its
    prefix rewritten), the distributions living in the sibling's tree (the
    project's editable install, path dependencies) still name the sibling's
    source: copy each from its RECORD with the sibling's root replaced by this
    worktree's. The same environment file means the same set, so no solve,
    no `env update` and no build is needed."""
    from seedbed.plugins.managers import relocate

    donor_site = relocate.site_packages(donor_env)
    if donor_site is None:
        return
    rewrite = relocate.Rewriter(donor_root, root)
    for dist in relocate.plan(relocate.installed(donor_site), donor_root).copies:
        url = str((dist.direct_url or {}).get("url", ""))
        path = relocate.url_path(url) if url else None
        if path is not None and relocate.within(path, donor_root):
            relocate.copy_dist(dist, donor_env, prefix, rewrite)


def command(
    name: str, tool: str, prefix: Path, found: Path, fresh: bool
) -> tuple[str, ...]:
    if name == "micromamba":
        return (tool, "create", "--yes", "--prefix", str(prefix), "--file", str(found))
    if fresh:
        return (tool, "env", "create", "--prefix", str(prefix), "--file", str(found))
    return (
        tool,
        "env",
        "update",
        "--prefix",
        str(prefix),
        "--file",
        str(found),
        "--prune",
    )


def conda_env() -> dict[str, str]:
    # Answer conda's prompts; keep the user's channels, caches and config.
    return {"CONDA_ALWAYS_YES": "true", "PYTHONNOUSERSITE": "1"}


MANAGER: Manager = CondaManager()


@hookimpl
def seedbed_managers() -> Sequence[Manager]:
    return [MANAGER]


@hookimpl
def seedbed_config_keys() -> Sequence[ConfigKey]:
    return [
        ConfigKey(
            "frontend",
            "str",
            "auto",
            "conda projects: the tool that builds the environment (auto: mamba, "
            "then conda, then micromamba, the first on PATH)",
            section="conda",
            choices=("auto", *FRONTENDS),
        )
    ]
