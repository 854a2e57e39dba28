"""The small typed records that flow between the core and plugins.

Plugins return these; the core renders them. Nothing here imports a plugin or a
third-party library, so every layer can use them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from seedbed.core.workspace import Workspace


@dataclass(frozen=True)
class Detection:
    """Why a manager thinks it owns a project.

    score: 100 a lock file, 50 the manager's own pyproject table, 20 requirements
    files, 10 a plain pyproject. The highest score wins; a tie between two
    managers at 50 or more is ambiguous and needs `manager = "..."`.
    """

    manager: str
    score: int
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class Watch:
    """Files whose content decides whether an environment is still in sync.

    paths are relative to the worktree root and may be absent (absence counts:
    a lock appearing on another branch must trigger a re-sync); globs are expanded
    at fingerprint time.
    """

    paths: tuple[str, ...]
    globs: tuple[str, ...] = ()


@dataclass(frozen=True)
class Interpreter:
    path: Path
    version: str  # "3.12.1"

    @property
    def short(self) -> str:
        return ".".join(self.version.split(".")[:2])


@dataclass(frozen=True)
class Step:
    """One unit of setup work: a process (argv) or an in-process action.

    Processes are started only by core.runner; plugins describe, never spawn.
    """

    name: str
    argv: tuple[str, ...] = ()
    action: Callable[[], None] | None = None
    cwd: Path | None = None
    env: Mapping[str, str] = field(default_factory=dict)
    timeout: float | None = None
    # A plugin may say what a step means for metrics (installer, package manager).
    labels: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class StepResult:
    name: str
    argv: tuple[str, ...]
    seconds: float
    exit_code: int
    peak_rss_kb: int = 0
    cpu_seconds: float = 0.0
    output_tail: str = ""
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.exit_code == 0


@dataclass(frozen=True)
class RunCommand:
    """How to run a tool inside an environment: the argv and extra variables."""

    argv: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ConfigKey:
    """A configuration key a plugin (or the core) accepts.

    section "" is `[tool.seedbed]` itself; "pod" is `[tool.seedbed.pod]`.
    kind is one of "str", "int", "float", "bool", "list".
    minimum and maximum bound an "int" or "float" value (inclusive); path marks
    a "str" (or each entry of a "list") as a path relative to the worktree,
    refused at validation when absolute, empty, `.` or holding `..`.
    """

    name: str
    kind: str
    default: Any
    doc: str
    section: str = ""
    choices: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    path: bool = False


@dataclass(frozen=True)
class SetupContext:
    """Everything a manager needs to plan a setup, computed once by the core."""

    workspace: Workspace
    interpreter: Interpreter
    installer: str  # "uv" or "pip", resolved from config and PATH
    recreate: bool = False
    uv: str | None = None  # path of the uv executable, when found


@runtime_checkable
class Manager(Protocol):
    """A package manager: one module under plugins/managers/ implements this.

    Shared defaults live in plugins/managers/base.py; a module assigns what it
    does not change, as pre-commit's language modules do.

    Optional members setup reads with getattr when present:
    `reuse_steps(context, donor_root, donor_env)` (see core.reuse.Reusable: build
    the environment from a sibling worktree's), `cache_stats(log_text)` (cache
    hits and misses from the step log), `excludes` (extra paths for
    info/exclude), `provides_python` (the manager brings its own interpreter,
    as conda does) and `python_request(workspace)` (which interpreter it wants).
    """

    name: str

    def detect(self, workspace: Workspace) -> Detection | None:
        """Whether this manager owns the project, and why."""

    def env_dir(self, workspace: Workspace) -> Path:
        """Where the worktree's environment lives (inside the worktree)."""

    def watch(self, workspace: Workspace) -> Watch:
        """The files whose content fingerprints the environment."""

    def setup_steps(self, context: SetupContext) -> Sequence[Step]:
        """The steps that create and fill the environment."""

    def run_command(self, workspace: Workspace, argv: Sequence[str]) -> RunCommand:
        """How to run argv inside the environment."""

    def health_check(self, workspace: Workspace) -> str | None:
        """The reason the environment is unhealthy, or None when it is fine."""

    def lock_check(self, workspace: Workspace) -> Step | None:
        """A step that fails when the lock disagrees with pyproject, or None
        when the manager has no lock."""


@dataclass(frozen=True)
class GcAction:
    """One thing gc released (or, in a dry run, would release)."""

    plugin: str
    resource: str  # "port block 8000-8009", "database app_feat_1a2b3c", ...
    worktree: str
    done: bool
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return self.__dict__.copy()


@dataclass(frozen=True)
class PluginInfo:
    name: str
    module: str
    distribution: str
    hooks: tuple[str, ...]
    blocked: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "module": self.module,
            "distribution": self.distribution,
            "hooks": list(self.hooks),
            "blocked": self.blocked,
        }
