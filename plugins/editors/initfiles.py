"""The editors family's part of `seedbed init` (seedbed_init_files): the agent
tools' setup entries (agents.py) and the CI workflow (ci.py), when asked.
Kept apart from the family's __init__ so the entry point stays light: the
writers are imported only when init runs."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from seedbed.core.hookspecs import hookimpl

if TYPE_CHECKING:
    from seedbed.core.contributions import WrittenFile
    from seedbed.core.workspace import Workspace


@hookimpl
def seedbed_init_files(
    workspace: Workspace, agents: bool, ci: str
) -> Sequence[WrittenFile]:
    files: list[WrittenFile] = []
    if agents:
        from seedbed.plugins.editors.agents import write_agent_files

        files.extend(write_agent_files(workspace))
    if ci:
        from seedbed.plugins.editors.ci import write_ci_workflow

        files.append(write_ci_workflow(workspace, ci))
    return files
