"""The web framework contract (Django, Flask, FastAPI plugins implement it).

Placeholder: refined by the frameworks work (issue 4).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from core.records import Detection
    from core.workspace import Workspace


@runtime_checkable
class Framework(Protocol):
    name: str

    def detect(self, workspace: Workspace) -> Detection | None:
        """Whether the project uses this framework, and why."""
