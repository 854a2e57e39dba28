"""The quality gate contract (format, lint, types, tests, secrets, lock, ...).

Placeholder: refined by the gates work (issue 5).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Gate(Protocol):
    name: str
