"""Reading dotenv-style files (`.env`, `.flaskenv`): KEY=VALUE lines as
python-dotenv parses them, without its `${VAR}` expansion, never through a
symlink that leads out of the file's folder. Shared by the resources family
(which owns seedbed's block in `.env`: plugins/resources/dotenv.py) and the
framework plugins that read the project's own declarations."""

from __future__ import annotations

import os
import re
from pathlib import Path

from seedbed.core.errors import ConfigError
from seedbed.core.paths import inside

ENCODING = "utf-8"
ERRORS = "surrogateescape"
KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def read(path: Path) -> dict[str, str]:
    """Every KEY=VALUE in the file as python-dotenv parses it (later lines win),
    without its `${VAR}` expansion."""
    return parse(read_text(path))


# python-dotenv's grammar: in single quotes only \\ and \' are escapes, in
# double quotes also \" and \a \b \f \n \r \t \v; a backslash always pairs with
# the next character when looking for the closing quote.
_ENTRY = re.compile(
    r"[^\S\r\n]*(?:export[^\S\r\n]+)?(?P<key>[^=#\s]+)[^\S\r\n]*=[^\S\r\n]*"
)
_SINGLE = re.compile(r"'((?:\\.|[^'\\])*)'", re.DOTALL)
_DOUBLE = re.compile(r'"((?:\\.|[^"\\])*)"', re.DOTALL)
_LINE_END = re.compile(r"[^\S\r\n]*(?:#[^\r\n]*)?(?:\r\n|\n|\r|$)")
_SINGLE_ESCAPES = re.compile(r"\\[\\']")
_DOUBLE_ESCAPES = re.compile(r"\\[\\'\"abfnrtv]")
_DECODED = dict(zip("abfnrtv", "\a\b\f\n\r\t\v", strict=True))


def parse(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    pos = 0
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # as python-dotenv reads
    while pos < len(text):
        entry = _ENTRY.match(text, pos)
        value: str | None = None
        if entry:
            value, end = _value(text, entry.end())
            tail = _LINE_END.match(text, end) if value is not None else None
            if value is not None and tail:
                if KEY.fullmatch(entry["key"]):
                    values[entry["key"]] = value
                pos = tail.end()
                continue
        nl = text.find("\n", pos)  # a comment, a blank or an unreadable line
        pos = len(text) if nl < 0 else nl + 1
    return values


def _value(text: str, pos: int) -> tuple[str | None, int]:
    quoted = {"'": (_SINGLE, _SINGLE_ESCAPES), '"': (_DOUBLE, _DOUBLE_ESCAPES)}
    first = text[pos : pos + 1]
    if first in quoted:
        pattern, escapes = quoted[first]
        found = pattern.match(text, pos)
        if not found:
            return None, pos
        decoded = escapes.sub(lambda m: _DECODED.get(m[0][1], m[0][1]), found[1])
        return decoded, found.end()
    nl = text.find("\n", pos)
    end = len(text) if nl < 0 else nl
    return re.sub(r"\s+#.*", "", text[pos:end]).rstrip(), end


def read_text(path: Path) -> str:
    refuse_escaping_link(path)
    try:
        with open(path, encoding=ENCODING, errors=ERRORS, newline="") as handle:
            return handle.read()
    except FileNotFoundError:
        return ""


def refuse_escaping_link(path: Path) -> None:
    """A `.env` symlink (a branch can track one) that leads out of its folder is
    neither read (it may point at a secret) nor replaced."""
    if path.is_symlink() and not inside(path, path.parent):
        raise ConfigError(
            f"{path} is a symlink to {os.path.realpath(path)}, outside "
            f"{path.parent}: seedbed neither reads nor writes through it",
            f"remove the symlink (git rm --cached {path.name} if the branch tracks "
            "it, and commit that); nothing was changed",
            file=str(path),
        )
