"""Fingerprints of folders, to prove that a command left them alone."""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path


def tree_hash(folder: Path) -> str:
    """Names, kinds, modes, link targets and contents of everything below."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        info = path.lstat()
        digest.update(f"{path.relative_to(folder)}\0{info.st_mode}\0".encode())
        if path.is_symlink():
            digest.update(os.readlink(path).encode())
        elif path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def snapshot(directory: Path) -> dict[str, tuple[str, int, bool]]:
    """Each entry of directory (not below): link target or content (hex),
    permission bits, whether it is a link."""
    out = {}
    for path in sorted(directory.iterdir()):
        target = os.readlink(path) if path.is_symlink() else path.read_bytes().hex()
        out[path.name] = (target, stat.S_IMODE(path.lstat().st_mode), path.is_symlink())
    return out
