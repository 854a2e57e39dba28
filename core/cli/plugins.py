"""`seedbed plugins`: the loaded plugins and the hooks each implements."""

from __future__ import annotations

from pathlib import Path

import click
from seedbed.core import config as configuration
from seedbed.core import plugins
from seedbed.core.cli.output import emit_json, json_option, table
from seedbed.core.gitfacts import GitFacts


@click.command("plugins")
@json_option
def command(as_json: bool) -> int:
    """List plugins (built-in and third-party alike) and their hooks."""
    facts = GitFacts.read(Path.cwd())
    blocked = (
        configuration.disabled_plugins(configuration.load_sources(facts.root))
        if facts
        else set()
    )
    infos = plugins.describe(plugins.build(blocked))
    if as_json:
        emit_json({"plugins": [info.as_dict() for info in infos]})
        return 0
    rows = [
        [i.name, "blocked" if i.blocked else i.distribution, ", ".join(i.hooks)]
        for i in infos
    ]
    click.echo(table(rows, ["plugin", "from", "hooks"]))
    return 0
