"""Driving the real `seedbed` command: its status, and a stand-in that shows
whether a hook started it at all."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from tests.conftest import seedbed


def status(worktree: Path) -> dict[str, Any]:
    """`seedbed status --json` in worktree, whatever the state."""
    out = seedbed("status", "--json", cwd=worktree)
    assert out.stdout, out.stderr
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def trap_seedbed(folder: Path, exit_code: int = 0) -> dict[str, str]:
    """A `seedbed` that says SEEDBED-STARTED on stderr when it runs (and exits
    with exit_code); the environment that makes the git hooks call it."""
    folder.mkdir()
    trap = folder / "seedbed"
    ending = f"exit {exit_code}\n" if exit_code else ""
    trap.write_text(f"#!/bin/sh\necho SEEDBED-STARTED >&2\n{ending}")
    trap.chmod(0o755)
    return {**os.environ, "SEEDBED_BIN": str(trap)}
