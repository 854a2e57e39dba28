"""The end of an attempt: the ready marker (written last, atomically, sealed)
with the fast path's data files before it, and the attempt's record."""

from __future__ import annotations

import contextlib
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedbed.core import __version__, fastcheck, interpreters, ownership, state
from seedbed.core.setup.outcome import Outcome
from seedbed.core.setup.sync import Fingerprint
from seedbed.core.types import Interpreter, Manager, StepResult
from seedbed.core.workspace import Workspace

_SIZE = re.compile(rb",(\d+)\r?$", re.MULTILINE)  # a RECORD line's size field


def count_packages(environment: Path) -> int | None:
    site = list(environment.glob("lib/python*/site-packages"))
    if not site:
        return None
    return sum(1 for _ in site[0].glob("*.dist-info"))


@dataclass(frozen=True)
class Made:
    """How the ready environment was made, as the marker records it."""

    interpreter: Interpreter
    python: str  # the interpreter's version
    installer: str
    seconds: float
    reused_from: str
    results: Sequence[StepResult]


def ready(
    workspace: Workspace, manager: Manager, found: Fingerprint, made: Made
) -> tuple[str, int | None]:
    """Mark the environment ready (after the fast path's files, which it
    seals); returns the environment's Python version and package count."""
    root = workspace.root
    env_dir = manager.env_dir(workspace)
    env_python = manager.env_python(workspace)
    python = made.python
    if manager.provides_python:  # the version its environment file chose
        python = interpreters.probe(env_python) or python
    package_count = count_packages(env_dir)
    ownership.finish_creation(root, env_dir)
    # Before the marker: the marker is what makes the hook trust these.
    fastcheck.write(
        state.state_dir(root), root, found.files, found.watch.globs, str(env_python)
    )
    # Sealed, and written without fsync (state.write_json_atomic): on a busy
    # disk the first fsync after an install flushes everything it wrote, and
    # a marker a crash left empty or torn no longer matches its seal.
    state.write_json_atomic(
        state.state_dir(root) / state.READY,
        {
            "fingerprint": found.value,
            "manager": manager.name,
            "installer": made.installer,
            "identity": found.identity,
            "watch": {
                "paths": list(found.watch.paths),
                "globs": list(found.watch.globs),
            },
            "root": str(root),
            "env_dir": os.path.relpath(env_dir, root),
            "python_relpath": os.path.relpath(env_python, env_dir),
            "python": {"path": str(made.interpreter.path), "version": python},
            "package_count": package_count,
            "finished_at": time.time(),
            "seconds": made.seconds,
            "reused_from": made.reused_from,
            "steps": [
                {
                    "name": r.name,
                    "seconds": round(r.seconds, 3),
                    "exit_code": r.exit_code,
                }
                for r in made.results
            ],
            "seedbed": __version__,
        },
    )
    return python, package_count


def last(root: Path, outcome: Outcome) -> None:
    """The attempt's end; when it cannot be written (a full disk), the
    "running" record goes, so status never claims a setup is still going on."""
    path = state.state_dir(root) / state.LAST
    try:
        state.write_json_atomic(  # without fsync, as the ready marker
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


def _step(result: StepResult) -> dict[str, Any]:
    return {
        "name": result.name,
        "seconds": round(result.seconds, 3),
        "exit_code": result.exit_code,
    }


def disk_bytes(path: Path) -> int:
    """The installed size of the environment at path, for the reports' resource
    figures: the sizes every installed distribution's RECORD lists (a few small
    reads; walking thousands of files would add a tenth of a second or more to
    every setup), plus the interpreter folder's own files at its top."""
    total = 0
    for record in path.glob("lib/python*/site-packages/*.dist-info/RECORD"):
        try:
            text = record.read_bytes()
        except OSError:
            continue
        # Each line's last field, when it is a size (the regex runs in C: a
        # line-by-line loop over thousands of lines cost 10-15 ms a setup).
        total += sum(int(size) for size in _SIZE.findall(text))
    return total
