"""The `seedbed` command line: a click group; one module per command.

Plugins add commands through `seedbed_register_commands(cli)`. Errors are
SeedbedError: one line plus a hint on stderr, or a JSON object on stdout with
--json, and the documented exit code.
"""

from __future__ import annotations

import contextlib
import sys

import click

from core import __version__
from core.errors import EXIT_USAGE, SeedbedError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="seedbed")
def cli() -> None:
    """Every git worktree of a Python project, ready to work in by itself.

    Install the hooks once (`seedbed hooks install`); from then on each
    `git worktree add` gets its own environment, filled by the project's
    package manager.
    """


def _register_builtin() -> None:
    from core.cli import gc, hooks, metrics, plugins, run, setup, status

    for module in (setup, status, run, hooks, plugins, metrics, gc):
        cli.add_command(module.command)


def _register_plugins() -> None:
    from pathlib import Path

    from core import config as configuration
    from core import plugins
    from core.gitfacts import GitFacts

    blocked: set[str] = set()
    facts = GitFacts.read(Path.cwd())
    if facts is not None:
        # A broken config is reported by the command itself, with its file and key.
        with contextlib.suppress(SeedbedError):
            blocked = configuration.disabled_plugins(
                configuration.load_sources(facts.root)
            )
    plugins.build(blocked).hook.seedbed_register_commands(cli=cli)


def main() -> None:
    args = sys.argv[1:]
    json_mode = "--json" in (args[: args.index("--")] if "--" in args else args)
    try:
        _register_builtin()
        _register_plugins()
        result = cli.main(standalone_mode=False)
        sys.exit(result if isinstance(result, int) else 0)
    except SeedbedError as exc:
        from core.cli.output import render_error

        render_error(exc, json_mode)
        sys.exit(exc.exit_code)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("seedbed: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(EXIT_USAGE if isinstance(exc, click.UsageError) else exc.exit_code)
    except KeyboardInterrupt:
        click.echo("seedbed: interrupted", err=True)
        sys.exit(130)
