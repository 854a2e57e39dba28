"""This working tree as a git repository pre-commit can use as a hook source.

pre-commit clones `repo:` at `rev:`, so the fixture copies the files git would
carry (tracked and untracked-but-not-ignored) into a fresh repository and commits
them. PRE_COMMIT_HOME is cached under .cache/ so seedbed is installed into
pre-commit's environment once per source revision.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PRE_COMMIT_HOME = REPO / ".cache" / "pre-commit"


def copy_as_repository(target: Path) -> str:
    """Copy the working tree to target, commit it, and return the commit id."""
    listing = subprocess.run(
        ["git", "ls-files", "-co", "--exclude-standard", "-z"],
        cwd=REPO,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listing.split("\0")):
        source = REPO / name
        if not source.is_file():
            continue
        destination = target / name
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, destination)
    for argv in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["commit", "-q", "-m", "seedbed hook source"],
    ):
        subprocess.run(["git", *argv], cwd=target, check=True, capture_output=True)
    return subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=target,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
