"""`seedbed report` and its commands: click options turned into nu flags."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TypeVar

import click
from seedbed.core.assets import asset_dir
from seedbed.core.cli.output import emit_json
from seedbed.plugins.reports.nu import run_live, run_report
from seedbed.plugins.reports.settings import ALERT_FLAGS
from seedbed.plugins.reports.store import Target, check_store, resolve_target

# Nushell's duration literals: what --since, --bucket and --interval accept.
DURATION = re.compile(r"^\d+(\.\d+)?(ns|us|ms|sec|min|hr|day|wk)$")

F = TypeVar("F", bound=Callable[..., Any])


def _duration(
    _ctx: click.Context, param: click.Parameter, value: str | None
) -> str | None:
    if value is not None and not DURATION.match(value):
        raise click.BadParameter(
            f"{value!r} is not a duration; write e.g. 30min, 12hr, 7day, 2wk",
            param=param,
        )
    return value


def filter_options(func: F) -> F:
    """The options every report command accepts."""
    options = [
        click.option("--db", type=click.Path(dir_okay=False), help="The store."),
        click.option("--repo", type=click.Path(file_okay=False), help="A worktree."),
        click.option("--worktree", help="Only this worktree (its slug)."),
        click.option("--branch", help="Only runs on this branch."),
        click.option("--manager", help="Only this package manager or installer."),
        click.option("--kind", help="Only this kind (setup, step, gate, test…)."),
        click.option(
            "--since", callback=_duration, help="Only this window, e.g. 7day."
        ),
        click.option("--json", "as_json", is_flag=True, help="Print JSON."),
    ]
    for option in reversed(options):
        func = option(func)
    return func


FILTERS = ("worktree", "branch", "manager", "kind", "since")


def common_flags(options: Mapping[str, Any]) -> tuple[Target, list[str]]:
    """Check the store and turn the shared options into nu flags."""
    target = resolve_target(options.get("db"), options.get("repo"))
    check_store(target.db)
    flags = ["--db", str(target.db)]
    for name in FILTERS:
        if options.get(name) is not None:
            flags += [f"--{name}", str(options[name])]
    if options.get("as_json"):
        flags.append("--json")
    else:
        flags += ["--width", str(render_width())]
    return target, flags


def render_width() -> int:
    """The terminal's width; into a file or pipe, wide enough for every table
    here (nu would otherwise cut them at 80 columns)."""
    return shutil.get_terminal_size(fallback=(200, 24)).columns


def merged(ctx: click.Context, options: Mapping[str, Any]) -> dict[str, Any]:
    """A subcommand's options over those given to `seedbed report` itself."""
    given = ctx.obj if isinstance(ctx.obj, dict) else {}
    return {
        **given,
        **{key: value for key, value in options.items() if value not in (None, False)},
    }


def emit(command: str, flags: Sequence[str]) -> int:
    click.echo(run_report(command, flags).rstrip("\n"))
    return 0


@click.group(
    "report", invoke_without_command=True, context_settings={"show_default": True}
)
@filter_options
@click.pass_context
def report_group(ctx: click.Context, /, **options: Any) -> int:
    """Reports from the metrics store: runs, trends, alerts, advice.

    Without a command, the same as `seedbed report report`. Needs Nushell:
    the figures come from the module in seedbed's nushell/ folder.
    """
    ctx.obj = options
    if ctx.invoked_subcommand is None:
        _, flags = common_flags(options)
        return emit("report", flags)
    return 0


@report_group.command("report")
@filter_options
@click.pass_context
def report_command(ctx: click.Context, /, **options: Any) -> int:
    """Runs, median and p95 seconds, failure rate and last run, per worktree,
    package manager and command."""
    _, flags = common_flags(merged(ctx, options))
    return emit("report", flags)


@report_group.command("perf")
@filter_options
@click.option(
    "--bucket",
    callback=_duration,
    help="One period, e.g. 1hr  [default: fits the span: hours, days or weeks]",
)
@click.option("--points", default=30, type=int, help="Periods per series.")
@click.option("--factor", type=float, help="Regression factor [slowdown_factor].")
@click.pass_context
def perf_command(
    ctx: click.Context,
    /,
    bucket: str | None,
    points: int,
    factor: float | None,
    **options: Any,
) -> int:
    """Trends of setup, sync, gate and test durations, regressions marked."""
    target, flags = common_flags(merged(ctx, options))
    if bucket is not None:
        flags += ["--bucket", bucket]
    flags += ["--points", str(points)]
    flags += ["--factor", str(factor or target.settings["slowdown_factor"])]
    return emit("perf", flags)


@report_group.command("alerts")
@filter_options
@click.option("--factor", type=float, help="Slowdown factor [slowdown_factor].")
@click.option(
    "--min-seconds", type=float, help="Slowdown floor [slowdown_min_seconds]."
)
@click.option("--window", type=int, help="Recent runs judged [rolling_window].")
@click.option("--min-history", type=int, help="Runs needed to judge a slowdown.")
@click.option(
    "--failure-percent", type=float, help="Failing share [failure_alert_percent]."
)
@click.option("--coverage-drop", type=float, help="Coverage points lost.")
@click.option("--memory-percent", type=float, help="Memory use of the limit.")
@click.option("--pids-percent", type=float, help="Processes of the pids limit.")
@click.pass_context
def alerts_command(ctx: click.Context, /, **options: Any) -> int:
    """Slowdowns, failing gates and tests, coverage drops, secrets, audit
    findings, workspaces near their memory or process limit, setups that fell
    back from reuse. Each names the worktree, the run and what to do. Exits 0
    either way."""
    thresholds = {
        setting: options.pop(flag.removeprefix("--").replace("-", "_"))
        for setting, flag in ALERT_FLAGS.items()
    }
    target, flags = common_flags(merged(ctx, options))
    for setting, flag in ALERT_FLAGS.items():
        value = thresholds[setting]
        flags += [flag, str(target.settings[setting] if value is None else value)]
    return emit("alerts", flags)


@report_group.command("optimize")
@filter_options
@click.pass_context
def optimize_command(ctx: click.Context, /, **options: Any) -> int:
    """Concrete advice from the recorded figures, each with its number."""
    _, flags = common_flags(merged(ctx, options))
    return emit("optimize", flags)


@report_group.command("monitor")
@click.option("--workspace", "-w", required=True, help="The container workspace.")
@click.option("--interval", default="2sec", callback=_duration, help="Refresh.")
@click.option("--count", default=0, type=int, help="Stop after N refreshes (0: never).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per refresh.")
def monitor_command(workspace: str, interval: str, count: int, as_json: bool) -> int:
    """Live CPU, memory and process use of a container workspace, refreshed
    until interrupted (reads `seedbed pod stats --json`)."""
    flags = ["--workspace", workspace, "--interval", interval, "--count", str(count)]
    if as_json:
        flags.append("--json")
    return run_live("monitor", flags)


@report_group.command("module")
def module_command() -> int:
    """Print the path of the Nushell module, for `use PATH` in your config."""
    click.echo(str(asset_dir("nushell") / "seedbed.nu"))
    return 0


@report_group.command("html")
@click.argument("path", required=False, type=click.Path(dir_okay=False))
@click.option("--db", type=click.Path(dir_okay=False), help="The store.")
@click.option("--repo", type=click.Path(file_okay=False), help="A worktree.")
@click.option("--worktree", help="Only this worktree (its slug).")
@click.option("--branch", help="Only runs on this branch.")
@click.option("--manager", help="Only this package manager or installer.")
@click.option("--since", callback=_duration, help="Only this window, e.g. 7day.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def html_command(path: str | None, as_json: bool, **options: Any) -> int:
    """Write one self-contained HTML page of charts (setup time per package
    manager, gate pass rate and duration, coverage, pod memory, slowest steps)
    to PATH [default: seedbed-report.html]. No script, no network."""
    from seedbed.plugins.reports.html import write_page

    target = resolve_target(options.get("db"), options.get("repo"))
    check_store(target.db)
    out = Path(path or "seedbed-report.html")
    charts = write_page(target, out, options)
    if as_json:
        emit_json({"path": str(out.resolve()), "charts": charts})
    else:
        click.echo(f"wrote {out} ({len(charts)} charts with data)")
    return 0
