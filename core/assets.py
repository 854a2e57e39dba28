"""Find the files seedbed ships (hooks/, nushell/, templates/).

They sit beside `core/` in both shapes: inside the installed `seedbed` package
(hatch_build.py copies them there) and at the top of seedbed's own source
checkout (an editable install, the tests). Never looked up in the user's project.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent


def asset_dir(name: str) -> Path:
    """The folder of shipped files called name: "hooks", "nushell" or "templates"."""
    return _PACKAGE / name
