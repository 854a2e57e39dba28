"""`seedbed rm [WORKTREE]`: stop, release and remove one worktree.

In order, after every check has passed (a refusal changes nothing):
1. the dev servers `seedbed serve` recorded there are stopped (core/serving.py);
2. every plugin's `seedbed_gc` runs with this worktree left out of the live
   list: the resources plugin releases its port block and drops its database,
   the pods plugin removes its pods (what `seedbed gc` would do once it is
   gone, including for worktrees already gone);
3. `git worktree remove` (the environment and `.seedbed/` go with the folder);
4. with --delete-branch, `git branch -d` (`-D` with --force).
Uncommitted changes (tracked or untracked, not ignored) and a locked worktree
are refused unless --force: exit 1, nothing changed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import click
from seedbed.core.cli.output import emit_json, json_option, warn
from seedbed.core.errors import EXIT_FAILED, SeedbedError
from seedbed.core.types import GcAction
from seedbed.plugins.lifecycle.worktrees import Worktree


def _git(cwd: Path, *args: str) -> tuple[int, str]:
    """git's exit status and its messages (stdout and stderr together)."""
    from seedbed.core.supervise import foreground

    env = {**os.environ, "SEEDBED_SKIP": "1"}
    done = foreground(
        ["git", *args], env, cwd, capture_stdout=True, capture_stderr=True
    )
    return done.exit_code, (done.stdout + done.stderr).strip()


def _last(out: str, code: int) -> str:
    return out.splitlines()[-1] if out else f"exit status {code}"


def changes(tree: Worktree) -> list[str]:
    """Uncommitted changes git shows in the worktree (ignored files excepted)."""
    code, out = _git(tree.path, "status", "--porcelain", "--untracked-files=all")
    if code != 0:
        raise SeedbedError(
            f"{tree.path}: git status failed: {out.splitlines()[-1] if out else code}",
            "run `git status` there to see why; nothing was changed",
            EXIT_FAILED,
        )
    return [line[3:] for line in out.splitlines() if line.strip()]


def check(tree: Worktree, trees: list[Worktree], force: bool) -> None:
    if tree is trees[0] or tree.main:
        raise SeedbedError(
            f"{tree.path} is the main worktree; only linked worktrees are removed",
            "name a linked worktree (seedbed ls lists them)",
            EXIT_FAILED,
        )
    if force:
        return
    if tree.locked:
        raise SeedbedError(
            f"{tree.path} is locked (git worktree lock)",
            "unlock it (git worktree unlock) or use --force; nothing was changed",
            EXIT_FAILED,
        )
    dirty = [] if tree.gone else changes(tree)
    if dirty:
        shown = ", ".join(dirty[:5]) + (
            f" and {len(dirty) - 5} more" if len(dirty) > 5 else ""
        )
        raise SeedbedError(
            f"{tree.path} has uncommitted changes ({len(dirty)} file(s): {shown})",
            "commit or stash them, or use --force to lose them; nothing was changed",
            EXIT_FAILED,
            {"path": str(tree.path), "changes": dirty},
        )


def release(tree: Worktree, trees: list[Worktree], home: Path) -> list[GcAction]:
    """Every plugin's gc hook, this worktree no longer counted as live."""
    from seedbed.core import app as application

    app = application.load(home)
    live = [other.path for other in trees if other is not tree]
    results = app.registry.pm.hook.seedbed_gc(
        common_dir=app.workspace.facts.common_dir, live_worktrees=live, dry_run=False
    )
    return [action for found in reversed(results) for action in found]


@click.command("rm")
@click.argument("worktree", required=False, default="")
@click.option(
    "--force", is_flag=True, help="Remove even with uncommitted changes (lost)."
)
@click.option("--delete-branch", is_flag=True, help="Delete its branch too.")
@json_option
def command(worktree: str, force: bool, delete_branch: bool, as_json: bool) -> int:
    """Stop what runs in WORKTREE (default: this one), release its ports,
    database and pods, and remove it.

    WORKTREE is a path, a branch, a folder name or a slug. Uncommitted changes
    are refused unless --force (exit 1, nothing changed).
    """
    from seedbed.core import serving
    from seedbed.plugins.lifecycle.worktrees import list_worktrees, resolve

    cwd = Path.cwd()
    trees = list_worktrees(cwd)  # not a repository: exit 4
    tree = resolve(worktree or ".", cwd, trees)
    check(tree, trees, force)
    # Act from a worktree that stays (the main one, unless it is bare).
    home = next(
        (t.path for t in trees if t is not tree and not t.bare and not t.gone),
        trees[0].path,
    )

    def say(text: str) -> None:
        if not as_json:
            click.echo(text, err=True)

    stopped = [] if tree.gone else serving.stop(tree.path)
    for pid in stopped:
        say(f"seedbed: stopped the dev server (pid {pid})")
    actions = release(tree, trees, home)
    for action in actions:
        if action.done:
            say(f"seedbed: released {action.resource} ({action.plugin})")
        else:
            warn(
                f"{action.resource}: not released ({action.detail}); "
                "`seedbed gc` retries"
            )
    argv = [
        "worktree",
        "remove",
        *(["--force", "--force"] if force else []),
        str(tree.path),
    ]
    if tree.gone:
        argv = ["worktree", "prune"]
    code, out = _git(home, *argv)
    if code != 0:
        raise SeedbedError(
            f"git worktree remove failed for {tree.path}: {_last(out, code)}",
            "its resources were released; fix what git says, then run "
            "`seedbed rm` again",
            EXIT_FAILED,
        )
    say(f"seedbed: removed {tree.path}")
    branch_deleted: bool | None = None
    if delete_branch and tree.branch:
        code, out = _git(home, "branch", "-D" if force else "-d", tree.branch)
        branch_deleted = code == 0
        if branch_deleted:
            say(f"seedbed: deleted branch {tree.branch}")
        else:
            warn(f"branch {tree.branch} kept: {out.splitlines()[-1] if out else code}")
    ok = all(a.done for a in actions) and branch_deleted is not False
    if as_json:
        result: dict[str, Any] = {
            "path": str(tree.path),
            "branch": tree.branch,
            "removed": True,
            "stopped_pids": stopped,
            "released": [a.as_dict() for a in actions],
            "branch_deleted": branch_deleted,
        }
        emit_json(result)
    else:
        click.echo(str(tree.path))
    return 0 if ok else EXIT_FAILED
