"""`seedbed editor`: write (or refresh) this worktree's editor files now."""

from __future__ import annotations

import click
from seedbed.core.cli.output import emit_json, json_option, table


@click.command("editor")
@click.option(
    "--devcontainer",
    is_flag=True,
    help="Also write .devcontainer/devcontainer.json for this machine.",
)
@json_option
def editor(devcontainer: bool, as_json: bool) -> int:
    """Write VS Code settings, extensions and launch.json for this worktree.

    Your keys and comments are kept; only missing keys are added.
    """
    from seedbed.core import app as application
    from seedbed.plugins.editors import SECTION, apply

    app = application.load()
    section = app.workspace.config.section(SECTION)
    written = apply(
        app.workspace,
        app.registry.pm,
        True,
        devcontainer or bool(section.get("devcontainer")),
    )
    if as_json:
        emit_json({"files": [w.as_dict() for w in written]})
    else:
        rows = []
        for item in written:
            note = item.note
            if item.kept:
                note = "kept your " + ", ".join(item.kept)
            rows.append([str(item.path), item.status, note])
        click.echo(table(rows, ["file", "result", "note"]))
    return 1 if any(w.status == "skipped" for w in written) else 0
