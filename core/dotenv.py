"""The worktree's `.env`: a marked block seedbed owns, the user's lines untouched.

    DJANGO_SECRET=mine            <- the user's, never touched
    # >>> seedbed >>>
    # Written by seedbed for this worktree; edits inside the markers are replaced.
    PORT=8010
    # <<< seedbed <<<

The file holds database settings, so it is written atomically with mode 0600 and
kept out of git (core.setup.ensure_excluded adds `/.env` to info/exclude).
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Mapping
from pathlib import Path

BEGIN = "# >>> seedbed >>>"
END = "# <<< seedbed <<<"
NOTE = "# Written by seedbed for this worktree; edits inside the markers are replaced."
MODE = 0o600

_BARE = re.compile(r"[A-Za-z0-9_./:@+,%=-]*")
_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def quote(value: str) -> str:
    """A value as dotenv readers (python-dotenv, docker, shells) parse it back."""
    if _BARE.fullmatch(value):
        return value
    escaped = (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("$", "\\$")
        .replace("\n", "\\n")
    )
    return f'"{escaped}"'


def render_block(values: Mapping[str, str]) -> str:
    lines = [BEGIN, NOTE]
    for key in sorted(values):
        if not _KEY.fullmatch(key):
            raise ValueError(f"not a variable name: {key!r}")
        lines.append(f"{key}={quote(values[key])}")
    lines.append(END)
    return "\n".join(lines) + "\n"


def split(text: str) -> tuple[str, str, str]:
    """(before, block, after) around seedbed's block; block "" when absent.

    A begin marker without its end (a hand edit gone wrong) owns the rest of the
    file, so the next write repairs it instead of adding a second block.
    """
    lines = text.splitlines(keepends=True)
    begin = next((i for i, line in enumerate(lines) if line.strip() == BEGIN), None)
    if begin is None:
        return text, "", ""
    end = next(
        (i for i in range(begin + 1, len(lines)) if lines[i].strip() == END),
        len(lines) - 1,
    )
    return (
        "".join(lines[:begin]),
        "".join(lines[begin : end + 1]),
        "".join(lines[end + 1 :]),
    )


def write(path: Path, values: Mapping[str, str]) -> bool:
    """Put values in seedbed's block (replacing it); True when the file changed."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        text = ""
    before, _, after = split(text)
    if before and not before.endswith("\n"):
        before += "\n"
    new = before + render_block(values) + after
    if new == text and path.exists():
        _ensure_mode(path)
        return False
    _write_atomic(path, new)
    return True


def remove_block(path: Path) -> bool:
    """Take seedbed's block out; delete the file when nothing else is left."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return False
    before, block, after = split(text)
    if not block:
        return False
    rest = before + after
    if rest.strip():
        _write_atomic(path, rest)
    else:
        path.unlink()
    return True


def read(path: Path) -> dict[str, str]:
    """Every KEY=VALUE in the file (later lines win, as python-dotenv does)."""
    try:
        text = path.read_text()
    except FileNotFoundError:
        return {}
    values: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        line = line.removeprefix("export ").lstrip()
        key, sep, value = line.partition("=")
        key = key.strip()
        if sep and _KEY.fullmatch(key):
            values[key] = _unquote(value.strip())
    return values


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == "'":
        return value[1:-1]
    if len(value) >= 2 and value[0] == value[-1] == '"':
        out, chars = [], iter(value[1:-1])
        for char in chars:
            if char == "\\":
                nxt = next(chars, "")
                out.append("\n" if nxt == "n" else nxt)
            else:
                out.append(char)
        return "".join(out)
    return value.split(" #", 1)[0].rstrip()


def _ensure_mode(path: Path) -> None:
    if path.stat().st_mode & 0o777 != MODE:
        path.chmod(MODE)


def _write_atomic(path: Path, text: str) -> None:
    # mkstemp creates the file 0600, so the content is never readable by others,
    # not even for a moment.
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, MODE)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
