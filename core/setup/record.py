"""The attempt's metrics: one "setup" row and one "step" row per step, sharing
a run id (core.metrics.record_runs; a lost metric never fails a setup)."""

from __future__ import annotations

import os
from typing import Any

from seedbed.core import metrics
from seedbed.core.setup.outcome import Outcome
from seedbed.core.workspace import Workspace


def setup_run(workspace: Workspace, started_at: float, outcome: Outcome) -> None:
    common: dict[str, Any] = {
        "run_id": metrics.new_run_id(),
        "manager": outcome.manager,
    }
    rows: list[dict[str, Any]] = [
        {
            "kind": "setup",
            "name": outcome.trigger,
            "started_at": started_at,
            "seconds": outcome.seconds,
            "exit_code": 0 if outcome.ok else 1,
            "installer": outcome.installer,
            "package_count": outcome.package_count,
            "peak_rss_kb": max((s.peak_rss_kb for s in outcome.steps), default=0),
            "cpu_seconds": sum(s.cpu_seconds for s in outcome.steps),
            "detail": {
                "fingerprint": outcome.fingerprint,
                "python": outcome.python,
                **outcome.extra,
                **({"error": outcome.error} if outcome.error else {}),
            },
            **common,
        }
    ]
    offset = started_at
    for step in outcome.steps:
        argv0 = os.path.basename(step.argv[0]) if step.argv else ""
        rows.append(
            {
                "kind": "step",
                "name": step.name,
                "started_at": offset,
                "seconds": step.seconds,
                "exit_code": step.exit_code,
                "installer": step.labels.get("installer", ""),
                "peak_rss_kb": step.peak_rss_kb,
                "cpu_seconds": step.cpu_seconds,
                "detail": {"argv0": argv0},
                **common,
            }
        )
        offset += step.seconds
    metrics.record_runs(workspace.facts, *rows)
