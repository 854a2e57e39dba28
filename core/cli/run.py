"""`seedbed run -- CMD`: run a command inside this worktree's environment."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid

import click
from seedbed.core.cli.output import disk_errors, json_option
from seedbed.core.errors import EXIT_SETUP, EXIT_USAGE, CommandNotFound, SeedbedError


@click.command("run", context_settings={"ignore_unknown_options": True})
@click.option("--no-sync", is_flag=True, help="Do not sync a stale environment first.")
@json_option
@click.argument("argv", nargs=-1, type=click.UNPROCESSED, required=True)
@disk_errors(EXIT_SETUP)
def command(no_sync: bool, as_json: bool, argv: tuple[str, ...]) -> int:
    """Run ARGV inside this worktree's environment; its exit status is returned.

    A stale or missing environment is synced first (unless --no-sync).
    """
    from seedbed.core import app as application
    from seedbed.core import metrics, setup, state
    from seedbed.core.gitfacts import clean_git_env
    from seedbed.core.progress import TextProgress

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
    env.update(application.run_env(app))
    env.update(command_spec.env)
    started_at, start = time.time(), time.perf_counter()
    try:
        # The child shares our terminal and process group, so Ctrl-C reaches it;
        # we only wait for it and pass its status on.
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            proc = subprocess.Popen(list(command_spec.argv), cwd=os.getcwd(), env=env)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = code = os.waitstatus_to_exitcode(status)
        finally:
            signal.signal(signal.SIGINT, previous)
    except FileNotFoundError:
        raise CommandNotFound(argv[0]) from None
    if code < 0:  # killed by a signal: report it the way a shell does
        code = 128 - code
    seconds = time.perf_counter() - start
    facts = app.workspace.facts
    try:
        metrics.MetricsStore(metrics.store_path(facts.common_dir)).record(
            metrics.Record(
                run_id=uuid.uuid4().hex,
                kind="run",
                name=os.path.basename(argv[0]),
                worktree=facts.slug,
                worktree_path=str(facts.root),
                branch=facts.branch,
                manager=manager.name,
                started_at=started_at,
                seconds=seconds,
                exit_code=code,
                peak_rss_kb=int(usage.ru_maxrss),
                cpu_seconds=usage.ru_utime + usage.ru_stime,
            )
        )
    except Exception as exc:  # metrics never change a command's outcome
        click.echo(f"seedbed: warning: metrics not recorded: {exc}", err=True)
    if as_json:
        # stdout belongs to the command; the summary goes to stderr as one line.
        summary = {"argv": list(argv), "exit_code": code, "seconds": round(seconds, 3)}
        click.echo(json.dumps(summary), err=True)
    return code if code >= 0 else EXIT_USAGE
