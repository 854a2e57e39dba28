"""The worktree's `.env`: a marked block seedbed owns, the user's lines untouched.

    DJANGO_SECRET=mine            <- the user's, kept byte for byte
    # >>> seedbed >>>
    # Written by seedbed for this worktree; edits inside the markers are replaced.
    PORT=8010
    # <<< seedbed <<<

The file holds database settings, so it is written atomically with mode 0600 and
kept out of git (the resources plugin adds `/.env` to info/exclude).

It is written for dotenv-style readers and every one of them reads the same
values back: `set -a; . ./.env` in sh (dash), bash and zsh, python-dotenv, and
docker compose's env-file parser. Sourcing it never runs anything. It is not for
`docker run --env-file`, which takes everything after `=` literally, quotes
included.

How a value is written (`quote`), and why:
- bare, when it holds only `[A-Za-z0-9_./:@+,%=-]` (not starting with `=`);
- in single quotes otherwise: literal in every shell and in compose; python-dotenv
  decodes only `\\\\` and `\\'` there, so the value must hold no `'`, no `\\\\` and
  not end in `\\` (which would escape the closing quote);
- in double quotes, escaping only `\\` and `"`, when it holds a `'` (or those
  backslashes) but no `$` and no backtick: the shells expand those inside double
  quotes, and python-dotenv keeps a backslash before them, so no escape agrees.
A value no form can carry to every reader is refused (SetupError naming the
variable and the characters): NUL, carriage return (python-dotenv reads the
file with universal newlines), bytes that are not UTF-8 (python-dotenv decodes
the file as UTF-8), `${...}` (python-dotenv expands it in every
form), a `'` or backslash pair together with `$` or a backtick, and a line that
reads as one of the markers. URLs need none of this: resources.database
percent-encodes them, so they are written bare.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

from seedbed.core import envfile, files
from seedbed.core.envfile import ENCODING, ERRORS, KEY, parse, read_text
from seedbed.core.errors import SetupError

# Every KEY=VALUE in a dotenv file, as python-dotenv parses it: core.envfile
# reads (a framework reads its own declarations with it too); this module writes.
read = envfile.read

BEGIN = "# >>> seedbed >>>"
END = "# <<< seedbed <<<"
NOTE = "# Written by seedbed for this worktree; edits inside the markers are replaced."
MODE = 0o600
# The user's part is kept byte for byte: bytes that are not UTF-8 survive the
# round trip as lone surrogates, and newlines are never translated.

_BARE = re.compile(r"[A-Za-z0-9_./:@+,%-][A-Za-z0-9_./:@+,%=-]*")
# python-dotenv expands ${NAME} and ${NAME:-default} in every quoting form.
_EXPANDED = re.compile(r"\$\{[^}:]*(?::-[^}]*)?\}")


class UnwritableValue(SetupError):
    """A value that some dotenv reader would read back differently."""

    def __init__(self, key: str, what: str) -> None:
        super().__init__(
            f".env: the value of {key} holds {what}: no way of writing it reads "
            "back the same in sh, bash, zsh, python-dotenv and docker compose",
            "use a worktree path (or setting) without these characters; "
            ".env was not written",
            key=key,
        )


def quote(value: str, key: str = "value") -> str:
    """The value as every dotenv-style reader parses it back (see the module)."""
    if value == "" or _BARE.fullmatch(value):
        return value
    _refuse_unwritable(key, value)
    if "'" not in value and "\\\\" not in value and not value.endswith("\\"):
        return f"'{value}'"
    expanding = " and ".join(c for c in "$`" if c in value)
    if expanding:
        problem = "'" if "'" in value else "a backslash pair or a trailing backslash"
        raise UnwritableValue(key, f"{problem} together with {expanding}")
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def _refuse_unwritable(key: str, value: str) -> None:
    for char, name in (("\0", "a NUL character"), ("\r", "a carriage return")):
        if char in value:
            raise UnwritableValue(key, name)
    found = _EXPANDED.search(value)
    if found:
        raise UnwritableValue(key, f"{found.group(0)!r}, which python-dotenv expands")
    if any(line.strip() in (BEGIN, END) for line in value.split("\n")):
        raise UnwritableValue(key, "a line that reads as seedbed's marker")
    try:
        value.encode(ENCODING)
    except UnicodeEncodeError:
        raise UnwritableValue(
            key, "bytes that are not UTF-8 (a lone surrogate)"
        ) from None


def render_block(values: Mapping[str, str]) -> str:
    lines = [BEGIN, NOTE]
    for key in sorted(values):
        if not KEY.fullmatch(key):
            raise ValueError(f"not a variable name: {key!r}")
        lines.append(f"{key}={quote(values[key], key)}")
    lines.append(END)
    return "\n".join(lines) + "\n"


def split(text: str) -> tuple[str, str, str]:
    """(before, block, after) around seedbed's block; block "" when absent.

    A begin marker without its end (a hand edit gone wrong) owns the rest of the
    file, so the next write repairs it instead of adding a second block.
    """
    # Only "\n" ends a line here (str.splitlines also splits on \f, \x85, ...),
    # so the user's bytes are cut exactly where the markers are.
    lines = text.split("\n")
    lines = [line + "\n" for line in lines[:-1]] + ([lines[-1]] if lines[-1] else [])
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
    block = render_block(values)  # refuses an unwritable value before any change
    text = read_text(path)
    before, _, after = split(text)
    if before and not before.endswith("\n"):
        before += "\n"
    new = before + block + after
    if new == text and path.exists():
        _ensure_mode(path)
        return False
    _write_atomic(path, new)
    return True


def remove_block(path: Path) -> bool:
    """Take seedbed's block out; delete the file when nothing else is left."""
    text = read_text(path)
    before, block, after = split(text)
    if not block:
        return False
    rest = before + after
    if rest.strip():
        _write_atomic(path, rest)
    else:
        path.unlink()
    return True


def user_values(path: Path) -> dict[str, str]:
    """The KEY=VALUE lines outside seedbed's block (the user's own)."""
    before, _, after = split(read_text(path))
    return parse(before + after)


def _ensure_mode(path: Path) -> None:
    if path.stat().st_mode & 0o777 != MODE:
        path.chmod(MODE)


def _write_atomic(path: Path, text: str) -> None:
    # Encoded here, not by files.write_atomic: the user's undecodable bytes
    # (kept as surrogates) go back out unchanged. The temp file is created 0600,
    # so the content is never readable by others, not even for a moment.
    files.write_atomic(path, text.encode(ENCODING, ERRORS), mode=MODE)
