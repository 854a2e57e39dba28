"""A real, small, full disk: a tmpfs mounted for one test (needs root)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import unavailable


@contextlib.contextmanager
def small_disk(where: Path, size: str) -> Iterator[Path]:
    """A tmpfs of size (mount's notation: 4m, 48m) at where; unmounted after."""
    if os.geteuid() != 0 or not shutil.which("mount"):
        unavailable("a full-disk test needs root to mount a small tmpfs")
    where.mkdir()
    out = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        unavailable(f"cannot mount a tmpfs here: {out.stderr.strip()}")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(disk: Path) -> Path:
    """Write until the file system refuses, down to the last byte: ENOSPC for
    the next writer. The filler file (delete it to make room again)."""
    filler = disk / f"filler-{uuid.uuid4().hex}"
    chunk = b"\0" * (1 << 20)
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        for size in (1 << 20, 4096, 1):
            with contextlib.suppress(OSError):
                while True:
                    os.write(fd, chunk[:size])
    finally:
        os.close(fd)
    return filler
