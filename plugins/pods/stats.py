"""`pod stats`: one sample per pod, its figures, and the memory metric rows.

The figures follow what `docker stats` shows: CPU as a percent of one CPU
(200 = two busy CPUs), memory without the reclaimable page cache.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedbed.core.gitfacts import GitFacts
from seedbed.core.metrics import record_runs
from seedbed.plugins.pods import naming


@dataclass(frozen=True)
class PodStats:
    name: str
    status: str
    cpu_percent: float
    memory_bytes: int
    memory_limit_bytes: int
    memory_percent: float
    pids: int
    pids_limit: int
    labels: Mapping[str, str]

    def as_dict(self) -> dict[str, Any]:
        """The shape `pod stats --json` promises (the Nushell monitor reads it)."""
        return {
            "name": self.name,
            "status": self.status,
            "cpu_percent": self.cpu_percent,
            "memory_bytes": self.memory_bytes,
            "memory_limit_bytes": self.memory_limit_bytes,
            "memory_percent": self.memory_percent,
            "pids": self.pids,
            "pids_limit": self.pids_limit,
        }


def mib(size: int) -> str:
    """Bytes in MiB, the unit container limits are set in (2g is 2048 MiB)."""
    return f"{size / 2**20:.1f} MiB"


def text_row(item: PodStats) -> list[str]:
    """One `pod stats` table row, every figure with its unit."""
    limit = mib(item.memory_limit_bytes) if item.memory_limit_bytes else "no limit"
    pids = f"{item.pids} of {item.pids_limit}" if item.pids_limit else str(item.pids)
    return [
        item.name,
        item.status,
        f"{item.cpu_percent:.1f}%",
        f"{mib(item.memory_bytes)} of {limit}",
        f"{item.memory_percent:.1f}%",
        pids,
    ]


def cpu_percent(sample: Mapping[str, Any]) -> float:
    cpu = sample.get("cpu_stats") or {}
    previous = sample.get("precpu_stats") or {}
    used = int(cpu.get("cpu_usage", {}).get("total_usage", 0)) - int(
        previous.get("cpu_usage", {}).get("total_usage", 0)
    )
    system = int(cpu.get("system_cpu_usage", 0)) - int(
        previous.get("system_cpu_usage", 0)
    )
    cpus = int(
        cpu.get("online_cpus")
        or len(cpu.get("cpu_usage", {}).get("percpu_usage") or [1])
    )
    if used <= 0 or system <= 0:
        return 0.0
    return round(used / system * cpus * 100.0, 2)


def memory_bytes(sample: Mapping[str, Any]) -> int:
    memory = sample.get("memory_stats") or {}
    usage = int(memory.get("usage", 0))
    details = memory.get("stats") or {}
    # cgroup v1 calls the reclaimable cache total_inactive_file, v2 inactive_file.
    cache = int(details.get("total_inactive_file", details.get("inactive_file", 0)))
    return usage - cache if 0 < cache < usage else usage


def from_sample(
    pod: Mapping[str, Any], sample: Mapping[str, Any], pids_limit: int
) -> PodStats:
    limit = int((sample.get("memory_stats") or {}).get("limit", 0))
    used = memory_bytes(sample)
    return PodStats(
        name=pod["Names"][0].lstrip("/"),
        status=str(pod["State"]),
        cpu_percent=cpu_percent(sample),
        memory_bytes=used,
        memory_limit_bytes=limit,
        memory_percent=round(used / limit * 100.0, 2) if limit else 0.0,
        pids=int((sample.get("pids_stats") or {}).get("current", 0)),
        pids_limit=int((sample.get("pids_stats") or {}).get("limit") or pids_limit),
        labels=dict(pod["Labels"]),
    )


def sample(client: Any, pods: Sequence[Mapping[str, Any]]) -> list[PodStats]:
    """One figure set per pod, sampled in parallel (each takes about a second)."""

    def one(pod: Mapping[str, Any]) -> PodStats:
        configured = client.api.inspect_container(pod["Id"])["HostConfig"]
        pids_limit = int(configured.get("PidsLimit") or 0)
        if pod["State"] != "running":
            return from_sample(pod, {}, pids_limit)
        figures = client.api.stats(pod["Id"], stream=False)
        return from_sample(pod, figures, pids_limit)

    if not pods:
        return []
    with ThreadPoolExecutor(max_workers=min(len(pods), 8)) as pool:
        return list(pool.map(one, pods))


def record_memory(figures: Sequence[PodStats]) -> None:
    """One `pod`/`memory` row per running pod, in its own repository's store
    (the pod's labels say which worktree of which repository it serves)."""
    run_id = uuid.uuid4().hex
    by_store: dict[str, list[dict[str, Any]]] = {}
    for item in figures:
        common_dir = item.labels.get(naming.LABEL_COMMON_DIR, "")
        if item.status != "running" or not common_dir or not Path(common_dir).is_dir():
            continue  # a store is never created where a repository no longer is
        by_store.setdefault(common_dir, []).append(
            {
                "run_id": run_id,
                "kind": "pod",
                "name": "memory",
                "worktree": item.labels.get(naming.LABEL_SLUG, ""),
                "worktree_path": item.labels.get(naming.LABEL_WORKTREE, ""),
                "branch": item.labels.get(naming.LABEL_BRANCH, ""),
                "started_at": time.time(),
                "seconds": 0.0,
                "exit_code": 0,
                "figure": item.memory_percent,
                "detail": {
                    "container": item.name,
                    "env": item.labels.get(naming.LABEL_ENV, ""),
                    "limit_bytes": item.memory_limit_bytes,
                    "usage_bytes": item.memory_bytes,
                    "pids": item.pids,
                    "pids_limit": item.pids_limit,
                },
            }
        )
    for common_dir, rows in by_store.items():
        # Every row names its own worktree; the facts only choose the store.
        where = GitFacts(
            Path(rows[0]["worktree_path"]), Path(common_dir), Path(common_dir), ""
        )
        record_runs(where, *rows, warn="pod memory")
