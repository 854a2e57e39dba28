"""The `seedbed pod` command group: thin click wrappers over the modules beside it.

Each command loads the worktree's configuration when there is one; the commands
that act on pods by name (exec, logs, down NAME, gc) also work outside a
worktree, with the defaults.
"""

from __future__ import annotations

import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click
from seedbed.core.cli.output import emit_json, json_option, table, warn
from seedbed.core.errors import EXIT_FAILED, NotARepositoryError, SeedbedError
from seedbed.core.metrics import record_runs
from seedbed.plugins.pods import naming
from seedbed.plugins.pods.settings import DEFAULTS, SECTION, PodSettings

# 128 + SIGTERM, what a shell reports for a process SIGTERM ended.
EXIT_TERMINATED = 143


def _load(required: bool) -> tuple[Any, PodSettings]:
    """(workspace or None, settings); outside a worktree only when not required."""
    from seedbed.core import app

    try:
        workspace = app.load().workspace
    except NotARepositoryError:
        if required:
            raise
        return None, DEFAULTS
    return workspace, PodSettings.from_section(workspace.config.section(SECTION))


def _client() -> Any:
    from seedbed.plugins.pods.engine import connect

    return connect()


@click.group("pod")
def pod() -> None:
    """Isolated Docker workspaces for this worktree (see docs/pods.md)."""


@pod.command("up")
@click.argument("count", type=click.IntRange(min=1), default=1)
@click.option("--env", "env", default="python", show_default=True, help="Env name.")
@json_option
def up_command(count: int, env: str, as_json: bool) -> None:
    """Provision COUNT pods for this worktree, in parallel."""
    from seedbed.plugins.pods import image, limits, provision, spec

    naming.check_env_name(env)
    workspace, settings = _load(required=True)
    origin = spec.Origin.of(workspace)
    user = spec.pod_user(settings, origin.worktree)
    client = _client()
    # Refuse before building an image: the same check runs again under the lock.
    limits.check(settings.limits, provision.usage(client), env, count)
    request = provision.Request(
        origin=origin,
        env=env,
        count=count,
        image=image.ensure_image(
            client,
            settings,
            lambda tag: click.echo(
                f"building {tag} from {settings.base_image} (once per template)…",
                err=True,
            ),
        ),
        user=user,
        settings=settings,
    )
    try:
        outcomes = provision.up(client, request)
    except provision.Terminated:
        made = sum(1 for o in request.outcomes if o.container_id)
        raise SeedbedError(
            f"pod up: terminated (SIGTERM); removed the {made} pod(s) this"
            " request created",
            "`seedbed pod ls` shows nothing was left behind",
            EXIT_TERMINATED,
            {"signal": "SIGTERM", "removed": made},
        ) from None
    _record_up(workspace, outcomes)
    failed = [o for o in outcomes if not o.ok]
    rows = [
        {
            "name": o.name,
            "env": o.env,
            "seconds": round(o.seconds, 3),
            "error": o.problem,
        }
        for o in outcomes
    ]
    if failed:
        first = (
            next(o for o in failed if o.error)
            if any(o.error for o in failed)
            else failed[0]
        )
        raise SeedbedError(
            f"pod up: {first.name} failed ({first.problem}); removed the"
            f" {len(outcomes)} pod(s) this request created",
            "see `docs/pods.md` (troubleshooting); `seedbed pod ls` shows nothing"
            " was left behind",
            EXIT_FAILED,
            {"pods": rows},
        )
    if as_json:
        emit_json({"pods": rows})
        return
    for o in outcomes:
        click.echo(f"{o.name}  ready in {o.seconds:.2f} s")


def _record_up(workspace: Any, outcomes: list[Any]) -> None:
    run_id = uuid.uuid4().hex
    rows = []
    for outcome in outcomes:
        detail: dict[str, Any] = {"container": outcome.name, "env": outcome.env}
        if outcome.problem:
            detail["error"] = outcome.problem
        rows.append(
            {
                "run_id": run_id,
                "kind": "pod",
                "name": "up",
                "started_at": outcome.started_at,
                "seconds": outcome.seconds,
                "exit_code": 0 if outcome.ok else EXIT_FAILED,
                "detail": detail,
            }
        )
    record_runs(workspace.facts, *rows, warn="pod up")


def _iso(epoch: float) -> str:
    """The engine's creation time (epoch seconds) as ISO 8601 with a timezone."""
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


def _scope(everywhere: bool) -> Path | None:
    """The worktree to filter on, or None for every seedbed pod on the engine."""
    if everywhere:
        return None
    workspace, _ = _load(required=False)
    return None if workspace is None else Path(workspace.root)


_everywhere = click.option(
    "--everywhere",
    is_flag=True,
    help="Every seedbed pod on the engine, not just this worktree's.",
)


@pod.command("ls")
@_everywhere
@json_option
def ls_command(everywhere: bool, as_json: bool) -> None:
    """List pods (this worktree's, or --everywhere)."""
    from seedbed.plugins.pods import inventory

    found = inventory.pods(_client(), _scope(everywhere))
    rows = [
        {
            "name": inventory.name_of(p),
            "env": p["Labels"].get(naming.LABEL_ENV, ""),
            "status": p["State"],
            "created": _iso(p["Created"]),
            "worktree": p["Labels"].get(naming.LABEL_WORKTREE, ""),
            "branch": p["Labels"].get(naming.LABEL_BRANCH, ""),
        }
        for p in found
    ]
    if as_json:
        emit_json({"pods": rows})
        return
    if not rows:
        click.echo("no pods")
        return
    headers = ["name", "env", "status", "worktree"]
    click.echo(table([[str(r[h]) for h in headers] for r in rows], headers))


@pod.command(
    "exec",
    context_settings={"ignore_unknown_options": True, "allow_interspersed_args": False},
)
@click.option("-i", "--interactive", is_flag=True, help="Forward stdin to CMD.")
@click.option("-t", "--tty", is_flag=True, help="Give CMD a terminal.")
@click.argument("name")
@click.argument("argv", nargs=-1, required=True, type=click.UNPROCESSED)
def exec_command(name: str, argv: tuple[str, ...], interactive: bool, tty: bool) -> int:
    """Run a command in pod NAME: seedbed pod exec [-i] [-t] NAME -- CMD ARGS...

    As `docker exec`: -i forwards stdin (`echo 'print(1)' | seedbed pod exec
    -i NAME -- python`), -t gives CMD a terminal; both may also follow NAME.
    """
    from seedbed.plugins.pods import attach, inventory

    more_i, more_t, command = attach.split_flags(argv)
    if not command:
        raise click.UsageError("give the command to run: pod exec NAME -- CMD")
    client = _client()
    found = inventory.running(inventory.by_name(client, name))
    worktree = Path(found["Labels"].get(naming.LABEL_WORKTREE, "/"))
    here = Path.cwd()
    # Same absolute paths inside: keep the caller's folder when it is mounted.
    workdir = here if here.is_relative_to(worktree) else worktree
    return attach.run(
        client,
        found["Id"],
        command,
        str(workdir),
        interactive=interactive or more_i,
        tty=tty or more_t,
    )


@pod.command("logs")
@click.argument("name")
@click.option("-f", "--follow", is_flag=True, help="Keep printing new output.")
@click.option("--tail", type=int, default=None, help="Only the last N lines.")
def logs_command(name: str, follow: bool, tail: int | None) -> None:
    """Print pod NAME's output (its start-up and anything its init wrote)."""
    from seedbed.plugins.pods import inventory

    client = _client()
    found = inventory.by_name(client, name)
    chunks = client.api.logs(
        found["Id"], stream=True, follow=follow, tail="all" if tail is None else tail
    )
    for chunk in chunks:
        sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()


@pod.command("stats")
@_everywhere
@json_option
def stats_command(everywhere: bool, as_json: bool) -> None:
    """CPU, memory and process figures per pod; warns near the memory limit."""
    from seedbed.plugins.pods import inventory, stats

    _, settings = _load(required=False)
    client = _client()
    figures = stats.sample(client, inventory.pods(client, _scope(everywhere)))
    stats.record_memory(figures)
    for item in figures:
        if item.status == "running" and item.memory_percent >= (
            settings.memory_warn_percent
        ):
            warn(
                f"{item.name} uses {item.memory_percent:.0f}% of its memory limit"
                f" ({stats.mib(item.memory_bytes)} of"
                f" {stats.mib(item.memory_limit_bytes)})"
            )
    if as_json:
        emit_json({"pods": [item.as_dict() for item in figures]})
        return
    if not figures:
        click.echo("no pods")
        return
    headers = ["name", "status", "cpu", "memory", "memory use", "pids"]
    click.echo(table([stats.text_row(i) for i in figures], headers))


@pod.command("down")
@click.argument("names", nargs=-1)
@click.option("--all", "every", is_flag=True, help="All of this worktree's pods.")
@_everywhere
@json_option
def down_command(
    names: tuple[str, ...], every: bool, everywhere: bool, as_json: bool
) -> None:
    """Remove pods NAME... or --all (this worktree's; with --everywhere, all)."""
    from seedbed.plugins.pods import inventory, provision

    if bool(names) == every:
        raise click.UsageError("give pod names or --all (not both)")
    client = _client()
    if every:
        doomed = inventory.pods(client, _scope(everywhere))
    else:
        doomed = [inventory.by_name(client, name) for name in names]
    provision.remove(client, [p["Id"] for p in doomed])
    _report_removed([inventory.name_of(p) for p in doomed], as_json)


@pod.command("gc")
@json_option
def gc_command(as_json: bool) -> None:
    """Remove pods (made on this host) whose worktree no longer exists, and
    seedbed-pod images no container uses, except the current one."""
    from seedbed.plugins.pods import image, inventory, provision

    _, settings = _load(required=False)
    client = _client()
    doomed = inventory.stale(client)
    provision.remove(client, [p["Id"] for p in doomed])
    # After the pods: an image only they used is unused now.
    keep = image.current_tag(client, settings)
    images = image.remove_images(client, image.unused_images(client, keep))
    _report_removed([inventory.name_of(p) for p in doomed], as_json, images)


def _report_removed(
    removed: list[str], as_json: bool, images: list[str] | None = None
) -> None:
    if as_json:
        emit_json(
            {"removed": removed}
            if images is None
            else {"removed": removed, "removed_images": images}
        )
        return
    for name in removed:
        click.echo(f"removed {name}")
    for tag in images or []:
        click.echo(f"removed image {tag}")
    if not removed and not images:
        click.echo("nothing to remove")
