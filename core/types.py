"""The plugin contract's types: every record between the core and plugins, and
every plugin protocol (manager, framework, gate). Plugins return records; the
core renders them. Optional protocol members are declared with their defaults,
so nothing is read with getattr out of the type checker's sight. Nothing here
imports a plugin or a third-party library: every layer can use this module."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from seedbed.core.errors import SeedbedError
    from seedbed.core.interpreters import Request
    from seedbed.core.plugins import Registry
    from seedbed.core.workspace import Workspace


@dataclass(frozen=True)
class Detection:
    """Why a plugin (a manager, a framework) thinks the project is its own.

    name: the manager's or framework's name; evidence: what was found, for
    messages. score (managers): 100 a lock file, 50 the manager's own pyproject
    table, 20 requirements files, 10 a plain pyproject; the highest wins, and a
    tie between two managers at 50 or more is ambiguous (`manager = "..."`).
    target (frameworks): what its commands need ("pkg.main:app", a settings
    module).
    """

    name: str
    evidence: tuple[str, ...]
    score: int = 0
    target: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "evidence": list(self.evidence),
            "score": self.score,
            "target": self.target,
        }


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
class Installer:
    """What fills a manager's environment: its name (recorded) and the
    executables it resolved (name → path), handed to steps as SetupContext.tools."""

    name: str
    tools: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SetupContext:
    """What a plugin needs to plan its part of a setup, computed once by the
    core: installer and tools (the chosen manager's `installer()`), manager,
    registry (the loaded plugins: no plugin rebuilds them), run_env (variables
    plugins give commands here: PORT, DATABASE_URL, ...)."""

    workspace: Workspace
    interpreter: Interpreter
    installer: str = ""
    recreate: bool = False
    tools: Mapping[str, str] = field(default_factory=dict)
    manager: Manager | None = None
    run_env: Mapping[str, str] = field(default_factory=dict)
    registry: Registry | None = None


@runtime_checkable
class Manager(Protocol):
    """A package manager: one module under plugins/managers/ implements this.

    A manager class subclasses Manager and inherits the defaults of the optional
    members (those with a value or a body), as pre-commit's languages take
    lang_base's; the built-in venv managers subclass plugins/managers/venv.py's.
    """

    name: str
    priority: int = 0  # breaks a tie between equal detections: highest wins
    excludes: tuple[str, ...] = ()  # extra info/exclude patterns
    provides_python: bool = False  # its environment file names the interpreter
    # Config keys that change what the environment holds (compared each setup).
    identity_keys: tuple[str, ...] = ()

    def detect(self, workspace: Workspace) -> Detection | None:
        """Whether this manager owns the project, and why."""

    def env_dir(self, workspace: Workspace) -> Path:
        """Where the worktree's environment lives (inside the worktree)."""

    def env_python(self, workspace: Workspace) -> Path:
        """The environment's interpreter (its existence is part of "ready")."""

    def watch(self, workspace: Workspace) -> Watch:
        """The files whose content fingerprints the environment."""

    def setup_steps(self, context: SetupContext) -> Sequence[Step]:
        """The steps that create and fill the environment."""

    def run_command(self, workspace: Workspace, argv: Sequence[str]) -> RunCommand:
        """How to run argv inside the environment."""

    def health_check(self, workspace: Workspace) -> str | None:
        """The reason the environment is unhealthy, or None when it is fine."""

    def lock_check(self, workspace: Workspace) -> Step | None:
        """A step failing when the lock disagrees with pyproject (None: no lock)."""

    def installer(self, workspace: Workspace) -> Installer:
        """What installs packages here; raises when a configured one is missing."""
        return Installer(self.name)

    def python_request(self, workspace: Workspace) -> str:
        """The interpreter the manager's own files ask for ("" for none)."""
        return ""

    def problems(self, workspace: Workspace) -> list[str]:
        """Why the environment must be rebuilt (moved, wrong Python), from files."""
        return []

    def cache_stats(self, log_text: str) -> dict[str, int] | None:
        """Cache hits and misses read from the setup log, when it says."""
        return None

    def reuse_steps(
        self, context: SetupContext, donor_root: Path, donor_env: Path
    ) -> Sequence[Step] | None:
        """Steps making the environment from a sibling's (None: not possible)."""
        return None

    def interpreter_dirs(self) -> tuple[Path, ...]:
        """Folders whose entries' bin/python3 are interpreters its tool installed."""
        return ()

    def version_files(self) -> tuple[str, ...]:
        """Files naming the project's Python, after the `python` setting."""
        return (".python-version",)

    def provide_python(
        self, workspace: Workspace, request: Request, missing: SeedbedError
    ) -> Interpreter | None:
        """An interpreter the manager's tool finds or installs (None: raise missing)."""
        return None

    def describe_install(self, workspace: Workspace) -> Mapping[str, Any]:
        """What a setup installs and why (status's `installed`; {}: nothing)."""
        return {}

    def required_tools(self) -> tuple[str, ...]:
        """Executables on PATH, any one of which it needs (doctor); () none."""
        return (self.name,)


# --- frameworks ---------------------------------------------------------------


@dataclass(frozen=True)
class FrameworkContext:
    """What a framework needs to plan its setup steps.

    env: the worktree's variables (DATABASE_URL, TEST_DB_NAME, DEBUG and the
    framework's own); run: the package manager's run_command for this worktree.
    """

    workspace: Workspace
    detection: Detection
    env: Mapping[str, str]
    run: Callable[[Sequence[str]], RunCommand]
    timeout: float | None = None

    def step(self, name: str, argv: Sequence[str], cwd: Path | None = None) -> Step:
        """A step running argv in the worktree's environment (from its root)."""
        command = self.run(argv)
        return Step(
            name,
            command.argv,
            cwd=cwd or self.workspace.root,
            env={**self.env, **command.env},
            timeout=self.timeout,
            labels={"framework": self.detection.name},
        )


@runtime_checkable
class Framework(Protocol):
    """One web framework; plugins/frameworks/*.py implement it."""

    name: str

    def detect(self, workspace: Workspace) -> Detection | None:
        """Whether the project uses this framework, and why; cheap (no imports
        of the project, no processes)."""

    def env(self, workspace: Workspace, detection: Detection) -> Mapping[str, str]:
        """Variables the framework adds to `.env` and to commands (e.g.
        DJANGO_SETTINGS_MODULE, FLASK_APP)."""

    def setup_steps(self, context: FrameworkContext) -> Sequence[Step]:
        """Steps after the database exists: migrations, checks."""

    def serve_command(
        self, workspace: Workspace, detection: Detection, port: int
    ) -> RunCommand:
        """The dev server on 127.0.0.1:port, argv to run inside the environment."""

    def test_command(
        self, workspace: Workspace, detection: Detection, args: Sequence[str]
    ) -> RunCommand:
        """The project's tests, against the worktree's test database."""


# --- quality gates ------------------------------------------------------------

# pre-commit's own stage names, so a gate's stage is also its hook's stage;
# "manual" gates run only when named (--only) or with --stage manual.
STAGES = ("pre-commit", "pre-push", "manual")


@dataclass(frozen=True)
class Finding:
    """One problem a gate found. kind names the rule or detector, never a value:
    a secret's finding says "AWS Access Key", not the key."""

    file: str
    line: int = 0  # 0 when the finding is about the whole file
    kind: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "kind": self.kind}

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.kind}" if self.kind else where


@dataclass(frozen=True)
class GateResult:
    name: str
    passed: bool
    seconds: float = 0.0
    figure: float | None = None  # coverage % for tests, findings for the others
    findings: tuple[Finding, ...] = ()
    message: str = ""  # one line: what happened, what to do
    skipped: bool = False  # nothing to check here (no lock, no migrations)
    tool: str = ""  # the executable that ran, so "which ruff?" has an answer
    output: str = ""  # the tool's last lines, shown when the gate fails
    error: bool = False  # could not judge the code (a tool or data missing)

    @property
    def status(self) -> str:  # one vocabulary everywhere
        if self.skipped or self.error:
            return "skip" if self.skipped else "error"
        return "pass" if self.passed else "fail"

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "passed": self.passed,
            "status": self.status,
            "seconds": round(self.seconds, 3),
            "figure": self.figure,
            "findings": [f.as_dict() for f in self.findings],
            "message": self.message,
            "skipped": self.skipped,
            "tool": self.tool,
            "output": self.output,
            "error": self.error,
        }


@dataclass(frozen=True)
class GateContext:
    """What a gate run knows, computed once for all gates of one run.

    files: paths relative to the worktree root (pre-commit's staged files, or
    the FILES given by hand); empty means "the whole project".
    manager: the worktree's package manager, or None when no Python project
    was detected (gates then use the fallback tools).
    """

    workspace: Workspace
    manager: Manager | None
    files: tuple[str, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=dict)
    run_env: Mapping[str, str] = field(default_factory=dict)
    stage: str | None = None


@runtime_checkable
class Gate(Protocol):
    name: str
    stage: str  # default stage, one of STAGES
    description: str

    def run(self, context: GateContext) -> GateResult:
        """Check the worktree; return a record (passed, figure, findings)."""


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
