"""`seedbed task run | ls | show`: thin click wrappers (see docs/tasks.md)."""

from __future__ import annotations

import shlex
from pathlib import Path
from typing import Any

import click
from seedbed.core.cli.output import emit_json, json_option, table
from seedbed.core.errors import EXIT_FAILED, EXIT_USAGE, SeedbedError
from seedbed.plugins.tasks.settings import SECTION

EXIT_INTERRUPTED = 130


@click.group("task")
def task() -> None:
    """Run task files (PRPs) in their own worktree and pod (docs/tasks.md)."""


@task.command("run")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--agent", default="", help='Agent command, e.g. "my-agent --yes".')
@click.option("--parallel", type=click.IntRange(min=1), help="Tasks at once [1].")
@click.option("--timeout", type=click.FloatRange(min=0.1), help="Seconds per task.")
@click.option("--network/--no-network", default=None, help="Give the pod a network.")
@click.option("--keep", is_flag=True, help="Keep the worktree and pod of a pass.")
@click.option(
    "--keep-going", is_flag=True, help="Run every level, even after one fails."
)
@click.option(
    "--gates/--no-gates",
    default=None,
    help="Set the worktree up and run seedbed's gates after the levels [on].",
)
@click.option("--base", default="HEAD", show_default=True, help="Branch off this.")
@click.option(
    "--wait",
    "wait_seconds",
    type=click.FloatRange(min=0),
    help="Seconds a task may wait for a pod slot [3600].",
)
@json_option
def run_command(
    files: tuple[Path, ...],
    agent: str,
    parallel: int | None,
    timeout: float | None,
    network: bool | None,
    keep: bool,
    keep_going: bool,
    gates: bool | None,
    base: str,
    wait_seconds: float | None,
    as_json: bool,
) -> int:
    """Run each task file FILE: agent (optional), validation levels, gates."""
    from seedbed.core import app as application
    from seedbed.plugins.tasks import parallel as runs
    from seedbed.plugins.tasks import pod as pods
    from seedbed.plugins.tasks import results, run, taskfile

    try:
        argv = tuple(shlex.split(agent))
    except ValueError as exc:
        raise SeedbedError(
            f"--agent {agent!r}: {exc}", "quote it as a shell would", EXIT_USAGE
        ) from None
    tasks = [taskfile.load(path) for path in files]  # every file checked first
    names = [t.name for t in tasks]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise SeedbedError(
            f"task name {twice[0]!r} is given twice", "run it once", EXIT_USAGE
        )
    app = application.load()
    config = app.workspace.config.section(SECTION)
    options = run.Options(
        agent=argv,
        timeout=timeout,
        default_timeout=float(config.get("timeout") or 0) or None,
        network=network,
        keep=keep,
        keep_going=keep_going,
        gates=bool(config.get("gates", True)) if gates is None else gates,
        base=base,
        wait_seconds=float(config.get("wait", 3600.0))
        if wait_seconds is None
        else wait_seconds,
    )
    pods.check_engine()  # no engine: say so (exit 9) before any worktree is made
    root = Path(app.workspace.root)
    plans = [run.plan(root, t, options, results.new_run_id()) for t in tasks]
    parallel = int(config.get("parallel", 1)) if parallel is None else parallel
    summaries = runs.run_all(app, plans, options, parallel, to_stderr=as_json)
    return _report(summaries, as_json)


def _report(summaries: list[dict[str, Any]], as_json: bool) -> int:
    statuses = {s["status"] for s in summaries}
    if as_json:
        emit_json({"runs": summaries})
    else:
        for s in summaries:
            kept = f" (kept: {s['worktree']})" if s.get("worktree_kept") else ""
            reason = f": {s['reason']}" if s.get("reason") else ""
            click.echo(
                f"{s['task']} {s['run_id']}: {s['status']}{reason}{kept}", err=False
            )
            if s.get("results"):
                click.echo(f"  results: {s['results']}")
    if "interrupted" in statuses:
        return EXIT_INTERRUPTED
    return EXIT_FAILED if statuses - {"pass"} else 0


@task.command("ls")
@json_option
def ls_command(as_json: bool) -> None:
    """Task runs under results/, newest first."""
    from seedbed.plugins.tasks import results

    found = results.summaries(_root())
    rows = [
        {
            k: s.get(k)
            for k in (
                "task",
                "run_id",
                "status",
                "started_at",
                "seconds",
                "branch",
                "results",
                "reason",
            )
        }
        for s in found
    ]
    if as_json:
        emit_json({"runs": rows})
        return
    if not rows:
        click.echo("no task runs")
        return
    headers = ["task", "run_id", "status", "started_at", "seconds", "results"]
    click.echo(table([[str(r[h]) for h in headers] for r in rows], headers))


@task.command("show")
@click.argument("run_name", metavar="RUN")
@json_option
def show_command(run_name: str, as_json: bool) -> None:
    """One run's summary: RUN is a run id or TASK/RUN_ID."""
    from seedbed.plugins.tasks import results

    summary = results.find(_root(), run_name)
    if as_json:
        emit_json(summary)
        return
    click.echo(f"{summary['task']} {summary['run_id']}: {summary['status']}")
    for key in ("title", "reason", "branch", "commit", "worktree", "pod", "results"):
        if summary.get(key):
            click.echo(f"  {key}: {summary[key]}")
    agent = summary.get("agent")
    if agent:
        click.echo(f"  agent: exit {agent['exit_code']} in {agent['seconds']} s")
    for level in summary.get("levels", []):
        click.echo(
            f"  {level['name']}: {level['status']}"
            f" (exit {level['exit_code']}, {level['seconds']} s)"
        )
    for gate in summary.get("gates", []):
        click.echo(f"  gate {gate['name']}: {gate['status']} ({gate['seconds']} s)")


def _root() -> Path:
    from seedbed.core import app as application

    return Path(application.load().workspace.root)
