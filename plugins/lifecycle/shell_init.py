"""`seedbed shell-init bash|zsh|fish|nu`: activation on cd, the `seedbed new`
cd, aliases (py-test, py-lint, py-format, py-dev), a prompt-safe function and
completion, as one script to source from the shell's rc file.

The script starts no Python at a prompt: it walks up from the current folder in
the shell itself and reads seedbed's small state files (docs/lifecycle.md).
"""

from __future__ import annotations

import click
from seedbed.core.assets import asset_dir

# Template files per shell, in order; completion is appended (nu has its own).
SHELLS = {
    "bash": ("posix.sh", "bash.sh"),
    "zsh": ("posix.sh", "zsh.sh"),
    "fish": ("fish.fish",),
    "nu": ("nu.nu",),
}


def completion(shell: str) -> str:
    """click's completion script for the seedbed command (bash, zsh, fish)."""
    from click.shell_completion import get_completion_class
    from seedbed.core.cli import cli

    found = get_completion_class(shell)
    if found is None:
        return ""
    source = found(cli, {}, "seedbed", "_SEEDBED_COMPLETE").source()
    return f"\n# Completion (click): seedbed <TAB>\n{source}\n"


def script(shell: str) -> str:
    folder = asset_dir("templates") / "shell"
    text = "".join((folder / name).read_text() for name in SHELLS[shell])
    return text + completion(shell)


@click.command("shell-init")
@click.argument("shell", type=click.Choice(sorted(SHELLS)))
def command(shell: str) -> int:
    """Print the shell integration: activation on cd, completion, aliases.

    bash/zsh: eval "$(seedbed shell-init bash)" in ~/.bashrc or ~/.zshrc;
    fish: seedbed shell-init fish | source (in config.fish);
    nu: save its output and `source` it from config.nu.
    """
    click.echo(script(shell), nl=False)
    return 0
