"""`seedbed report …`: the Nushell reports, for people who do not live in Nushell.

The figures come from one place, the shipped Nushell module (nushell/seedbed.nu),
which reads the metrics store with `query db`. This plugin only finds `nu`,
checks that the store is readable, and runs `nu cli.nu <command> <flags>`: the
arguments travel as argv and are parsed against the script's signatures, never
pasted into Nushell source.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
from seedbed import core
from seedbed.core.assets import asset_dir
from seedbed.core.errors import (
    EXIT_ENVIRONMENT,
    EXIT_FAILED,
    EXIT_NOT_FOUND,
    EnvironmentProblem,
    NotARepositoryError,
    SeedbedError,
)
from seedbed.core.hookspecs import hookimpl
from seedbed.core.metrics import SCHEMA_VERSION, store_path
from seedbed.core.types import ConfigKey

# The Nushell release the module is tested with (tests/setup/nushell.sh pins it).
NUSHELL_VERSION = "0.108.0"
USER_TOOLS = Path("~/.local/share/seedbed/tools")
INSTALL_HINT = (
    f"install Nushell {NUSHELL_VERSION}: npm install --prefix {USER_TOOLS}"
    f" nushell@{NUSHELL_VERSION} (or put `nu` on PATH, or set SEEDBED_NU)"
)
# seedbed's own source checkout, where the test command installs nu.
CHECKOUT_TOOLS = Path(core.__file__).resolve().parent.parent / ".tools"

# Nushell's duration literals: what --since, --bucket and --interval accept.
DURATION = re.compile(r"^\d+(\.\d+)?(ns|us|ms|sec|min|hr|day|wk)$")

SECTION = "reports"
CONFIG_KEYS = (
    ConfigKey(
        "slowdown_factor",
        "float",
        1.5,
        "alert when a run takes this many times its rolling median",
        section=SECTION,
    ),
    ConfigKey(
        "rolling_window", "int", 20, "runs in the rolling median", section=SECTION
    ),
    ConfigKey(
        "min_history",
        "int",
        5,
        "earlier runs needed before a slowdown is judged",
        section=SECTION,
    ),
    ConfigKey(
        "coverage_drop_points",
        "float",
        1.0,
        "alert when coverage falls by this many points since the previous run",
        section=SECTION,
    ),
    ConfigKey(
        "memory_alert_percent",
        "float",
        90.0,
        "alert when a container workspace uses this share of its memory limit",
        section=SECTION,
    ),
)
# Which nu flag each setting feeds.
ALERT_FLAGS = {
    "slowdown_factor": "--factor",
    "rolling_window": "--window",
    "min_history": "--min-history",
    "coverage_drop_points": "--coverage-drop",
    "memory_alert_percent": "--memory-percent",
}

F = TypeVar("F", bound=Callable[..., Any])


@hookimpl
def seedbed_config_keys() -> Sequence[ConfigKey]:
    return CONFIG_KEYS


@hookimpl
def seedbed_register_commands(cli: click.Group) -> None:
    cli.add_command(report_group)


# ---------------------------------------------------------------------------
# Finding nu and the store
# ---------------------------------------------------------------------------


def nu_candidates() -> list[Path]:
    """Where nu may be, after $SEEDBED_NU and PATH, in the order tried."""
    return [
        CHECKOUT_TOOLS / "bin" / "nu",
        USER_TOOLS.expanduser() / "node_modules" / ".bin" / "nu",
    ]


def find_nu() -> Path:
    override = os.environ.get("SEEDBED_NU")
    if override:
        path = Path(override).expanduser()
        if _is_executable(path):
            return path
        raise EnvironmentProblem(
            f"SEEDBED_NU is {override}, which is not an executable file",
            INSTALL_HINT,
        )
    on_path = shutil.which("nu")
    if on_path:
        return Path(on_path)
    for candidate in nu_candidates():
        if _is_executable(candidate):
            return candidate
    raise EnvironmentProblem("Nushell (nu) is not installed", INSTALL_HINT)


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


@dataclass(frozen=True)
class Target:
    """The store to report on and the settings that apply to it."""

    db: Path
    settings: Mapping[str, Any]


def resolve_target(db: str | None, repo: str | None) -> Target:
    """The store (--db, or the repository's) and the [tool.seedbed.reports] values.

    Outside a repository --db still works, with the default settings.
    """
    defaults = {key.name: key.default for key in CONFIG_KEYS}
    try:
        from seedbed.core.app import load

        workspace = load(Path(repo) if repo else None).workspace
    except NotARepositoryError:
        if db is None:
            raise
        return Target(Path(db), defaults)
    settings = {**defaults, **workspace.config.section(SECTION)}
    path = Path(db) if db else store_path(workspace.common_dir)
    return Target(path, settings)


def check_store(path: Path) -> None:
    """Refuse, with a clear message, a store the reports cannot read.

    Opened read-only: a report never migrates or creates the store.
    """
    if not path.is_file():
        raise SeedbedError(
            f"no metrics store at {path}",
            "seedbed creates it on the first `seedbed setup` in this repository;"
            " or pass --db PATH",
            EXIT_NOT_FOUND,
        )
    try:
        with closing(
            sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        ) as db:
            version, has_runs = _store_facts(db)
    except sqlite3.DatabaseError as exc:
        raise SeedbedError(
            f"{path} is not a seedbed metrics store ({exc})",
            "pass --db with the path of seedbed's metrics.db",
            EXIT_NOT_FOUND,
        ) from None
    if version > SCHEMA_VERSION:
        raise SeedbedError(
            f"{path} has schema version {version}; this seedbed reads version"
            f" {SCHEMA_VERSION}",
            "upgrade seedbed: a newer seedbed wrote this store",
            EXIT_ENVIRONMENT,
        )
    if not has_runs:
        raise SeedbedError(
            f"no runs recorded yet in {path}",
            "runs are recorded by `seedbed setup`, `seedbed gate`, `seedbed run`"
            " and the git hook",
            EXIT_NOT_FOUND,
        )


def _store_facts(db: sqlite3.Connection) -> tuple[int, bool]:
    """The schema version and whether any run is recorded."""
    version_row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
    has_runs = db.execute("SELECT EXISTS (SELECT 1 FROM runs)").fetchone()[0]
    version = int(version_row[0]) if version_row and version_row[0] is not None else 0
    return version, bool(has_runs)


# ---------------------------------------------------------------------------
# Running the module
# ---------------------------------------------------------------------------


def nu_argv(nu: Path, command: str, flags: Sequence[str]) -> list[str]:
    script = asset_dir("nushell") / "cli.nu"
    # No user config: the reports must not depend on the user's shell setup.
    return [str(nu), "--no-config-file", str(script), command, *flags]


def nu_env() -> dict[str, str]:
    env = dict(os.environ)
    # monitor calls `seedbed pod stats`: the same seedbed as this one.
    if "SEEDBED_BIN" not in env and Path(sys.argv[0]).name == "seedbed":
        env["SEEDBED_BIN"] = str(Path(sys.argv[0]).resolve())
    return env


def run_report(command: str, flags: Sequence[str]) -> str:
    """Run one command of the module and return what it printed."""
    argv = nu_argv(find_nu(), command, flags)
    # Output is needed here (to pass on or to check), so not core.runner's log.
    done = subprocess.run(  # an argv list of our own flags; no shell
        argv, capture_output=True, text=True, env=nu_env(), check=False
    )
    if done.returncode != 0:
        raise _nu_failed(command, done.returncode, done.stderr)
    return done.stdout


def run_live(command: str, flags: Sequence[str]) -> int:
    """Run a command whose output goes straight to the terminal (monitor)."""
    argv = nu_argv(find_nu(), command, flags)
    try:
        done = subprocess.run(  # an argv list of our own flags; no shell
            argv, stderr=subprocess.PIPE, text=True, env=nu_env(), check=False
        )
    except KeyboardInterrupt:
        return 0  # interrupting a live view is how it normally ends
    if done.returncode != 0:
        raise _nu_failed(command, done.returncode, done.stderr)
    return 0


def _nu_failed(command: str, code: int, stderr: str) -> SeedbedError:
    """nu's own message and help (cli.nu sets the plain error style)."""
    message = _line_after(stderr, "Error: ")
    hint = _line_after(stderr, "diagnostic help: ")
    if message is None:
        message = f"report {command} failed in Nushell (exit {code})"
        hint = stderr.strip() or "nu printed nothing on stderr"
    return SeedbedError(message, hint or "", EXIT_FAILED)


def _line_after(text: str, prefix: str) -> str | None:
    for line in text.splitlines():
        if line.strip().startswith(prefix):
            return line.strip().removeprefix(prefix)
    return None


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


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
@click.option("--bucket", default="1day", callback=_duration, help="One period.")
@click.option("--points", default=30, type=int, help="Periods per series.")
@click.option("--factor", type=float, help="Regression factor [slowdown_factor].")
@click.pass_context
def perf_command(
    ctx: click.Context,
    /,
    bucket: str,
    points: int,
    factor: float | None,
    **options: Any,
) -> int:
    """Trends of setup, sync, gate and test durations, regressions marked."""
    target, flags = common_flags(merged(ctx, options))
    flags += ["--bucket", bucket, "--points", str(points)]
    flags += ["--factor", str(factor or target.settings["slowdown_factor"])]
    return emit("perf", flags)


@report_group.command("alerts")
@filter_options
@click.option("--factor", type=float, help="Slowdown factor [slowdown_factor].")
@click.option("--window", type=int, help="Runs in the rolling median.")
@click.option("--min-history", type=int, help="Runs needed to judge a slowdown.")
@click.option("--coverage-drop", type=float, help="Coverage points lost.")
@click.option("--memory-percent", type=float, help="Memory use of the limit.")
@click.pass_context
def alerts_command(ctx: click.Context, /, **options: Any) -> int:
    """Slow runs, coverage drops, lint or type failures, secret findings and
    container workspaces near their memory limit. Exits 0 either way."""
    thresholds = {
        "slowdown_factor": options.pop("factor"),
        "rolling_window": options.pop("window"),
        "min_history": options.pop("min_history"),
        "coverage_drop_points": options.pop("coverage_drop"),
        "memory_alert_percent": options.pop("memory_percent"),
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
