"""One setup attempt under the worktree's lock, top to bottom:

announce → repairs → installer and interpreter → fingerprint → plan → run →
health → mark ready → record. The ready marker was cleared first and is
written only after every step and the health check passed, so an interrupted
or failed attempt is never reported ready and the next one repairs it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from seedbed.core import state
from seedbed.core.app import App
from seedbed.core.errors import EXIT_SETUP, SeedbedError
from seedbed.core.setup import choose, mark, plan, prepare, record, run, sync
from seedbed.core.setup.outcome import (
    Outcome,
    Progress,
    disk_hint,
    disk_message,
    step_failure,
)
from seedbed.core.types import Interpreter, Manager, SetupContext, StepResult


@dataclass
class Facts:
    """What the attempt has learnt so far: a failure at any point still
    reports it (last.json, `--json`, the metrics)."""

    installer: str = ""
    found: sync.Fingerprint | None = None
    interpreter: Interpreter | None = None
    python: str = ""
    package_count: int | None = None
    results: list[StepResult] = field(default_factory=list)
    notes: dict[str, Any] = field(default_factory=dict)  # the metric's detail


def attempt(
    app: App,
    manager: Manager,
    trigger: str,
    recreate: bool,
    progress: Progress,
    echo: bool,
) -> Outcome:
    root = app.workspace.root
    started_at, start = time.time(), time.perf_counter()
    log_path = state.state_dir(root) / state.LOG
    facts = Facts()
    error = hint = ""
    exit_code = EXIT_SETUP
    try:
        failed = _steps(app, manager, trigger, recreate, progress, echo, facts)
        if failed is not None:
            error, hint, code = step_failure(failed, log_path)
            exit_code = code if code is not None else exit_code
        else:
            reason = sync.unhealthy(app.workspace, manager)
            if reason:
                error = f"environment unhealthy after setup: {reason}"
                hint = "run `seedbed setup --recreate`; see " + str(log_path)
        stats = manager.cache_stats(run.read_text(log_path))
        if stats is not None:
            facts.notes["cache"] = stats
        if not error and facts.found and facts.interpreter:
            made = mark.Made(
                facts.interpreter,
                facts.python,
                facts.installer,
                time.perf_counter() - start,
                str(facts.notes.get("reused_from", "")),
                tuple(facts.results),
            )
            facts.python, facts.package_count = mark.ready(
                app.workspace, manager, facts.found, made
            )
            env_dir = manager.env_dir(app.workspace)
            facts.notes["env_bytes"] = mark.disk_bytes(env_dir)
    except SeedbedError as exc:
        error, hint, exit_code = exc.message, exc.hint, exc.exit_code
    except OSError as exc:  # a full disk, most often: a failed setup, exit 5
        error, hint = disk_message(exc, f"setting up {root}"), disk_hint(exc)
    except Exception as exc:  # a bug (ours or a plugin's): a failed setup, not a
        # vanished one; the marker stays cleared and `status` says why.
        error = f"internal error: {type(exc).__name__}: {exc}"
        hint = "please report it; retry with `seedbed setup`"
    outcome = Outcome(
        ok=not error,
        trigger=trigger,
        manager=manager.name,
        installer=facts.installer,
        fingerprint=facts.found.value if facts.found else "",
        seconds=time.perf_counter() - start,
        steps=list(facts.results),
        error=error,
        hint=hint,
        python=facts.python,
        package_count=facts.package_count,
        log=str(log_path),
        exit_code=0 if not error else exit_code,
        extra=facts.notes,
    )
    mark.last(root, outcome)
    record.setup_run(app.workspace, started_at, outcome)
    return outcome


def _steps(
    app: App,
    manager: Manager,
    trigger: str,
    recreate: bool,
    progress: Progress,
    echo: bool,
    facts: Facts,
) -> StepResult | None:
    """Everything up to the last step; the failed step, or None."""
    workspace = app.workspace
    root = workspace.root
    stopped = prepare.announce(root, trigger, time.time())
    if stopped:
        facts.notes["stopped"] = stopped
    repairs = prepare.repairs(workspace, manager, recreate)
    if repairs:
        facts.notes["repair"] = repairs
    installer = manager.installer(workspace)
    facts.installer = installer.name
    facts.interpreter = interpreter = choose.interpreter(app, manager)
    facts.python = interpreter.version
    context = SetupContext(
        workspace,
        interpreter,
        installer.name,
        recreate or bool(repairs),
        installer.tools,
        manager=manager,
        registry=app.registry,
    )
    found = sync.fingerprint(app, manager, installer.name, interpreter.version)
    facts.found = found
    reuse = plan.reuse_plan(context, found.value, recreate, bool(repairs))
    if reuse.note:
        facts.notes["reuse"] = reuse.note
    extra = plan.plugin_steps(app, context)

    def copied(names: list[str]) -> None:
        facts.notes["worktreeinclude"] = names

    timeout = float(workspace.config["step_timeout"])
    track = state.state_dir(root) / prepare.CHILD
    with run.open_log(state.state_dir(root) / state.LOG) as log:
        steps = run.StepRunner(log, progress, echo, timeout, track, facts.results)
        # One counter for the whole setup: the plan's length is known up front.
        own = None if reuse.steps else list(manager.setup_steps(context))
        steps.expect(1 + len(reuse.steps or own or ()) + len(extra))
        failed = steps.run([plan.include_step(app, copied)])
        if failed is not None:
            return failed
        failed, verdict = run.install(steps, manager, context, reuse.steps, own)
        if verdict:
            facts.notes["reuse"] = verdict
        if verdict == "ok":
            facts.notes["reused_from"] = reuse.donor
        if failed is not None:
            return failed
        return steps.run(extra)
