"""Data files that let the git hook prove "nothing changed" without Python.

A branch switch whose lock files are unchanged must cost next to nothing, and
starting Python alone costs ~20 ms before any import. So when an environment is
marked ready, seedbed also writes, under .seedbed/:

  sync.sha256  `sha256sum` lines for every watched file that exists
  sync.paths   `root PATH`, `exists PATH`, `absent PATH`, `glob COUNT PATTERN` lines

The hook (hooks/post-checkout) checks them with `sha256sum --check` and `[ -e ]`
and exits at once when all hold. They are data, never executed. The check is
conservative: any doubt (a missing tool, an odd file name, no ready marker)
falls through to `seedbed hook`, whose Python fingerprint is the authority.
"""

from __future__ import annotations

import contextlib
import glob
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

SHA_FILE = "sync.sha256"
PATHS_FILE = "sync.paths"


def _plain(name: str) -> bool:
    """A name sh and sha256sum read back unchanged (no escapes, no splitting)."""
    return not any(c in name for c in "\n\r\\") and name == name.strip()


def write(
    state_dir: Path,
    root: Path,
    files: Mapping[str, str | None],
    globs: Sequence[str],
    env_python: str,
) -> None:
    """Write both files from the digests the fingerprint used; remove them when
    a name cannot be expressed safely, so the hook always asks Python."""
    names = [*files, *globs, env_python, str(root)]
    if not all(_plain(n) for n in names) or any(" " in g for g in globs):
        clear(state_dir)
        return
    sha_lines = [
        f"{digest}  {name}\n" for name, digest in sorted(files.items()) if digest
    ]
    # The worktree the marker was written for: a moved worktree's environment
    # still names its old place, so the hook must not trust it there.
    path_lines = [f"root {os.path.realpath(root)}\n", f"exists {env_python}\n"]
    path_lines += [
        f"absent {name}\n" for name, digest in sorted(files.items()) if not digest
    ]
    for pattern in globs:
        count = len(glob.glob(pattern, root_dir=root))
        path_lines.append(f"glob {count} {pattern}\n")
    _write(state_dir / SHA_FILE, "".join(sha_lines))
    _write(state_dir / PATHS_FILE, "".join(path_lines))


def clear(state_dir: Path) -> None:
    for name in (SHA_FILE, PATHS_FILE):
        with contextlib.suppress(FileNotFoundError):
            (state_dir / name).unlink()


def _write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
