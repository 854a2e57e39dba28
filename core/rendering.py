"""What commands print, without click: the JSON text, an error's lines, a full
disk as an error, and click.echo's plain case.

Both the click CLI (core/cli/output.py) and the routes that skip click
(core/setupfast.py) print through these, so the two write the same bytes.
Standard library only, plus core.errors: importing this costs no click.
"""

from __future__ import annotations

import errno
import sys

from seedbed.core.errors import EXIT_FAILED, SeedbedError
from seedbed.core.text import json_text as json_text

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs ~3 ms to import; annotations only
    pass

# A full disk, an exhausted quota, a read-only file system: the user's to fix,
# never a traceback.
DISK_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EROFS})


def error_lines(exc: SeedbedError) -> list[str]:
    """An error as people read it on stderr: one line, then the hint's."""
    lines = [f"seedbed: error: {exc.message}"]
    if exc.hint:
        lines += [f"  {line}" for line in exc.hint.splitlines()]
    return lines


def disk_error(exc: OSError, exit_code: int = EXIT_FAILED) -> SeedbedError | None:
    """The SeedbedError for a full or read-only disk, or None for other errors."""
    if exc.errno not in DISK_ERRNOS:
        return None
    where = exc.filename or "the disk"
    return SeedbedError(
        f"{where}: {exc.strerror or exc}",
        "free disk space (or quota, or remount read-write), then run the command again",
        exit_code,
        {"errno": errno.errorcode.get(exc.errno or 0, ""), "path": str(where)},
    )


def echo(message: str, err: bool = False) -> None:
    """click.echo(message, err=err) for the UTF-8 streams the click-free
    routes accept (they step aside for any other)."""
    if "\x1b" in message:
        # click strips terminal styles when the stream is not a terminal (by
        # its own pattern, which varies between versions): let click write.
        import click

        click.echo(message, err=err)
        return
    stream = sys.stderr if err else sys.stdout
    stream.write(message + "\n")
    stream.flush()


def plain_streams() -> bool:
    """Whether stdout and stderr are UTF-8 text streams click would use as
    they are (it re-wraps others, e.g. an ASCII one)."""
    return all(
        (getattr(stream, "encoding", None) or "").lower().replace("-", "") == "utf8"
        for stream in (sys.stdout, sys.stderr)
    )
