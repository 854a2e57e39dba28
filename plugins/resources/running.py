"""`seedbed frameworks`, `seedbed serve`, `seedbed test`: the frameworks'
commands, run on the worktree's port block and database.

They live in the resources family (with `seedbed ports`) because serve and
test first provision what they run on (provision.py); the frameworks they act
on come through the contract (core.discovery, the Framework protocol).

serve and test are interactive: like `seedbed run` they share the terminal with
the child (core.supervise) instead of going through core.runner, which captures
output into a log. The child gets a process group of its own so the signals
seedbed receives (Ctrl-C, a TERM from a supervisor) reach a dev server's
reloader *and* the worker it forks; the exit status is passed through.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, overload

import click
from seedbed.core import supervise
from seedbed.core.cli.output import (
    emit_json,
    iso,
    json_option,
    stdout_to_stderr,
    table,
)
from seedbed.core.discovery import Found, FrameworkRegistry, folder
from seedbed.core.errors import (
    EXIT_SETUP,
    EXIT_USAGE,
    ConfigError,
    SeedbedError,
)
from seedbed.core.types import RunCommand
from seedbed.plugins.resources.provision import provision
from seedbed.plugins.resources.settings import Settings, settings

if TYPE_CHECKING:
    from seedbed.core.app import App


@overload
def _load(name: str) -> tuple[App, Settings, Found, list[Found]]: ...
@overload
def _load(
    name: str, optional: bool
) -> tuple[App, Settings, Found | None, list[Found]]: ...


def _load(
    name: str, optional: bool = False
) -> tuple[App, Settings, Found | None, list[Found]]:
    """app, settings, the chosen framework (None when optional and the project
    has none), everything detected."""
    from seedbed.core import app as application

    app = application.load()
    workspace = app.workspace
    registry = FrameworkRegistry.load(app.registry.pm)
    found = registry.detect(workspace)
    config = settings(workspace, found)
    if optional and not found and not config.framework:
        return app, config, None, found
    chosen = registry.choose(workspace, name, config.framework)
    return app, config, chosen, found


def _ready(app: App, no_sync: bool) -> None:
    from seedbed.core import setup, state
    from seedbed.core.progress import TextProgress

    if no_sync or state.is_in_sync(app.workspace.root):
        return
    outcome = setup.run_setup(app, "sync", progress=TextProgress(sys.stderr))
    if not outcome.ok:
        raise SeedbedError(outcome.error, outcome.hint, outcome.exit_code or EXIT_SETUP)


def _env(app: App, *extra: Mapping[str, str]) -> dict[str, str]:
    from seedbed.core import app as application
    from seedbed.core.quickstate import clean_git_env

    env = clean_git_env()
    env.pop("VIRTUAL_ENV", None)
    env.update(application.run_env(app))
    for values in extra:
        env.update(values)
    return env


@click.command("frameworks")
@json_option
def frameworks_command(as_json: bool) -> int:
    """List the web frameworks detected in this worktree."""
    from seedbed.core import app as application

    app = application.load()
    workspace = app.workspace
    registry = FrameworkRegistry.load(app.registry.pm)
    found = registry.detect(workspace)
    if as_json:
        emit_json(
            {
                "known": sorted(registry.frameworks),
                "detected": [
                    {"framework": item.name, **item.detection.as_dict()}
                    for item in found
                ],
            }
        )
        return 0
    if not found:
        click.echo(
            "no web framework detected; known: " + ", ".join(registry.frameworks)
        )
        return 0
    rows = [
        [item.name, item.detection.target, "; ".join(item.detection.evidence)]
        for item in found
    ]
    click.echo(table(rows, ["framework", "target", "evidence"]))
    return 0


@click.command("serve")
@click.argument("name", required=False, default="")
@click.option("--no-sync", is_flag=True, help="Do not sync a stale environment first.")
def serve_command(name: str, no_sync: bool) -> int:
    """Start the dev server of NAME (default: the framework detected) on this
    worktree's port, with its database and variables."""
    from seedbed.core import setup

    app, config, chosen, found = _load(name)
    if config.provision == "never":
        raise ConfigError(
            'resources.provision = "never": this worktree has no port to serve on',
            'set provision = "auto"',
            key="resources.provision",
        )
    _ready(app, no_sync)
    workspace = app.workspace
    provisioned = provision(workspace, config, found)  # idempotent
    port = provisioned.block.start
    spec = chosen.framework.serve_command(workspace, chosen.detection, port)
    command = setup.choose_manager(app).run_command(workspace, spec.argv)
    # run_env: the provisioned values with the user's own .env lines winning
    env = _env(app, spec.env, command.env)
    click.echo(
        f"seedbed: serving {chosen.name} at http://127.0.0.1:{port}/ "
        f"({workspace.root.name})",
        err=True,
    )
    cwd = folder(workspace, chosen.detection)
    # Recorded while it runs, so `seedbed rm` can stop it.
    from seedbed.core.serving import serving

    with serving(workspace.root):
        done = supervise.foreground(command.argv, env, cwd, own_group=True)
    return done.exit_code


@click.command("test", context_settings={"ignore_unknown_options": True})
@click.option("--no-sync", is_flag=True, help="Do not sync a stale environment first.")
@json_option
@click.argument("words", nargs=-1, type=click.UNPROCESSED)
def test_command(no_sync: bool, as_json: bool, words: tuple[str, ...]) -> int:
    """Run the tests of NAME (default: the framework detected; pytest when the
    project has none) against this worktree's test database:
    seedbed test [NAME] [-- ARGS...]."""
    from seedbed.core import metrics, setup

    name, args = _split_words(words)
    app, config, chosen, found = _load(name, optional=not name)
    _ready(app, no_sync)
    workspace = app.workspace
    if config.provision != "never" and (found or config.provision == "always"):
        provision(workspace, config, found)
    if chosen is None:  # a library: the project's own test runner
        spec = RunCommand(("python", "-m", "pytest", *args))
        cwd = Path.cwd()
    else:
        spec = chosen.framework.test_command(workspace, chosen.detection, args)
        where = folder(workspace, chosen.detection)
        cwd = Path.cwd() if where == workspace.root else where
    command = setup.choose_manager(app).run_command(workspace, spec.argv)
    env = _env(app, spec.env, command.env)
    started_at = time.time()
    # With --json, stdout holds only the JSON object: the runner's output goes
    # to stderr.
    with stdout_to_stderr(as_json):
        finished = supervise.foreground(command.argv, env, cwd, own_group=True)
    code, seconds = finished.exit_code, finished.seconds
    metrics.record_runs(
        workspace.facts,
        {
            "kind": "test",
            "name": _test_name(spec.argv),
            "started_at": started_at,
            "seconds": seconds,
            "exit_code": code,
            "detail": {"framework": chosen.name if chosen else ""},
        },
    )
    if as_json:
        emit_json(
            {
                "framework": chosen.name if chosen else "",
                "argv": list(spec.argv),
                "exit_code": code,
                "seconds": round(seconds, 3),
                "started_at": iso(started_at),
                "status": "pass" if code == 0 else "fail",
            }
        )
    return code


def _test_name(argv: Sequence[str]) -> str:
    """The metric's name: "pytest", "manage.py test"."""
    if len(argv) > 2 and argv[1] == "-m":
        return argv[2]
    return " ".join(Path(a).name for a in argv[1:3]) or Path(argv[0]).name


def _split_words(words: tuple[str, ...]) -> tuple[str, tuple[str, ...]]:
    """NAME and ARGS from `test [NAME] [-- ARGS]`; click drops the `--`, so
    count what followed it on the real command line."""
    raw = sys.argv[1:]
    after = len(raw) - raw.index("--") - 1 if "--" in raw else 0
    head, tail = words[: len(words) - after], words[len(words) - after :]
    if len(head) > 1:
        raise SeedbedError(
            f"seedbed test takes one framework name, got {' '.join(head)!r}",
            "put the test runner's arguments after --: seedbed test [NAME] -- ARGS",
            EXIT_USAGE,
        )
    return (head[0] if head else ""), tuple(tail)


COMMANDS = (frameworks_command, serve_command, test_command)
