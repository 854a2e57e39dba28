"""The console scripts pre-commit calls (seedbed-format, seedbed-lint, ...).

Each gate module's `main(argv=None) -> int` lands here: argv holds the file
names pre-commit passes; the gate runs whatever stage pre-commit is at (the
stage is pre-commit's decision, written into .pre-commit-config.yaml).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from seedbed.core.errors import SeedbedError


def run_hook(name: str, argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=f"seedbed-{name}", description=f"seedbed's {name} gate"
    )
    parser.add_argument("files", nargs="*", help="files to check (from pre-commit)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    from seedbed.core import app as application
    from seedbed.plugins.gates import render
    from seedbed.plugins.gates.run import run_gates

    try:
        app = application.load(Path.cwd())
        files = [_relative(app.workspace.root, f) for f in args.files]
        results = run_gates(
            app, stage=hook_stage(), only=[name], files=files, via="pre-commit"
        )
    except SeedbedError as exc:
        if args.json:
            print(json.dumps(exc.as_dict(), indent=2))
        else:
            print(f"seedbed: error: {exc.message}", file=sys.stderr)
            if exc.hint:
                print(f"  {exc.hint}", file=sys.stderr)
        return exc.exit_code
    if args.json:
        print(json.dumps([r.as_dict() for r in results], indent=2))
    else:
        for result in results:
            print(render.summary_line(result))
        for line in render.details(results, messages=False):
            print(line)
    return 0 if all(r.passed for r in results) else 1


def hook_stage() -> str | None:
    """The git hook pre-commit runs for, when the variables say so for sure:
    push refs mean pre-push; git's GIT_INDEX_FILE (set for a commit's hooks)
    means pre-commit. Otherwise None, a full run (`pre-commit run` by hand).
    The tests gate runs only the touched tests at pre-commit."""
    if os.environ.get("PRE_COMMIT") != "1":
        return None
    push = ("PRE_COMMIT_FROM_REF", "PRE_COMMIT_REMOTE_NAME", "PRE_COMMIT_LOCAL_BRANCH")
    if any(os.environ.get(name) for name in push):
        return "pre-push"
    return "pre-commit" if os.environ.get("GIT_INDEX_FILE") else None


def _relative(root: Path, name: str) -> str:
    path = Path(name)
    if not path.is_absolute():
        path = Path.cwd() / path
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return name
