"""Find the files seedbed ships (hooks/, nushell/, templates/).

In a wheel they are installed under core/_shipped/ (see pyproject's force-include);
in seedbed's own source checkout (editable install, tests) they sit at the top.
Never looked up in the user's project.
"""

from __future__ import annotations

from pathlib import Path

_CORE = Path(__file__).resolve().parent


def asset_dir(name: str) -> Path:
    """The folder of shipped files called name: "hooks", "nushell" or "templates"."""
    shipped = _CORE / "_shipped" / name
    if shipped.is_dir():
        return shipped
    return _CORE.parent / name
