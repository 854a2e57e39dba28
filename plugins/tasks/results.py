"""Where a task run's results live and how they are read back.

`results/<task>/<run id>/` at the root of the worktree `seedbed task run` ran
from (kept out of git through the common dir's info/exclude): summary.json,
agent.log, one log per level (level-1.log, …), gates.json and changes.patch.
summary.json is rewritten atomically at every stage, so an interrupted or
killed run still leaves a readable summary (status "running" when seedbed
itself was killed).
"""

from __future__ import annotations

import datetime
import secrets
import time
from pathlib import Path
from typing import Any

from seedbed.core import files
from seedbed.core.errors import EXIT_NOT_FOUND, SeedbedError
from seedbed.core.paths import confine

RESULTS = "results"
SUMMARY = "summary.json"


def new_run_id(at: float | None = None) -> str:
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(at))
    return f"{stamp}-{secrets.token_hex(2)}"


def iso(at: float) -> str:
    return datetime.datetime.fromtimestamp(at, datetime.UTC).isoformat(
        timespec="seconds"
    )


def run_dir(root: Path, task: str, run_id: str) -> Path:
    """results/<task>/<run id>, confined to results/ (a name is checked before)."""
    return confine(root, f"{RESULTS}/{task}/{run_id}", "task file", "name")


def prepare(root: Path, common_dir: Path, task: str, run_id: str) -> Path:
    files.exclude(common_dir, [f"/{RESULTS}/"])
    folder = run_dir(root, task, run_id)
    folder.mkdir(parents=True, exist_ok=False)
    return folder


def write_summary(folder: Path, summary: dict[str, Any]) -> None:
    files.write_json_atomic(folder / SUMMARY, summary)


def summaries(root: Path) -> list[dict[str, Any]]:
    """Every run's summary under root/results, newest first."""
    base = root / RESULTS
    found: list[dict[str, Any]] = []
    if not base.is_dir():
        return found
    for path in base.glob(f"*/*/{SUMMARY}"):
        try:
            data = files.read_json(path)
        except (OSError, ValueError):
            continue
        if isinstance(data, dict):
            data.setdefault("results", str(path.parent))
            found.append(data)
    found.sort(key=lambda s: str(s.get("started_at", "")), reverse=True)
    return found


def find(root: Path, run: str) -> dict[str, Any]:
    """The summary of RUN: a run id, or TASK/RUN_ID."""
    for summary in summaries(root):
        if run in (
            summary.get("run_id"),
            f"{summary.get('task')}/{summary.get('run_id')}",
        ):
            return summary
    raise SeedbedError(
        f"no task run {run!r} under {root / RESULTS}",
        "list runs with `seedbed task ls`",
        EXIT_NOT_FOUND,
    )
