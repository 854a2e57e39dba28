"""What a setup installed, and why: .seedbed/install.json, which
`seedbed status` shows (until the ready marker carries it: see
Manager.describe_install in docs/managers.md)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from seedbed.core import files, state
from seedbed.core.types import Step
from seedbed.core.workspace import Workspace

INSTALL_RECORD = "install.json"


def record_step(workspace: Workspace, manager: str, data: Mapping[str, Any]) -> Step:
    """A step writing the record; it runs after the install steps."""
    root = workspace.root
    content = {"manager": manager, **data}

    def record() -> None:
        # Not durable: status reads a damaged record as none, and the next
        # setup writes it again.
        files.write_json_atomic(
            state.state_dir(root) / INSTALL_RECORD, content, durable=False
        )

    return Step("record install", action=record)


def read_record(root: Path) -> dict[str, Any] | None:
    """The record the last setup wrote, or None."""
    try:
        data = json.loads((root / ".seedbed" / INSTALL_RECORD).read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None
