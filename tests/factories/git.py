"""The one `git()` helper, and the commits the tests make with it."""

from __future__ import annotations

import subprocess
from pathlib import Path


def git(*args: str, cwd: Path, env: dict[str, str] | None = None) -> str:
    """Run real git; its stdout (stripped), or an AssertionError with stderr."""
    out = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        env=env,
    )
    if out.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {out.stderr}")
    return out.stdout.strip()


def commit_all(root: Path, message: str = "change") -> None:
    """Commit every change, with the repository's hooks skipped."""
    git("add", "-A", cwd=root)
    git("commit", "-q", "--no-verify", "-m", message, cwd=root)


def commit_file(main: Path, name: str, text: str) -> None:
    """Write one file and commit it (and whatever else changed)."""
    (main / name).write_text(text)
    git("add", "-A", cwd=main)
    git("commit", "-qm", f"edit {name}", cwd=main)
