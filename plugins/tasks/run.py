"""One task run: worktree, pod, agent, checks, results, clean-up.

plan() checks everything that can be checked before anything is made (the
task file was parsed already; the base exists; the results folder and branch
are free). execute() then runs the stages, writing summary.json after each, and
always ends by collecting changes.patch, recording metrics and removing (pass,
unless --keep) or keeping (fail, error, interrupted) the worktree and pod.

Interrupts: a Control is shared with the command's main thread, whose signal
handlers call Control.cancel(): every active pod is killed, so a running agent
or check ends at once, and the run is marked "interrupted".
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedbed.core import files
from seedbed.core.errors import SeedbedError
from seedbed.plugins.tasks import pod as pods
from seedbed.plugins.tasks import results, worktree
from seedbed.plugins.tasks.record import record
from seedbed.plugins.tasks.taskfile import TaskFile

INTERRUPTED = "stopped by Ctrl-C or SIGTERM"


class Interrupted(Exception):
    """The command was interrupted (Ctrl-C, SIGTERM) while this task ran."""


@dataclass
class Control:
    """Shared by every task of one command and its signal handlers."""

    cancelled: threading.Event = field(default_factory=threading.Event)
    _pods: set[pods.Pod] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def cancel(self) -> None:
        self.cancelled.set()
        with self._lock:
            active = list(self._pods)
        for pod in active:
            pod.stop()

    def add(self, pod: pods.Pod) -> None:
        with self._lock:
            self._pods.add(pod)
        if self.cancelled.is_set():
            pod.stop()

    def discard(self, pod: pods.Pod) -> None:
        with self._lock:
            self._pods.discard(pod)

    def check(self) -> None:
        if self.cancelled.is_set():
            raise Interrupted()


@dataclass(frozen=True)
class Options:
    agent: tuple[str, ...] = ()
    timeout: float | None = None  # --timeout: over the task file's
    default_timeout: float | None = None  # tasks.timeout: under the task file's
    network: bool | None = None
    keep: bool = False
    keep_going: bool = False
    gates: bool = True
    base: str = "HEAD"
    wait_seconds: float = 3600.0


@dataclass(frozen=True)
class Plan:
    task: TaskFile
    run_id: str
    branch: str
    worktree: Path
    folder: Path
    base_commit: str


def plan(root: Path, task: TaskFile, options: Options, run_id: str) -> Plan:
    """Where this run will live; raises (nothing made) when it cannot."""
    folder = results.run_dir(root, task.name, run_id)
    branch = f"task/{task.name}-{run_id}"
    path = root.parent / f"{root.name}.tasks" / f"{task.name}-{run_id}"
    if path.exists() or folder.exists():
        raise SeedbedError(f"{path} already exists", "run again", 1)
    return Plan(
        task, run_id, branch, path, folder, worktree.base_commit(root, options.base)
    )


Echo = Callable[[bytes], None]


class Runner:
    def __init__(
        self, app: Any, plan: Plan, options: Options, control: Control, echo: Echo
    ) -> None:
        self.app, self.plan, self.options = app, plan, options
        self.control, self.echo = control, echo
        self.root = Path(app.workspace.root)
        self.pod: pods.Pod | None = None
        self.made_worktree = False
        self.deadline: float | None = None
        task = plan.task
        self.timeout = options.timeout or task.timeout or options.default_timeout
        self.summary: dict[str, Any] = {
            "task": task.name,
            "title": task.title,
            "task_file": str(task.path),
            "run_id": plan.run_id,
            "status": "running",
            "reason": "",
            "branch": plan.branch,
            "base": options.base,
            "base_commit": plan.base_commit,
            "commit": plan.base_commit,
            "worktree": str(plan.worktree),
            "worktree_kept": False,
            "pod": "",
            "pod_kept": False,
            "network": None,
            "timeout_seconds": self.timeout,
            "timed_out": False,
            "started_at": results.iso(time.time()),
            "finished_at": None,
            "seconds": 0.0,
            "agent": None,
            "levels": [],
            "gates": [],
            "pod_peak_memory_bytes": 0,
            "pod_peak_cpu_percent": 0.0,
            "results": str(plan.folder),
            "changes": "changes.patch",
        }

    def save(self) -> None:
        results.write_summary(self.plan.folder, self.summary)

    def remaining(self) -> float | None:
        if self.deadline is None:
            return None
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.summary["timed_out"] = True
            raise TimeoutError()
        return left

    def execute(self) -> dict[str, Any]:
        started, start = time.time(), time.perf_counter()
        self.control.check()
        results.prepare(
            self.root,
            Path(self.app.workspace.common_dir),
            self.plan.task.name,
            self.plan.run_id,
        )
        self.save()
        try:
            self._stages()
        except Interrupted:
            self.summary.update(status="interrupted", reason=INTERRUPTED)
        except TimeoutError:
            self.summary.update(
                status="fail",
                reason=f"time limit of {self.timeout:g} s reached",
                timed_out=True,
            )
        except SeedbedError as exc:
            self.summary.update(status="error", reason=exc.message)
        except Exception as exc:  # keep what was collected whatever happens
            self.summary.update(status="error", reason=f"{type(exc).__name__}: {exc}")
        finally:
            if self.control.cancelled.is_set() and self.summary["status"] != "pass":
                self.summary.update(status="interrupted", reason=INTERRUPTED)
            self.summary["seconds"] = round(time.perf_counter() - start, 3)
            self.summary["finished_at"] = results.iso(time.time())
            self._collect()
            self._clean_up()
            self.save()
            record(self.app.workspace.facts, self.summary, started)
        return self.summary

    def _stages(self) -> None:
        plan, options = self.plan, self.options
        worktree.create(self.root, plan.worktree, plan.branch, plan.base_commit)
        self.made_worktree = True
        self.control.check()
        from seedbed.core import app as application

        if options.gates:
            worktree.set_up(plan.worktree)
        self.control.check()
        where = application.load(plan.worktree)
        wanted = options.network
        settings = pods.settings_for(
            where.workspace, self.plan.task.network if wanted is None else wanted
        )
        self.summary["network"] = settings.network
        self.pod = pods.make(
            where.workspace,
            settings,
            self.control.cancelled,
            lambda text: self.echo(f"seedbed: {text}\n".encode()),
            options.wait_seconds,
        )
        self.control.add(self.pod)
        self.summary["pod"] = self.pod.name
        self.save()
        if self.timeout:
            self.deadline = time.monotonic() + self.timeout
        passed = self._agent()
        # After a failed agent the levels are listed as skipped (unless keep-going).
        passed = self._levels(blocked=not (passed or options.keep_going)) and passed
        if options.gates and (passed or options.keep_going):
            passed = self._gates() and passed
        self.summary["status"] = "pass" if passed else "fail"

    def _task_copy(self) -> str:
        """The task file where the pod sees it (the common dir is mounted)."""
        folder = Path(self.app.workspace.common_dir) / "seedbed" / "tasks"
        path = folder / f"{self.plan.run_id}.md"
        files.write_atomic(path, self.plan.task.text, mode=0o644)
        return str(path)

    def _exec(
        self, argv: list[str], entry: dict[str, Any], log_name: str, stdin: bytes = b""
    ) -> pods.Ran:
        """Run argv in the pod; entry["exit_code"] is set before any raise."""
        assert self.pod is not None
        with open(self.plan.folder / log_name, "ab") as log:
            ran = pods.run(
                self.pod,
                argv,
                str(self.plan.worktree),
                log,
                self.echo,
                self.remaining(),
                stdin,
                {
                    "SEEDBED_TASK": self.task_path,
                    "SEEDBED_TASK_NAME": self.plan.task.name,
                    "SEEDBED_RUN_ID": self.plan.run_id,
                    # No __pycache__ in the worktree, so none in changes.patch.
                    "PYTHONDONTWRITEBYTECODE": "1",
                },
            )
        entry["exit_code"] = ran.exit_code
        self.control.check()
        if ran.timed_out:
            self.summary["timed_out"] = True
            raise TimeoutError()
        return ran

    task_path = ""

    def _agent(self) -> bool:
        self.task_path = self._task_copy()
        if not self.options.agent:
            return True
        entry: dict[str, Any] = {
            "argv": list(self.options.agent),
            "exit_code": None,
            "seconds": 0.0,
            "log": "agent.log",
        }
        self.summary["agent"] = entry
        started = time.perf_counter()
        try:
            ran = self._exec(
                list(self.options.agent),
                entry,
                "agent.log",
                self.plan.task.text.encode(),
            )
        finally:
            entry["seconds"] = round(time.perf_counter() - started, 3)
        self.save()
        if ran.exit_code != 0:
            self.summary["reason"] = f"the agent exited with {ran.exit_code}"
        return ran.exit_code == 0

    def _levels(self, blocked: bool = False) -> bool:
        passed = not blocked
        for number, level in enumerate(self.plan.task.levels, start=1):
            log_name = f"level-{number}.log"
            entry: dict[str, Any] = {
                "name": level.name,
                "status": "skip",
                "exit_code": None,
                "seconds": 0.0,
                "commands": len(level.commands),
                "log": log_name,
                "started_at": results.iso(time.time()),
            }
            self.summary["levels"].append(entry)
            if not passed and not self.options.keep_going:
                continue
            started = time.perf_counter()
            code = 0
            try:
                for command in level.commands:
                    code = self._exec(["sh", "-c", command], entry, log_name).exit_code
                    if code != 0:
                        break
            except TimeoutError:
                entry["status"] = "fail"
                raise
            finally:
                entry["seconds"] = round(time.perf_counter() - started, 3)
                self.save()
            entry.update(status="pass" if code == 0 else "fail", exit_code=code)
            if code != 0 and passed:
                passed = False
                self.summary["reason"] = f"level {level.name!r} failed ({code})"
            self.save()
        return passed

    def _gates(self) -> bool:
        from seedbed.core import app as application
        from seedbed.plugins.gates.run import run_gates

        # The gates family's public entry, as `seedbed gate` runs it (the
        # project's selection and settings, each result recorded): an
        # orchestrator's call, not a copy of the gates' logic.
        found = run_gates(application.load(self.plan.worktree), via="task")
        self.summary["gates"] = [
            {
                "name": g.name,
                "status": g.status,
                "exit_code": 0 if g.passed else 1,
                "seconds": round(g.seconds, 3),
                "findings": len(g.findings),
                "coverage": g.figure if g.name == "tests" else None,
                "message": g.message,
            }
            for g in found
        ]
        files.write_json_atomic(
            self.plan.folder / "gates.json", {"gates": [g.as_dict() for g in found]}
        )
        failed = [g.name for g in found if g.status == "fail"]
        if failed and not self.summary["reason"]:
            self.summary["reason"] = "gates failed: " + ", ".join(failed)
        return not failed

    def _collect(self) -> None:
        if self.pod is not None:
            self.summary["pod_peak_memory_bytes"] = self.pod.peak_memory_bytes
            self.summary["pod_peak_cpu_percent"] = self.pod.peak_cpu_percent
        if not self.made_worktree:
            return
        try:
            head = worktree.git("rev-parse", "HEAD", cwd=self.plan.worktree)
            self.summary["commit"] = head.stdout.strip()
            patch = worktree.changes(self.plan.worktree, self.plan.base_commit)
            files.write_atomic(self.plan.folder / "changes.patch", patch)
        except (SeedbedError, OSError) as exc:
            self.summary["changes"] = None
            self.summary["reason"] = self.summary["reason"] or str(exc)

    def _clean_up(self) -> None:
        passed = self.summary["status"] == "pass"
        keep = self.options.keep or not passed
        if self.pod is not None:
            self.control.discard(self.pod)
            if keep and self.summary["status"] != "interrupted":
                self.summary["pod_kept"] = True
            else:
                self.pod.remove()
        if self.made_worktree:
            if keep:
                self.summary["worktree_kept"] = True
            else:
                worktree.remove(self.root, self.plan.worktree)
        if self.task_path:
            Path(self.task_path).unlink(missing_ok=True)
