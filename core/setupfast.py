"""`seedbed setup` without click: what users type, and what scripts, agents
and the hook's background setup (`python -m seedbed.core setup --trigger X`)
run.

`perform` is the command's body for both routes: the click command
(core/cli/setup.py) calls it with click.echo, this route with
core.rendering.echo. Both load the App and call the same setup.run_setup, so
the setup, its metrics rows and its exit status are one code path; only the
parsing of the arguments and the handling of errors around the body are
here twice, each written as the click CLI's (core/cli/__init__.main with
core/cli/output.disk_errors) does it.

The route takes only the command's own options, each at most once (`--json`,
`--recreate`, `-v`/`--verbose`, `--trigger NAME` with a known name), and
only with UTF-8 standard streams; anything else (`--help`, an unknown or
repeated option, a bad trigger, SEEDBED_TRACE, shell completion) returns
None and click parses and reports, byte for byte as before
(tests/e2e/test_setup_route.py compares both routes).
"""

from __future__ import annotations

import os
import sys

from seedbed.core import rendering

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs ~3 ms to import; annotations only
    from typing import Protocol

    class Echo(Protocol):
        def __call__(self, message: str, *, err: bool = ...) -> None: ...


TRIGGERS = ("manual", "create", "checkout", "merge", "rewrite", "recreate")
FLAGS = {
    "--recreate": "recreate",
    "-v": "verbose",
    "--verbose": "verbose",
    "--json": "as_json",
}
EXIT_INTERRUPTED = 130


def perform(
    recreate: bool, verbose: bool, trigger: str, as_json: bool, echo: Echo
) -> int:
    """Set this worktree up by hand and say how it went; the exit status."""
    from seedbed.core import app as application
    from seedbed.core import setup, trust
    from seedbed.core.errors import EXIT_SETUP
    from seedbed.core.progress import TextProgress

    app = application.load()
    # By hand is consent (as `pre-commit run` is); say so when a checkout would
    # not have acted on this configuration.
    note = trust.untrusted_note(app.workspace.root, app.workspace.common_dir)
    if note and not as_json:
        echo(note, err=True)
    if recreate and trigger == "manual":
        trigger = "recreate"
    progress = None if as_json else TextProgress(sys.stderr)
    outcome = setup.run_setup(
        app, trigger, recreate=recreate, progress=progress, echo=verbose and not as_json
    )
    if as_json:
        echo(rendering.json_text(outcome.as_dict()))
    elif outcome.skipped:
        echo(
            f"{app.workspace.name}: already ready ({outcome.manager}, "
            f"fingerprint {outcome.fingerprint[:12]})"
        )
    elif outcome.ok:
        echo(
            f"{app.workspace.name}: ready ({outcome.manager} via {outcome.installer}, "
            f"Python {outcome.python}, {outcome.package_count or 0} packages) "
            f"in {outcome.seconds:.1f} s"
        )
    else:
        echo(f"seedbed: error: {outcome.error}", err=True)
        for line in outcome.hint.splitlines():
            echo(f"  {line}", err=True)
    return 0 if outcome.ok else (outcome.exit_code or EXIT_SETUP)


def parse(args: list[str]) -> dict[str, bool | str] | None:
    """perform's keyword arguments, or None when click must parse."""
    chosen: dict[str, bool | str] = {}
    rest = iter(args)
    for arg in rest:
        name = FLAGS.get(arg) or ("trigger" if arg.startswith("--trigger") else "")
        if not name or name in chosen:
            return None
        if name != "trigger":
            chosen[name] = True
            continue
        value = arg[len("--trigger=") :] if arg.startswith("--trigger=") else None
        if arg == "--trigger":
            value = next(rest, None)
        if value not in TRIGGERS:
            return None
        chosen[name] = str(value)
    return {
        "recreate": False,
        "verbose": False,
        "as_json": False,
        "trigger": "manual",
        **chosen,
    }


def main(args: list[str]) -> int | None:
    """The exit status, or None when the click command must run."""
    options = parse(args)
    if options is None or not rendering.plain_streams():
        return None
    if os.environ.get("SEEDBED_TRACE") or "_SEEDBED_COMPLETE" in os.environ:
        return None  # a traceback or click's completion wanted: click runs
    as_json = bool(options["as_json"])
    try:
        return _guarded(options)
    except KeyboardInterrupt:
        # click prints a newline (closing the terminal's ^C), then the CLI
        # says "interrupted".
        rendering.echo("", err=True)
        rendering.echo("seedbed: interrupted", err=True)
        return EXIT_INTERRUPTED
    except Exception as exc:  # as core/cli/__init__.main renders them
        return _failed(exc, as_json)


def _guarded(options: dict[str, bool | str]) -> int:
    """perform, with a full or read-only disk as the setup error (exit 5)."""
    from seedbed.core.errors import EXIT_SETUP

    try:
        return perform(
            bool(options["recreate"]),
            bool(options["verbose"]),
            str(options["trigger"]),
            bool(options["as_json"]),
            rendering.echo,
        )
    except OSError as exc:
        error = rendering.disk_error(exc, EXIT_SETUP)
        if error is None:
            raise
        raise error from None


def _failed(exc: Exception, as_json: bool) -> int:
    import errno

    from seedbed.core.errors import SeedbedError

    if isinstance(exc, OSError) and exc.errno == errno.EPIPE:
        _quiet_streams()  # click's answer to a closed pipe: exit 1, silently
        return 1
    if not isinstance(exc, SeedbedError):
        from seedbed.core.cli import internal_error  # a bug: click is no matter

        exc = internal_error(exc)
    if as_json:
        rendering.echo(rendering.json_text(exc.as_dict()))
    else:
        for line in rendering.error_lines(exc):
            rendering.echo(line, err=True)
    return exc.exit_code


def _quiet_streams() -> None:
    """Whatever is still buffered for a closed pipe goes nowhere at exit."""
    import contextlib

    null = os.open(os.devnull, os.O_WRONLY)
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):
            os.dup2(null, stream.fileno())
    os.close(null)
