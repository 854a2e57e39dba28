"""The quality gate contract: format, lint, types, tests, secrets, lock, migrations.

A gate is a plugin object with a name, a default stage and `run(context)`, which
returns a `GateResult` record; it never prints. The core chooses the gates for a
stage, runs them one after the other, times them and records each in the metrics
store (kind "gate"); the command line and the pre-commit entry points render the
records. Gates start processes only through core.runner, inside the worktree's
own environment (see plugins/gates/tools.py for the fallback when a tool is not
there).
"""

from __future__ import annotations

import dataclasses
import sqlite3
import sys
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, cast, runtime_checkable

from seedbed.core import metrics
from seedbed.core.errors import EXIT_USAGE, SeedbedError

if TYPE_CHECKING:
    import pluggy
    from seedbed.core.app import App
    from seedbed.core.records import Manager
    from seedbed.core.workspace import Workspace

# pre-commit's own stage names, so a gate's stage is also its hook's stage;
# "manual" gates run only when named (--only) or with --stage manual.
STAGES = ("pre-commit", "pre-push", "manual")
SECTION = "gates"


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

    @property
    def status(self) -> str:
        if self.skipped:
            return "skip"
        return "pass" if self.passed else "FAIL"

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


def load_gates(pm: pluggy.PluginManager) -> dict[str, Gate]:
    """Every plugin's gates in registration order; one name, one plugin."""
    gates: dict[str, Gate] = {}
    owners: dict[str, str] = {}
    for impl in pm.hook.seedbed_gates.get_hookimpls():
        for gate in cast("Sequence[object]", impl.function() or ()):
            if not isinstance(gate, Gate):
                raise SeedbedError(
                    f"plugin {impl.plugin_name!r} returned {gate!r}, which is not "
                    "a seedbed gate",
                    "a plugin must return objects satisfying core.gates.Gate",
                )
            if gate.name in gates:
                raise SeedbedError(
                    f"two plugins provide the gate {gate.name!r}: "
                    f"{owners[gate.name]!r} and {impl.plugin_name!r}",
                    "block one with disable_plugins or SEEDBED_DISABLE_PLUGINS",
                )
            gates[gate.name] = gate
            owners[gate.name] = impl.plugin_name
    return gates


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
        except SeedbedError as exc:  # a gate that cannot run has failed
            result = GateResult(gate.name, False, message=exc.message)
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
    facts = workspace.facts
    detail: dict[str, Any] = {
        "stage": stage or "",
        "findings": len(result.findings),
        "via": via,
    }
    if result.skipped:
        detail["skipped"] = True
    record = metrics.Record(
        run_id=run_id,
        kind="gate",
        name=result.name,
        worktree=facts.slug,
        worktree_path=str(facts.root),
        branch=facts.branch,
        started_at=started_at,
        seconds=result.seconds,
        exit_code=0 if result.passed else 1,
        figure=result.figure,
        detail=detail,
    )
    try:
        metrics.MetricsStore(metrics.store_path(workspace.common_dir)).record(record)
    except (sqlite3.Error, OSError, metrics.SchemaTooNew) as exc:
        # Losing one metric must not block a commit; say so and go on.
        print(
            f"seedbed: warning: gate {result.name}: not recorded in metrics ({exc})",
            file=sys.stderr,
        )
