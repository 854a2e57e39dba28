"""Task runs in the metrics store: one "task" row per run, one "task-level"
row per level that ran (docs/metrics.md; the Nushell reports read them)."""

from __future__ import annotations

import datetime
import uuid
from typing import TYPE_CHECKING, Any

from seedbed.core.metrics import record_runs

if TYPE_CHECKING:
    from seedbed.core.gitfacts import GitFacts

EXIT_INTERRUPTED = 130


def exit_code_of(status: str) -> int:
    return {"pass": 0, "interrupted": EXIT_INTERRUPTED}.get(status, 1)


def record(facts: GitFacts, summary: dict[str, Any], started_at: float) -> bool:
    run_id = uuid.uuid4().hex
    where = {
        "worktree": str(summary["worktree"]).rsplit("/", 1)[-1],
        "worktree_path": str(summary["worktree"]),
        "branch": str(summary["branch"]),
    }
    agent = summary.get("agent") or {}
    rows: list[dict[str, Any]] = [
        {
            **where,
            "run_id": run_id,
            "kind": "task",
            "name": summary["task"],
            "started_at": started_at,
            "seconds": float(summary["seconds"]),
            "exit_code": exit_code_of(str(summary["status"])),
            "figure": float(summary.get("pod_peak_memory_bytes") or 0),
            "detail": {
                "task_run": summary["run_id"],
                "status": summary["status"],
                "timed_out": summary["timed_out"],
                "agent_exit_code": agent.get("exit_code"),
                "agent_seconds": agent.get("seconds"),
                "levels": len(summary["levels"]),
                "pod_peak_cpu_percent": summary.get("pod_peak_cpu_percent"),
                "results": summary["results"],
            },
        }
    ]
    for number, level in enumerate(summary["levels"], start=1):
        if level["status"] == "skip":
            continue
        rows.append(
            {
                **where,
                "run_id": run_id,
                "kind": "task-level",
                "name": level["name"],
                "started_at": _timestamp(level.get("started_at"), started_at),
                "seconds": float(level["seconds"]),
                "exit_code": int(level["exit_code"] or 0),
                "detail": {
                    "task": summary["task"],
                    "task_run": summary["run_id"],
                    "level": number,
                    "status": level["status"],
                },
            }
        )
    return record_runs(facts, *rows, warn=f"task {summary['task']}")


def _timestamp(text: Any, default: float) -> float:
    try:
        return datetime.datetime.fromisoformat(str(text)).timestamp()
    except ValueError:
        return default
