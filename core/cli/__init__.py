"""The `seedbed` command line: a click group; one module per command.

Built-in commands are imported only when run (start-up time is part of every
git hook and every `seedbed run`); plugin commands come from
`seedbed_register_commands(cli)` and are loaded only when the name is not a
built-in or when the command list is shown. Errors are SeedbedError: one line
plus a hint on stderr, or a JSON object on stdout with --json, and the
documented exit code. Anything else (a bug, ours or a plugin's) is one line
too, exit 1; SEEDBED_TRACE=1 shows its traceback.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import sys

import click
from seedbed.core import __version__
from seedbed.core.errors import EXIT_FAILED, EXIT_USAGE, SeedbedError

# name: (module, one-line help shown in `seedbed --help` without importing it)
BUILTIN: dict[str, tuple[str, str]] = {
    "setup": ("seedbed.core.cli.setup", "Create or sync this worktree's environment."),
    "status": ("seedbed.core.cli.status", "Show whether this worktree is ready."),
    "run": (
        "seedbed.core.cli.run",
        "Run a command inside this worktree's environment.",
    ),
    "hooks": ("seedbed.core.cli.hooks", "Install, remove or inspect the git hooks."),
    "plugins": (
        "seedbed.core.cli.plugins",
        "List plugins and the hooks each implements.",
    ),
    "metrics": ("seedbed.core.cli.metrics", "Show or export recorded runs."),
    "gc": ("seedbed.core.cli.gc", "Release what removed worktrees still hold."),
    "trust": ("seedbed.core.cli.trust", "Trust this worktree's seedbed configuration."),
    "config": ("seedbed.core.cli.config", "Show each setting and where it is from."),
}


class SeedbedGroup(click.Group):
    plugins_loaded = False

    def _load_plugins(self) -> None:
        if not self.plugins_loaded:
            self.plugins_loaded = True
            _register_plugins(self)

    def list_commands(self, ctx: click.Context) -> list[str]:
        self._load_plugins()
        return sorted({*BUILTIN, *self.commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in BUILTIN:
            module = importlib.import_module(BUILTIN[cmd_name][0])
            command: click.Command = module.command
            return command
        self._load_plugins()
        return self.commands.get(cmd_name)

    def format_commands(
        self, ctx: click.Context, formatter: click.HelpFormatter
    ) -> None:
        rows = []
        for name in self.list_commands(ctx):
            if name in BUILTIN:
                rows.append((name, BUILTIN[name][1]))
            elif (command := self.commands.get(name)) and not command.hidden:
                rows.append((name, command.get_short_help_str(limit=60)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)


@click.group(cls=SeedbedGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="seedbed")
def cli() -> None:
    """Every git worktree of a Python project, ready to work in by itself.

    Install the hooks once (`seedbed hooks install`); from then on each
    `git worktree add` gets its own environment, filled by the project's
    package manager.
    """


def _register_plugins(group: click.Group) -> None:
    from pathlib import Path

    from seedbed.core import config as configuration
    from seedbed.core import plugins
    from seedbed.core.gitfacts import GitFacts

    blocked: set[str] = set()
    facts = GitFacts.read(Path.cwd())
    if facts is not None:
        # A broken config is reported by the command itself, with its file and key.
        with contextlib.suppress(SeedbedError):
            blocked = configuration.disabled_plugins(
                configuration.load_sources(facts.root)
            )
    plugins.build(blocked).hook.seedbed_register_commands(cli=group)


def main() -> None:
    args = sys.argv[1:]
    json_mode = "--json" in (args[: args.index("--")] if "--" in args else args)
    try:
        result = cli.main(standalone_mode=False)
        sys.exit(result if isinstance(result, int) else 0)
    except SeedbedError as exc:
        from seedbed.core.cli.output import render_error

        render_error(exc, json_mode)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("seedbed: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        code = EXIT_USAGE if isinstance(exc, click.UsageError) else exc.exit_code
        if json_mode:
            from seedbed.core.cli.output import render_error

            render_error(SeedbedError(exc.format_message(), "", code), True)
        else:
            exc.show()
        sys.exit(code)
    except KeyboardInterrupt:
        click.echo("seedbed: interrupted", err=True)
        sys.exit(130)
    except Exception as exc:  # a bug: one line and exit 1, never a traceback
        from seedbed.core.cli.output import render_error

        if os.environ.get("SEEDBED_TRACE"):
            raise
        render_error(internal_error(exc), json_mode)
        sys.exit(EXIT_FAILED)


def internal_error(exc: BaseException) -> SeedbedError:
    """What an unexpected exception tells the user: its type, its message and
    where it came from (the innermost frame in seedbed's code or a plugin's)."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    machinery = ("<", "/importlib/", "/click/", "/pluggy/")
    where = next(
        (
            f"{f.filename}:{f.lineno}"
            for f in reversed(frames)
            if not any(part in f.filename for part in machinery)
        ),
        "",
    )
    return SeedbedError(
        f"internal error: {type(exc).__name__}: {exc}",
        f"at {where}; please report it (SEEDBED_TRACE=1 shows the traceback)"
        if where
        else "please report it (SEEDBED_TRACE=1 shows the traceback)",
        EXIT_FAILED,
    )
