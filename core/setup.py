"""Setup: plan → run → health check → mark ready, under a per-worktree lock.

The ready marker is cleared before anything changes and written only after every
step and the manager's health check passed, so an interrupted or failed setup is
never reported ready and the next run repairs it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, Protocol

from seedbed.core import (
    __version__,
    fastcheck,
    interpreters,
    metrics,
    ownership,
    repair,
    reuse,
    runner,
    state,
    worktreeinclude,
)
from seedbed.core.app import App
from seedbed.core.errors import (
    EXIT_SETUP,
    ConfigError,
    EnvironmentProblem,
    SeedbedError,
    SetupError,
)
from seedbed.core.types import (
    Interpreter,
    Manager,
    Reusable,
    SetupContext,
    Step,
    StepResult,
)
from seedbed.core.workspace import Workspace

# While a step runs, its process group (see runner.stop_leftover).
CHILD = "step-running.json"
DISK_FULL = (errno.ENOSPC, errno.EDQUOT)

# When two managers detect a project equally weakly, the first here wins.
PRECEDENCE = ("uv", "poetry", "pdm", "conda", "pip")
STRONG = 50  # a tie at or above this score is ambiguous: the user must choose


@dataclass(frozen=True)
class Outcome:
    ok: bool
    trigger: str
    manager: str
    installer: str = ""
    fingerprint: str = ""
    seconds: float = 0.0
    skipped: bool = False  # already in sync: nothing ran
    steps: Sequence[StepResult] = ()
    error: str = ""
    hint: str = ""
    python: str = ""
    package_count: int | None = None
    log: str = ""
    exit_code: int = 0  # the documented code when not ok
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "trigger": self.trigger,
            "skipped": self.skipped,
            "manager": self.manager,
            "installer": self.installer,
            "python": self.python,
            "fingerprint": self.fingerprint,
            "seconds": round(self.seconds, 3),
            "package_count": self.package_count,
            "steps": [
                {
                    "name": s.name,
                    "seconds": round(s.seconds, 3),
                    "exit_code": s.exit_code,
                    "peak_rss_kb": s.peak_rss_kb,
                }
                for s in self.steps
            ],
            "error": self.error,
            "hint": self.hint,
            "log": self.log,
            "detail": dict(self.extra),
        }


class Progress(Protocol):
    def begin(self, step: Step, index: int, total: int) -> None: ...
    def end(self, result: StepResult) -> None: ...


class QuietProgress:
    def begin(self, step: Step, index: int, total: int) -> None:
        pass

    def end(self, result: StepResult) -> None:
        pass


def choose_manager(app: App) -> Manager:
    workspace = app.workspace
    configured = str(workspace.config["manager"])
    if configured != "auto":
        return app.registry.manager(configured)
    found = [d for m in app.registry.managers.values() if (d := m.detect(workspace))]
    if not found:
        raise SetupError(
            f"{workspace.root}: no Python project found (no lock file, "
            "requirements*.txt or pyproject.toml)",
            "add one, or set `manager` in .seedbed.toml",
            no_project=True,
        )
    best = max(d.score for d in found)
    tied = [d for d in found if d.score == best]
    if len(tied) > 1 and best >= STRONG:
        evidence = "; ".join(f"{d.name}: {', '.join(d.evidence)}" for d in tied)
        raise ConfigError(
            f"{workspace.root}: more than one package manager claims this project "
            f"({evidence})",
            'choose one with manager = "NAME" in [tool.seedbed] or .seedbed.toml',
            key="manager",
        )
    rank = {name: i for i, name in enumerate(PRECEDENCE)}
    tied.sort(key=lambda d: rank.get(d.name, len(rank)))
    return app.registry.managers[tied[0].name]


def resolve_installer(workspace: Workspace) -> tuple[str, str | None]:
    """("uv" | "pip", path of uv or None) from config and what is on PATH."""
    uv = shutil.which("uv")
    wanted = str(workspace.config["installer"])
    if wanted == "uv" and uv is None:
        raise EnvironmentProblem(
            'installer = "uv" but uv is not on PATH',
            'install uv (pip install uv) or set installer = "auto"',
        )
    if wanted == "pip":
        return "pip", uv
    return ("uv" if uv else "pip"), uv


def ensure_excluded(workspace: Workspace, patterns: Sequence[str]) -> None:
    """Keep seedbed's per-worktree files out of git, for every worktree at once.

    Linked worktrees read info/exclude from the common git dir; the lock keeps
    eight concurrent setups from writing the same line twice.
    """
    exclude = workspace.common_dir / "info" / "exclude"
    exclude.parent.mkdir(parents=True, exist_ok=True)
    with open(exclude, "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        handle.seek(0)
        present = set(handle.read().splitlines())
        missing = [p for p in patterns if p not in present]
        if missing:
            handle.write(
                "# seedbed: per-worktree state\n"
                if "# seedbed: per-worktree state" not in present
                else ""
            )
            handle.write("".join(f"{p}\n" for p in missing))


def count_packages(environment: Path) -> int | None:
    site = list(environment.glob("lib/python*/site-packages"))
    if not site:
        return None
    return sum(1 for _ in site[0].glob("*.dist-info"))


def run_setup(
    app: App,
    trigger: str = "manual",
    recreate: bool = False,
    progress: Progress | None = None,
    echo: bool = False,
    wait: bool = True,
) -> Outcome:
    """Set the worktree up unless it is already in sync. wait=False (git hooks)
    raises state.Locked at once when another setup of it is running."""
    workspace = app.workspace
    root = workspace.root
    manager = choose_manager(app)
    env_dir = manager.env_dir(workspace)
    try:
        ensure_excluded(
            workspace,
            [
                "/.seedbed/",
                f"/{os.path.relpath(env_dir, root)}/",
                *getattr(manager, "excludes", ()),
            ],
        )
        with state.worktree_lock(root, wait=wait):
            return _setup_locked(
                app, manager, trigger, recreate, progress, echo, env_dir
            )
    except OSError as exc:
        raise SetupError(
            disk_message(exc, "writing seedbed's state"), disk_hint(exc)
        ) from exc


def disk_message(exc: OSError, doing: str) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in DISK_FULL:
        return f"setup failed: the disk is full{where} while {doing}"
    return f"setup failed: {exc.strerror or exc}{where} while {doing}"


def disk_hint(exc: OSError) -> str:
    if exc.errno in DISK_FULL:
        return "free some disk space (or raise the quota), then `seedbed setup`"
    return "fix the file's permissions or path, then `seedbed setup`"


def _setup_locked(
    app: App,
    manager: Manager,
    trigger: str,
    recreate: bool,
    progress: Progress | None,
    echo: bool,
    env_dir: Path,
) -> Outcome:
    workspace = app.workspace
    root = workspace.root
    if (
        not recreate
        and state.is_in_sync(root)
        and _same_settings(workspace, manager)
        and manager.health_check(workspace) is None
        and not _problems(workspace, manager)
    ):
        ready = state.read_ready(root) or {}
        return Outcome(
            True,
            trigger,
            manager.name,
            ready.get("installer", ""),
            ready.get("fingerprint", ""),
            skipped=True,
            python=ready.get("python", {}).get("version", ""),
            package_count=ready.get("package_count"),
        )
    with runner.terminate_as_interrupt():
        return _run_locked(
            app, manager, trigger, recreate, progress or QuietProgress(), echo
        )


# Settings that change what an environment holds; the user's config file and
# SEEDBED_* variables are not files the hook can watch, so they are compared here.
_IDENTITY_KEYS = ("dev", "requirements", "python", "reuse")


def _settings_identity(
    workspace: Workspace, manager: Manager, installer: str
) -> dict[str, str]:
    config = workspace.config
    settings = json.dumps({k: config.get(k) for k in _IDENTITY_KEYS}, sort_keys=True)
    return {
        "manager": manager.name,
        "installer": installer,
        "env_dir": os.path.relpath(manager.env_dir(workspace), workspace.root),
        "settings": hashlib.sha256(settings.encode()).hexdigest()[:16],
    }


def _same_settings(workspace: Workspace, manager: Manager) -> bool:
    """Whether the ready environment was made by this manager with these settings
    (a project that moved from pip to uv is not in sync, whatever its files say)."""
    ready = state.read_ready(workspace.root) or {}
    recorded = ready.get("identity", {})
    try:
        installer, _ = resolve_installer(workspace)
    except SeedbedError:
        return False
    wanted = _settings_identity(workspace, manager, installer)
    return all(recorded.get(key) == value for key, value in wanted.items())


def _problems(workspace: Workspace, manager: Manager) -> list[str]:
    try:
        return repair.problems(workspace, manager)
    except SeedbedError:
        return []  # a bad python request is reported by the setup itself


def _interpreter(workspace: Workspace, manager: Manager) -> Interpreter:
    """The machine's interpreter the request names; for a manager that
    installs its own (conda), the environment's python and the file's spec."""
    if getattr(manager, "provides_python", False):
        wanted = getattr(manager, "python_request", lambda _w: "")(workspace)
        path = manager.env_dir(workspace) / "bin" / "python"
        return Interpreter(path, str(wanted or "from environment file"))
    request = interpreters.request_for(
        workspace.root, str(workspace.config["python"]), workspace.pyproject
    )
    return interpreters.find(request)


class _Plan:
    """Runs steps in order into one log, stopping at the first failure."""

    def __init__(
        self,
        workspace: Workspace,
        log: IO[bytes],
        progress: Progress,
        echo: bool,
        track: Path,
    ) -> None:
        self.track = track
        self.workspace = workspace
        self.log = log
        self.progress = progress
        self.echo = echo
        self.results: list[StepResult] = []

    def run(self, steps: Sequence[Step]) -> StepResult | None:
        """The failed step's result, or None when all passed."""
        for index, step in enumerate(steps, 1):
            self.progress.begin(step, index, len(steps))
            result = runner.run_step(
                step,
                self.log,
                echo=self.echo,
                default_timeout=float(self.workspace.config["step_timeout"]),
                track=self.track,
            )
            self.progress.end(result)
            self.results.append(result)
            if not result.ok:
                return result
        return None


def _run_locked(
    app: App,
    manager: Manager,
    trigger: str,
    recreate: bool,
    progress: Progress,
    echo: bool,
) -> Outcome:
    workspace = app.workspace
    root = workspace.root
    started_at, start = time.time(), time.perf_counter()
    run_id = uuid.uuid4().hex
    installer, uv = resolve_installer(workspace)
    log_path = state.state_dir(root) / state.LOG
    detail: dict[str, Any] = {}
    error = hint = ""
    exit_code = EXIT_SETUP
    fingerprint = python = ""
    env_dir = manager.env_dir(workspace)
    package_count: int | None = None
    plan: _Plan | None = None
    try:
        state.clear_ready(root)
        state.write_json_atomic(
            state.state_dir(root) / state.LAST,
            {
                "status": "running",
                "trigger": trigger,
                "started_at": started_at,
                "pid": os.getpid(),
            },
        )
        # Never two writers of one environment: a step a killed seedbed left
        # running is stopped before anything here touches the environment.
        stopped = runner.stop_leftover(state.state_dir(root) / CHILD)
        if stopped:
            detail["stopped"] = stopped
        ownership.check_place(root, env_dir)
        repairs = [] if recreate else _problems(workspace, manager)
        if ownership.pending(root, env_dir) and os.path.lexists(env_dir):
            # Its creation was interrupted: whatever is there is half made.
            repairs.append(f"{env_dir}: its creation was interrupted; rebuilt")
        if repairs:
            detail["repair"] = repairs
            _check_removable(root, env_dir)
        elif recreate:
            _check_removable(root, env_dir)
        if not os.path.lexists(env_dir):
            ownership.begin_creation(root, env_dir)
        interpreter = _interpreter(workspace, manager)
        python = interpreter.version
        context = SetupContext(
            workspace,
            interpreter,
            installer,
            recreate or bool(repairs),
            uv,
            manager=manager,
        )
        watch = manager.watch(workspace)
        identity = {
            **_settings_identity(workspace, manager, installer),
            "python": interpreter.version,
        }
        fingerprint, watched = state.fingerprint(
            root, watch.paths, watch.globs, identity
        )
        reuse_steps = _reuse_plan(
            workspace, manager, context, fingerprint, recreate, repairs, detail
        )
        extra_steps: list[Step] = []
        for extra in app.registry.pm.hook.seedbed_setup_steps(context=context):
            extra_steps.extend(extra)
        with _open_log(log_path) as log:
            plan = _Plan(workspace, log, progress, echo, state.state_dir(root) / CHILD)
            failed = plan.run([_include_step(workspace, detail)])
            if failed is not None:
                reuse_steps = []  # nothing else runs after a failed step
            elif reuse_steps:
                failed = plan.run(reuse_steps)
                reason = (
                    f"step '{failed.name}' failed"
                    if failed
                    else _unhealthy(workspace, manager)
                )
                if reason:
                    detail["reuse"] = f"failed: {reason}; full install instead"
                    detail.pop("reused_from", None)
                    log.write(f"# reuse failed ({reason}); full install\n".encode())
                    context = dataclasses.replace(context, recreate=True)
                    reuse_steps = []
                    failed = None  # the full install below decides the outcome
                else:
                    detail["reuse"] = "ok"
            if failed is None and not reuse_steps:
                failed = plan.run(list(manager.setup_steps(context)))
            if failed is None:
                failed = plan.run(extra_steps)
            if failed is not None and "removes" in failed.labels:
                # The folder in the way is not seedbed's: its own message.
                error, _, hint = failed.output_tail.partition("\n")
                exit_code = failed.exit_code
            elif failed is not None:
                error = f"step '{failed.name}' failed (exit {failed.exit_code})"
                if _says_disk_full(failed.output_tail):
                    error += ": the disk is full"
                hint = _failure_hint(failed, log_path)
        if not error:
            reason = _unhealthy(workspace, manager)
            if reason:
                error = f"environment unhealthy after setup: {reason}"
                hint = "run `seedbed setup --recreate`; see " + str(log_path)
        stats = getattr(manager, "cache_stats", None)
        if stats is not None:
            found = stats(_read_text(log_path))
            if found is not None:
                detail["cache"] = found
        if not error:
            if getattr(manager, "provides_python", False):
                python = interpreters.probe(env_dir / "bin" / "python") or python
            package_count = count_packages(env_dir)
            results = plan.results if plan else []
            ownership.finish_creation(root, env_dir)
            # Before the marker: the marker is what makes the hook trust these.
            fastcheck.write(
                state.state_dir(root),
                root,
                watched,
                watch.globs,
                str(env_dir / "bin" / "python"),
            )
            state.write_json_atomic(
                state.state_dir(root) / state.READY,
                {
                    "fingerprint": fingerprint,
                    "manager": manager.name,
                    "installer": installer,
                    "identity": identity,
                    "watch": {"paths": list(watch.paths), "globs": list(watch.globs)},
                    "root": str(root),
                    "env_dir": os.path.relpath(env_dir, root),
                    "python_relpath": "bin/python",
                    "python": {"path": str(interpreter.path), "version": python},
                    "package_count": package_count,
                    "finished_at": time.time(),
                    "seconds": time.perf_counter() - start,
                    "reused_from": detail.get("reused_from", ""),
                    "steps": [
                        {
                            "name": r.name,
                            "seconds": round(r.seconds, 3),
                            "exit_code": r.exit_code,
                        }
                        for r in results
                    ],
                    "seedbed": __version__,
                },
            )
    except SeedbedError as exc:
        error, hint, exit_code = exc.message, exc.hint, exc.exit_code
    except OSError as exc:  # a full disk, most often: a failed setup, exit 5
        error = disk_message(exc, f"setting up {root}")
        hint = disk_hint(exc)
    except Exception as exc:  # a bug (ours or a plugin's): a failed setup, not a
        # vanished one; the marker stays cleared and `status` says why.
        error = f"internal error: {type(exc).__name__}: {exc}"
        hint = "please report it; retry with `seedbed setup`"
    outcome = Outcome(
        ok=not error,
        trigger=trigger,
        manager=manager.name,
        installer=installer,
        fingerprint=fingerprint,
        seconds=time.perf_counter() - start,
        steps=plan.results if plan else [],
        error=error,
        hint=hint,
        python=python,
        package_count=package_count,
        log=str(log_path),
        exit_code=0 if not error else exit_code,
        extra=detail,
    )
    _write_last(root, outcome)
    _record(workspace, run_id, started_at, outcome)
    return outcome


def _write_last(root: Path, outcome: Outcome) -> None:
    """The attempt's end; when it cannot be written (a full disk), the
    "running" record goes, so status never claims a setup is still going on."""
    path = state.state_dir(root) / state.LAST
    try:
        state.write_json_atomic(
            path,
            {
                "status": "ready" if outcome.ok else "failed",
                "finished_at": time.time(),
                **outcome.as_dict(),
            },
        )
    except OSError:
        with contextlib.suppress(OSError):
            path.unlink()


# What tools print for ENOSPC and EDQUOT (C library wording; Rust adds the code).
_DISK_FULL_TEXT = ("No space left on device", "Disk quota exceeded")


def _says_disk_full(output: str) -> bool:
    return any(text in output for text in _DISK_FULL_TEXT)


def _check_removable(root: Path, env_dir: Path) -> None:
    """A rebuild removes the environment: refuse before any step runs when
    the folder there is not seedbed's (a venv the user made, say)."""
    if os.path.lexists(env_dir) and not ownership.owned(root, env_dir):
        raise ownership.not_ours(
            env_dir, "it must be rebuilt, and it is not an environment seedbed made"
        )


def _reuse_plan(
    workspace: Workspace,
    manager: Manager,
    context: SetupContext,
    fingerprint: str,
    recreate: bool,
    repairs: Sequence[str],
    detail: dict[str, Any],
) -> list[Step]:
    """Steps that build the environment from a sibling's, or [] (full install).

    Only for an environment that is missing or must be rebuilt (an existing
    healthy one is synced in place by the manager, which is cheaper); never
    on --recreate, which promises the manager's own full install.
    """
    if recreate or not workspace.config.get("reuse", True):
        return []
    if not isinstance(manager, Reusable):
        return []
    env_dir = manager.env_dir(workspace)
    if env_dir.exists() and not repairs and manager.health_check(workspace) is None:
        return []
    if os.path.lexists(env_dir) and not ownership.owned(workspace.root, env_dir):
        return []  # the user's folder: never replaced by a sibling's copy
    donor = reuse.find_donor(workspace.root, workspace.common_dir, fingerprint)
    if donor is None:
        return []
    steps = manager.reuse_steps(context, donor.root, donor.env_dir)
    if not steps:
        detail["reuse"] = f"not possible from {donor.root} for {manager.name}"
        return []
    detail["reused_from"] = str(donor.root)
    return list(steps)


def _unhealthy(workspace: Workspace, manager: Manager) -> str:
    reason = manager.health_check(workspace)
    if reason:
        return reason
    problems = _problems(workspace, manager)
    return "; ".join(problems)


def _include_step(workspace: Workspace, detail: dict[str, Any]) -> Step:
    """Copy the files .worktreeinclude lists from the main worktree."""

    def copy() -> None:
        done = worktreeinclude.apply(workspace.root, workspace.common_dir)
        if done.copied:
            detail["worktreeinclude"] = list(done.copied)

    return Step("worktreeinclude", action=copy)


def _read_text(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except OSError:
        return ""


def _failure_hint(result: StepResult, log_path: Path) -> str:
    lines = [line for line in result.output_tail.splitlines() if line.strip()]
    shown = "\n".join(lines[-12:])
    return f"{shown}\nfull log: {log_path}; retry with `seedbed setup`"


@contextlib.contextmanager
def _open_log(path: Path) -> Any:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():  # keep the previous run's log beside the new one
        os.replace(path, path.with_suffix(".log.1"))
    with open(path, "ab") as handle:
        yield handle


def _record(
    workspace: Workspace, run_id: str, started_at: float, outcome: Outcome
) -> None:
    facts = workspace.facts
    common: dict[str, Any] = {
        "run_id": run_id,
        "worktree": facts.slug,
        "worktree_path": str(facts.root),
        "branch": facts.branch,
        "manager": outcome.manager,
    }
    rows = [
        metrics.Record(
            kind="setup",
            name=outcome.trigger,
            started_at=started_at,
            seconds=outcome.seconds,
            exit_code=0 if outcome.ok else 1,
            installer=outcome.installer,
            package_count=outcome.package_count,
            peak_rss_kb=max((s.peak_rss_kb for s in outcome.steps), default=0),
            cpu_seconds=sum(s.cpu_seconds for s in outcome.steps),
            detail={
                "fingerprint": outcome.fingerprint,
                "python": outcome.python,
                **outcome.extra,
                **({"error": outcome.error} if outcome.error else {}),
            },
            **common,
        )
    ]
    offset = started_at
    for step in outcome.steps:
        rows.append(
            metrics.Record(
                kind="step",
                name=step.name,
                started_at=offset,
                seconds=step.seconds,
                exit_code=step.exit_code,
                installer=step.labels.get("installer", ""),
                peak_rss_kb=step.peak_rss_kb,
                cpu_seconds=step.cpu_seconds,
                detail={"argv0": os.path.basename(step.argv[0]) if step.argv else ""},
                **common,
            )
        )
        offset += step.seconds
    try:
        metrics.MetricsStore(metrics.store_path(workspace.common_dir)).record(*rows)
    except Exception as exc:  # metrics must never fail a setup
        import sys

        print(f"seedbed: warning: metrics not recorded: {exc}", file=sys.stderr)
