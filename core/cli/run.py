"""`seedbed run -- CMD`: run a command inside this worktree's environment."""

from __future__ import annotations

import os
import sys
import time

import click
from seedbed.core.cli.output import (
    disk_errors,
    emit_json,
    iso,
    json_option,
    stdout_to_stderr,
)
from seedbed.core.errors import EXIT_SETUP, EXIT_USAGE, SeedbedError


@click.command("run", context_settings={"ignore_unknown_options": True})
@click.option("--no-sync", is_flag=True, help="Do not sync a stale environment first.")
@json_option
@click.argument("argv", nargs=-1, type=click.UNPROCESSED, required=True)
@disk_errors(EXIT_SETUP)
def command(no_sync: bool, as_json: bool, argv: tuple[str, ...]) -> int:
    """Run ARGV inside this worktree's environment; its exit status is returned.

    A stale or missing environment is synced first (unless --no-sync). With
    --json the command's output goes to stderr and stdout is one JSON object.
    """
    from seedbed.core import app as application
    from seedbed.core import metrics, runfast, runinputs, setup, state, supervise
    from seedbed.core.progress import TextProgress
    from seedbed.core.quickstate import clean_git_env

    app = application.load()
    root = app.workspace.root
    manager = setup.choose_manager(app)
    if not no_sync and not state.is_in_sync(root):
        outcome = setup.run_setup(app, "sync", progress=TextProgress(sys.stderr))
        if not outcome.ok:
            raise SeedbedError(
                outcome.error, outcome.hint, outcome.exit_code or EXIT_SETUP
            )
    command_spec = manager.run_command(app.workspace, argv)
    env = clean_git_env()
    # What the plugins' variables are computed from, keyed before they answer
    # (core/runfast.py): a file changed meanwhile leaves no note.
    inputs = runinputs.plugin_inputs(app) if not no_sync else None
    before = runinputs.inputs_key(str(root), inputs) if inputs is not None else None
    plugin_env = application.run_env(app)
    env.update(plugin_env)
    env.update(command_spec.env)
    if not no_sync:  # the next run may skip all this (core/runfast.py)
        runfast.remember(
            app.workspace.facts,
            manager.name,
            tuple(argv),
            tuple(command_spec.argv),
            dict(command_spec.env),
            plugin_env,
            inputs,
            before,
        )
    started_at = time.time()
    # The child shares our terminal and process group, so Ctrl-C reaches it
    # directly; seedbed waits, forwards TERM/HUP, and passes its status on.
    with stdout_to_stderr(as_json):
        done = supervise.foreground(command_spec.argv, env)
    code, seconds = done.exit_code, done.seconds
    # A lost metric never changes the command's outcome (record_runs warns).
    metrics.record_runs(
        app.workspace.facts,
        {
            "kind": "run",
            "name": os.path.basename(argv[0]),
            "manager": manager.name,
            "started_at": started_at,
            "seconds": seconds,
            "exit_code": code,
            "peak_rss_kb": done.peak_rss_kb,
            "cpu_seconds": done.cpu_seconds,
        },
    )
    if as_json:
        emit_json(
            {
                "argv": list(argv),
                "exit_code": code,
                "seconds": round(seconds, 3),
                "started_at": iso(started_at),
                "status": "pass" if code == 0 else "fail",
            }
        )
    return code if code >= 0 else EXIT_USAGE
