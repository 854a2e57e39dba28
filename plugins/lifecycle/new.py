"""`seedbed new BRANCH`: create a worktree, set it up, print its path.

The path comes from `--path` or the template `[tool.seedbed.lifecycle]
worktree_path` (default `../{repo}-{branch}`, relative to the main worktree;
`{branch}` sanitised for a folder name). git runs with SEEDBED_SKIP=1, so the
post-checkout hook (if installed) leaves the setup to this command: it runs once,
in the foreground, its progress on stderr. stdout holds only the path, so
`cd "$(seedbed new feat)"` works; the shell integration's `seedbed` function
does that cd itself.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

import click
from seedbed.core.cli.output import emit_json, json_option
from seedbed.core.errors import EXIT_FAILED, SeedbedError
from seedbed.plugins.lifecycle.settings import DEFAULT_TEMPLATE, SECTION, render


def _git(cwd: Path, *args: str, quiet: bool = False) -> int:
    """git with its output on stderr; the seedbed hook stands aside."""
    from seedbed.core.supervise import foreground

    env = {**os.environ, "SEEDBED_SKIP": "1"}
    done = foreground(
        ["git", *args], env, cwd, capture_stdout=True, capture_stderr=quiet
    )
    if done.stdout and not quiet:
        click.echo(done.stdout, err=True, nl=False)
    return done.exit_code


def branch_exists(cwd: Path, branch: str) -> bool:
    return (
        _git(
            cwd, "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}", quiet=True
        )
        == 0
    )


def setup(path: Path, as_json: bool) -> tuple[int, dict[str, Any]]:
    """`seedbed setup` in the new worktree (progress on stderr)."""
    from seedbed.core.supervise import foreground

    argv = [
        sys.executable,
        "-m",
        "seedbed.core",
        "setup",
        *(["--json"] if as_json else []),
    ]
    env = {k: v for k, v in os.environ.items() if k != "SEEDBED_SKIP"}
    done = foreground(argv, env, path, capture_stdout=True)
    outcome: dict[str, Any] = {}
    if as_json:
        try:
            parsed = json.loads(done.stdout or "{}")
        except ValueError:
            parsed = {"error": done.stdout.strip()}
        outcome = parsed if isinstance(parsed, dict) else {}
    elif done.stdout:
        click.echo(done.stdout, err=True, nl=False)
    return done.exit_code, outcome


@click.command("new")
@click.argument("branch")
@click.option(
    "--path",
    "where",
    type=click.Path(file_okay=False, path_type=Path),
    help="Put the worktree here (default: the worktree_path template).",
)
@click.option(
    "--base", default="", help="Start a new branch from this ref (default: HEAD)."
)
@json_option
def command(branch: str, where: Path | None, base: str, as_json: bool) -> int:
    """Create a worktree for BRANCH, set it up, and print its path.

    An existing branch is checked out; otherwise BRANCH is created from --base.
    With `eval "$(seedbed shell-init SHELL)"` the shell moves into it.
    """
    from seedbed.core import app as application
    from seedbed.plugins.lifecycle.worktrees import list_worktrees

    cwd = Path.cwd()
    trees = list_worktrees(cwd)  # not a repository: exit 4
    app = application.load(cwd)
    main = trees[0].path
    template = str(app.workspace.config.section(SECTION).get("worktree_path") or "")
    path = (
        Path(os.path.normpath(cwd / where.expanduser()))
        if where
        else render(
            template or DEFAULT_TEMPLATE, app.workspace.facts.repository, branch, main
        )
    )
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise SeedbedError(
            f"{path}: already exists",
            "choose another place with --path, or set "
            f"[tool.seedbed.{SECTION}] worktree_path",
            EXIT_FAILED,
        )
    exists = branch_exists(cwd, branch)
    if exists and base:
        raise SeedbedError(
            f"branch {branch!r} already exists; --base applies to a new branch",
            f"drop --base to check {branch!r} out, or name a new branch",
            EXIT_FAILED,
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    args = (
        [str(path), branch]
        if exists
        else ["-b", branch, str(path), *([base] if base else [])]
    )
    if not as_json:
        click.echo(f"seedbed: creating {path} ({branch})", err=True)
    code = _git(cwd, "worktree", "add", *args)
    if code != 0:
        raise SeedbedError(
            f"git worktree add failed for {branch!r} at {path}",
            "see git's message above; nothing else was done",
            EXIT_FAILED,
        )
    setup_code, outcome = setup(path, as_json)
    if as_json:
        emit_json(
            {
                "path": str(path),
                "branch": branch,
                "created_branch": not exists,
                "base": base or None,
                "ready": setup_code == 0,
                "setup": outcome,
            }
        )
    else:
        click.echo(str(path))
    return setup_code
