"""A task's worktree: made, set up, diffed against its base, removed.

`seedbed new`/`seedbed rm` (the lifecycle plugin) were not there when this was
written, so create() and remove() use `git worktree add -b` plus
core.setup.run_setup, and `git worktree remove`; they are the one place to
switch. Git runs through core.supervise (argv lists, output captured).
"""

from __future__ import annotations

import os
from pathlib import Path

from seedbed.core import supervise
from seedbed.core.errors import EXIT_FAILED, SeedbedError
from seedbed.core.runner import child_env


def git(*args: str, cwd: Path, ok: tuple[int, ...] = (0,)) -> supervise.Finished:
    done = supervise.foreground(
        ("git", *args),
        child_env(),
        cwd,
        capture_stdout=True,
        capture_stderr=True,
    )
    if done.exit_code not in ok:
        raise SeedbedError(
            f"git {' '.join(args)} failed: {done.stderr.strip()}",
            "see the message above; the run's results folder keeps its logs",
            EXIT_FAILED,
        )
    return done


def base_commit(root: Path, base: str) -> str:
    return git("rev-parse", "--verify", f"{base}^{{commit}}", cwd=root).stdout.strip()


def create(root: Path, path: Path, branch: str, base: str) -> Path:
    """A new worktree at path on a new branch from base (not yet set up)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(5):  # git 2.39 sometimes races on commondir
        done = git(
            "worktree",
            "add",
            "-q",
            "-b",
            branch,
            str(path),
            base,
            cwd=root,
            ok=(0, 128, 255),
        )
        if done.exit_code == 0:
            hand_over(root, path)
            return path
        if "commondir" not in done.stderr:
            break
    raise SeedbedError(
        f"git worktree add {path} failed: {done.stderr.strip()}",
        "check the base (--base) and that the branch name is free",
        EXIT_FAILED,
    )


def hand_over(root: Path, path: Path) -> None:
    """Running as root (CI, sudo) for a repository someone else owns: give the
    new worktree and its admin folder to that owner, whose uid:gid the pod runs
    as (see the pods plugin's pod_user), so the agent can write its files."""
    owner = root.stat()
    if os.getuid() != 0 or owner.st_uid == 0:
        return
    admin = git("rev-parse", "--git-dir", cwd=path).stdout.strip()
    for top in (path, (path / admin).resolve()):
        os.chown(top, owner.st_uid, owner.st_gid)
        for folder, dirs, names in os.walk(top):
            for name in [*dirs, *names]:
                os.chown(
                    os.path.join(folder, name),
                    owner.st_uid,
                    owner.st_gid,
                    follow_symlinks=False,
                )


def set_up(path: Path) -> None:
    """Make the worktree's own environment ready (what `seedbed new` waits for)."""
    from seedbed.core import app
    from seedbed.core.setup import run_setup

    outcome = run_setup(app.load(path), trigger="task")
    if not outcome.ok:
        raise SeedbedError(
            f"setting up {path} failed: {outcome.error}",
            outcome.hint or "run `seedbed setup` there to see why",
            outcome.exit_code or EXIT_FAILED,
        )


def remove(root: Path, path: Path) -> None:
    git("worktree", "remove", "--force", str(path), cwd=root, ok=(0, 128))


def changes(worktree: Path, base: str) -> str:
    """What the run changed against base: committed (base...HEAD), then
    uncommitted tracked changes, then new untracked files."""
    parts = [
        git("diff", "--binary", f"{base}...HEAD", cwd=worktree).stdout,
        git("diff", "--binary", "HEAD", cwd=worktree).stdout,
    ]
    untracked = git(
        "ls-files", "--others", "--exclude-standard", "-z", cwd=worktree
    ).stdout.split("\0")
    for name in filter(None, untracked):
        parts.append(
            git(
                "diff",
                "--binary",
                "--no-index",
                "--",
                "/dev/null",
                name,
                cwd=worktree,
                ok=(0, 1),
            ).stdout
        )
    return "".join(parts)
