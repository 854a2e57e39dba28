"""Choosing and running the gates of one stage, and recording each run.

A gate is a plugin object (`seedbed.core.types.Gate`) with a name, a default
stage and `run(context)`, which returns a `GateResult` record; it never prints.
This module chooses the gates for a stage, runs them one after the other, times
them and records each in the metrics store (kind "gate"); `seedbed gate` and the
pre-commit entry points render the records. Gates start processes only through
core.runner, inside the worktree's own environment (tools.py has the fallback
when a tool is not there).
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from seedbed.core import metrics
from seedbed.core.errors import EXIT_USAGE, SeedbedError
from seedbed.core.types import Gate, GateContext, GateResult
from seedbed.plugins.gates.settings import SECTION

if TYPE_CHECKING:
    import pluggy
    from seedbed.core.app import App
    from seedbed.core.types import Manager
    from seedbed.core.workspace import Workspace


def load_gates(pm: pluggy.PluginManager) -> dict[str, Gate]:
    """Every plugin's gates; one name, one plugin."""
    from seedbed.core.plugins import collect

    return collect(pm, "seedbed_gates", Gate, "gate")


def stage_of(gate: Gate, settings: Mapping[str, Any]) -> str:
    """The configured stage (`<name>_stage` in [tool.seedbed.gates]) or the
    gate's default."""
    return str(settings.get(f"{gate.name}_stage") or gate.stage)


def select(
    gates: Mapping[str, Gate],
    settings: Mapping[str, Any],
    stage: str | None,
    only: Sequence[str] = (),
) -> list[Gate]:
    if only:
        unknown = [name for name in only if name not in gates]
        if unknown:
            raise SeedbedError(
                f"unknown gate {unknown[0]!r}",
                "known gates: " + ", ".join(gates),
                EXIT_USAGE,
            )
        return [gate for name, gate in gates.items() if name in only]
    if stage is None:  # by hand or in CI: every gate that is not manual-only
        return [g for g in gates.values() if stage_of(g, settings) != "manual"]
    return [g for g in gates.values() if stage_of(g, settings) == stage]


def _manager(app: App) -> Manager | None:
    # The same choice setup makes (configured name, else detection); gates run
    # outside a setup, so nothing hands it to them.
    from seedbed.core.setup import choose_manager

    try:
        return choose_manager(app)
    except SeedbedError:  # no project, or ambiguous: gates fall back
        return None


def context_for(
    app: App, files: Sequence[str] = (), stage: str | None = None
) -> GateContext:
    from seedbed.core.app import run_env

    return GateContext(
        workspace=app.workspace,
        manager=_manager(app),
        files=tuple(files),
        settings=app.workspace.config.section(SECTION),
        run_env=run_env(app),
        stage=stage,
    )


def run_gates(
    app: App,
    stage: str | None = None,
    only: Sequence[str] = (),
    files: Sequence[str] = (),
    via: str = "cli",
) -> list[GateResult]:
    """Run the chosen gates one after the other and record each in metrics."""
    gates = load_gates(app.registry.pm)
    context = context_for(app, files, stage)
    chosen = select(gates, context.settings, stage, only)
    results: list[GateResult] = []
    run_id = uuid.uuid4().hex
    for gate in chosen:
        started_at, start = time.time(), time.perf_counter()
        try:
            result = gate.run(context)
        except SeedbedError as exc:  # could not judge the code: error, not fail
            hint = f"; {exc.hint}" if exc.hint else ""
            result = GateResult(
                gate.name, False, message=exc.message + hint, error=True
            )
        result = dataclasses.replace(result, seconds=time.perf_counter() - start)
        results.append(result)
        _record(app.workspace, run_id, started_at, result, stage, via)
    return results


def _record(
    workspace: Workspace,
    run_id: str,
    started_at: float,
    result: GateResult,
    stage: str | None,
    via: str,
) -> None:
    detail: dict[str, Any] = {
        "stage": stage or "",
        "findings": len(result.findings),
        "via": via,
    }
    if result.skipped:
        detail["skipped"] = True
    # Losing one metric must not block a commit: record_runs warns and goes on.
    metrics.record_runs(
        workspace.facts,
        {
            "run_id": run_id,
            "kind": "gate",
            "name": result.name,
            "started_at": started_at,
            "seconds": result.seconds,
            "exit_code": 0 if result.passed else 1,
            "figure": result.figure,
            "detail": detail,
        },
        warn=f"gate {result.name}:",
    )
