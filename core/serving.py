"""Dev servers running in a worktree, so `seedbed rm` can stop them: the record
`seedbed serve` (the frameworks family) keeps while it supervises its child
(core.supervise), read by `seedbed rm` (the lifecycle family).

`seedbed serve` records itself while it runs: one file per server,
`.seedbed/serve/<pid>.json` = {"pid", "start", "argv"} ("start" is the process's
start time in clock ticks, so a reused pid is never taken for the server). serve
forwards SIGTERM to the server's process group, so stopping serve stops the
server and its reloader's workers.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

FOLDER = "serve"
STOP_WAIT = 5.0


def folder(root: Path) -> Path:
    return root / ".seedbed" / FOLDER


@contextlib.contextmanager
def serving(root: Path) -> Iterator[None]:
    """Record this process as a dev server of root while the body runs."""
    from seedbed.core.files import write_json_atomic
    from seedbed.core.runner import process_start

    pid = os.getpid()
    record = folder(root) / f"{pid}.json"
    record.parent.mkdir(parents=True, exist_ok=True)
    write_json_atomic(
        record, {"pid": pid, "start": process_start(pid), "argv": sys.argv[:4]}
    )
    try:
        yield
    finally:
        with contextlib.suppress(OSError):
            record.unlink()


def _alive(pid: int, start: object) -> bool:
    """pid is the recorded process (same start time) and not a zombie."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            fields = handle.read().rsplit(b")", 1)[-1].split()
    except OSError:
        return False
    try:
        return fields[0] != b"Z" and start is not None and int(fields[19]) == start
    except (IndexError, ValueError):
        return False


def running(root: Path) -> list[dict[str, object]]:
    """The recorded servers still alive (stale records are removed)."""
    alive = []
    try:
        records = sorted(folder(root).glob("*.json"))
    except OSError:
        return []
    for record in records:
        try:
            data = json.loads(record.read_text())
            pid = int(data["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            data, pid = {}, 0
        if pid > 1 and _alive(pid, data.get("start")):
            alive.append(data)
        else:
            with contextlib.suppress(OSError):
                record.unlink()
    return alive


def stop(root: Path) -> list[int]:
    """SIGTERM each recorded server, wait, SIGKILL what is left; their pids."""
    servers = running(root)
    for server in servers:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(int(str(server["pid"])), signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT
    for server in servers:
        pid = int(str(server["pid"]))
        while _alive(pid, server["start"]) and time.monotonic() < deadline:
            time.sleep(0.05)
        if _alive(pid, server["start"]):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
    return [int(str(server["pid"])) for server in servers]
