"""Text every command prints the same way, standard library only: the JSON object
of a --json command and an aligned table.

The click CLI (core/cli/output.py, core/rendering.py) and the click-free routes
(core/statusfast.py, core/setupfast.py) print through these, so both write the
same bytes; importing this costs nothing beyond `json`.
"""

from __future__ import annotations

import json

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs ~3 ms to import; annotations only
    from typing import Any


def json_text(data: dict[str, Any]) -> str:
    """The one JSON object a --json command prints on stdout (docs/json.md),
    without its newline."""
    return json.dumps(data, indent=2, sort_keys=True, default=str)


def table_lines(rows: list[list[str]], headers: list[str]) -> list[str]:
    """Columns padded to their widest cell, two spaces apart, no trailing blanks."""
    widths = [
        max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=False)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    for row in rows:
        lines.append(
            "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True))
        )
    return [line.rstrip() for line in lines]
