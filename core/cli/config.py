"""`seedbed config`: the effective configuration and where each value came from.

Every declared key (the core's and each loaded plugin's sections) is shown with
its value and its source: `default`, `user` (the user's config file),
`pyproject` ([tool.seedbed]), `seedbed.toml`, or `environment` (SEEDBED_<KEY>),
later sources overriding earlier ones key by key. `--schema` prints the JSON
Schema of the configuration for the plugins installed here (docs/config.md).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click
from seedbed.core.cli.output import emit_json, json_option, table


def _files(root: Path) -> list[dict[str, Any]]:
    """Every file seedbed reads its configuration from, and whether it exists."""
    from seedbed.core import config as configuration

    pyproject = root / "pyproject.toml"
    tool = configuration.read_pyproject(root).get("tool", {})
    return [
        _file("user", configuration.user_config_path()),
        {
            "source": "pyproject",
            "path": f"{pyproject} [tool.seedbed]",
            "exists": isinstance(tool, dict) and "seedbed" in tool,
        },
        _file("seedbed.toml", root / ".seedbed.toml"),
    ]


def _file(kind: str, path: Path) -> dict[str, Any]:
    return {"source": kind, "path": str(path), "exists": path.is_file()}


def rows() -> tuple[Path, list[dict[str, Any]]]:
    """(the worktree, one row per declared key), in the order they are declared."""
    from seedbed.core import app as application
    from seedbed.core import config as configuration

    app = application.load()
    config = app.workspace.config
    out = []
    for key in [*configuration.CORE_KEYS, *app.registry.config_keys()]:
        label = f"{key.section}.{key.name}" if key.section else key.name
        value = (
            config.section(key.section).get(key.name, key.default)
            if key.section
            else config.get(key.name, key.default)
        )
        source = config.kinds.get(label) or (
            "default" if label not in config.origins else "file"
        )
        origin = config.origins.get(label, "")
        if source == "environment":
            origin = f"SEEDBED_{key.name.upper()}"
        out.append(
            {
                "key": label,
                "section": key.section,
                "value": value,
                "default": key.default,
                "source": source,
                "origin": origin,
                "doc": key.doc,
            }
        )
    return app.workspace.root, out


def _schema(pyproject: bool) -> dict[str, Any]:
    from seedbed.core import config as configuration
    from seedbed.core import plugins, schema

    keys = [
        *configuration.CORE_KEYS,
        *plugins.Registry.load(plugins.build()).config_keys(),
    ]
    return schema.pyproject_schema(keys) if pyproject else schema.config_schema(keys)


@click.command("config")
@click.option(
    "--schema",
    "show_schema",
    is_flag=True,
    help="Print the configuration's JSON Schema (for .seedbed.toml; editors).",
)
@click.option(
    "--pyproject",
    is_flag=True,
    help="With --schema: the schema for pyproject.toml's [tool.seedbed].",
)
@json_option
def command(show_schema: bool, pyproject: bool, as_json: bool) -> None:
    """Show the effective configuration and where each value comes from."""
    if show_schema or pyproject:
        from seedbed.core import schema

        click.echo(schema.render(_schema(pyproject)), nl=False)
        return
    root, found = rows()
    if as_json:
        emit_json({"worktree": str(root), "files": _files(root), "keys": found})
        return
    lines = [
        [row["key"], json.dumps(row["value"]), row["source"], row["origin"]]
        for row in found
    ]
    click.echo(table(lines, ["key", "value", "source", "from"]))
    click.echo("")
    click.echo("read, lowest precedence first (then SEEDBED_<KEY> variables):")
    for item in _files(root):
        mark = "" if item["exists"] else "  (not present)"
        click.echo(f"  {item['source']:<13}{item['path']}{mark}")
