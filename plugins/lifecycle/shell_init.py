"""`seedbed shell-init bash|zsh|nu`: aliases that run in the current worktree's
environment (py-test, py-lint, py-format, py-dev) and a prompt-safe function."""

from __future__ import annotations

import click
from seedbed.core.assets import asset_dir

# bash and zsh read the same POSIX-style script; nu has its own.
SHELLS = {"bash": "posix.sh", "zsh": "posix.sh", "nu": "nu.nu"}


def script(shell: str) -> str:
    return (asset_dir("templates") / "shell" / SHELLS[shell]).read_text()


@click.command("shell-init")
@click.argument("shell", type=click.Choice(sorted(SHELLS)))
def command(shell: str) -> int:
    """Print shell aliases and a prompt function (eval it in your rc file)."""
    click.echo(script(shell), nl=False)
    return 0
