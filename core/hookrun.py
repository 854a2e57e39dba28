"""What git hooks run: decide fast whether there is work, then do it safely.

The no-op path (a branch switch whose lock did not change) must add at most
60 ms to a checkout, so it imports only the standard library and core.state:
one `git rev-parse`, a JSON read and a few file hashes. Nothing here may fail
the git command: every problem is one line on stderr and exit status 0.

A checkout acts only on a seedbed configuration the user trusted (core.trust):
the check comes before the App is loaded or `background` is read, so an
untrusted branch decides nothing, not even whether to start a process.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from seedbed.core import gitfacts, state
from seedbed.core.gitfacts import GitFacts

HINT_LINES = 13  # a failed setup shows the tool's last 12 lines and the log line
USAGE = """\
Usage: seedbed hook HOOK [GIT'S ARGUMENTS]...

  What the git hooks `seedbed hooks install` writes run (post-checkout,
  post-merge, post-rewrite; pre-commit for the pre-commit framework's
  post-checkout stage): set this worktree up when a checkout created it or
  changed its lock files. Never fails the git command. By hand, run
  `seedbed setup` instead.
"""


def main(args: list[str]) -> int:
    if "-h" in args or "--help" in args:  # git never passes these: a person asks
        print(USAGE, end="")
        return 0
    if os.environ.get("SEEDBED_SKIP") or not args:
        return 0
    try:
        trigger = _trigger(args[0], args[1:])
        if trigger is None:
            return 0
        facts = GitFacts.read(Path.cwd())
        if facts is None:
            return 0
        if trigger != "create" and state.is_in_sync(facts.root):
            return 0
        if not _trusted(facts):
            return 0
        gitfacts.hand_on(facts)  # app.load asks again: no second git rev-parse
        return _setup(facts.root, trigger)
    except KeyboardInterrupt:
        print(
            "seedbed: setup interrupted; run `seedbed setup` to finish", file=sys.stderr
        )
        return 0
    except Exception as exc:  # never break a checkout
        print(
            f"seedbed: {exc.__class__.__name__}: {exc}; retry with `seedbed setup`",
            file=sys.stderr,
        )
        return 0


def _trigger(hook: str, args: list[str]) -> str | None:
    if hook == "post-checkout":
        if len(args) < 3 or args[2] == "0":  # a file checkout, not a branch one
            return None
        return "create" if set(args[0]) == {"0"} else "checkout"
    if hook == "post-merge":
        return "merge"
    if hook == "post-rewrite":
        return "rewrite" if args[:1] == ["rebase"] else None
    if hook == "pre-commit":  # the pre-commit framework's post-checkout stage
        if os.environ.get("PRE_COMMIT_CHECKOUT_TYPE", "1") == "0":
            return None
        previous = os.environ.get("PRE_COMMIT_FROM_REF", "")
        return "create" if not previous or set(previous) == {"0"} else "checkout"
    return None


def _trusted(facts: GitFacts) -> bool:
    from seedbed.core import trust  # standard library only: tomllib, hashlib, json

    verdict = trust.check(facts.root, facts.common_dir)
    if verdict.line:
        print(verdict.line, file=sys.stderr)
    return verdict.trusted


def _setup(root: Path, trigger: str) -> int:
    from seedbed.core import app as application
    from seedbed.core import setup
    from seedbed.core.errors import SeedbedError
    from seedbed.core.progress import TextProgress

    try:
        app = application.load(root)
        if app.workspace.config["background"]:
            return _detach(root, trigger)
        outcome = setup.run_setup(
            app, trigger, progress=TextProgress(sys.stderr), wait=False
        )
    except state.Locked:  # a checkout never waits behind a running setup
        print(
            "seedbed: a setup of this worktree is already running; "
            "`seedbed status` shows how it ends",
            file=sys.stderr,
        )
        return 0
    except SeedbedError as exc:
        if exc.details.get("no_project"):  # not a Python project: nothing to say
            return 0
        print(f"seedbed: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  hint: {exc.hint}", file=sys.stderr)
        return 0
    if outcome.skipped:
        return 0
    if outcome.ok:
        print(
            f"seedbed: {root.name} ready ({outcome.manager}, Python {outcome.python}, "
            f"{outcome.package_count or 0} packages) in {outcome.seconds:.1f} s",
            file=sys.stderr,
        )
    else:
        _failed(outcome.error, outcome.hint, outcome.log)
    return 0


def _failed(error: str, hint: str, log: str) -> None:
    """The failure as `seedbed setup` shows it: the error, the last lines of
    the tool's own output (in the hint), and where the full log is."""
    lines = [line for line in hint.splitlines() if line.strip()]
    print(f"seedbed: setup failed: {error}", file=sys.stderr)
    for line in lines[-HINT_LINES:]:
        print(f"  {line}", file=sys.stderr)
    if log and not any(log in line for line in lines[-HINT_LINES:]):
        print(f"  full log: {log}; retry with `seedbed setup`", file=sys.stderr)


def _detach(root: Path, trigger: str) -> int:
    import subprocess

    from seedbed.core.runner import child_env

    directory = state.state_dir(root)
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "background.log", "ab") as log:
        subprocess.Popen(
            # -P: the worktree (cwd) must not shadow seedbed's packages; a
            # project may well have its own "core".
            [sys.executable, "-P", "-m", "seedbed.core", "setup", "--trigger", trigger],
            cwd=root,
            env=child_env(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    print(
        "seedbed: setting up in the background; `seedbed status` shows how it went",
        file=sys.stderr,
    )
    return 0
