"""Agent adapters (`seedbed init --agents`): the setup entries coding-agent
tools read when they make a worktree, each only calling `seedbed setup`.

The work is in plugins/editors/agents.py; this module is the `agents` entry
point and stays free to import (every command that lists plugins loads it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from seedbed.core.workspace import Workspace
    from seedbed.plugins.editors.files import Written


def write_agent_files(workspace: Workspace) -> list[Written]:
    """Write or merge every adapter at the worktree root; one record each."""
    from seedbed.plugins.editors.agents import write_agent_files as write

    return write(workspace)
