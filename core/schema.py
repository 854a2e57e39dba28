"""A JSON Schema for seedbed's configuration, made from the declared keys.

One schema serves `.seedbed.toml` and the user's config file (their top level
is seedbed's table); `pyproject_schema` wraps it at `tool.seedbed` for a
pyproject.toml. The shipped copy (templates/schema/) holds the built-in
plugins' keys; `seedbed config --schema` prints the one for the plugins
installed here. Editors read it through a TOML language server (docs/config.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from seedbed.core.types import ConfigKey

DRAFT = "http://json-schema.org/draft-07/schema#"
SHIPPED = ("schema", "seedbed.schema.json")  # under the templates asset dir

_TYPES: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "list": {"type": "array", "items": {"type": "string"}},
}


def key_schema(key: ConfigKey) -> dict[str, Any]:
    """One key: its type, bounds, choices, description and default."""
    out: dict[str, Any] = {**_TYPES[key.kind], "description": key.doc}
    if key.choices:
        out["enum"] = list(key.choices)
    if key.minimum is not None:
        out["minimum"] = key.minimum
    if key.maximum is not None:
        out["maximum"] = key.maximum
    if key.path:
        # Relative, inside the worktree: no leading / or ~, no `..` part.
        pattern = r"^(?![/~])(?!.*(^|/)\.\.(/|$)).+$"
        target = out["items"] if key.kind == "list" else out
        target["pattern"] = pattern
    if key.default is not None and key.default != "":
        out["default"] = key.default
    return out


def config_schema(keys: Iterable[ConfigKey]) -> dict[str, Any]:
    """The schema of seedbed's table: top-level keys and one table per section."""
    top: dict[str, Any] = {}
    sections: dict[str, dict[str, Any]] = {}
    for key in keys:
        if key.section:
            sections.setdefault(key.section, {})[key.name] = key_schema(key)
        else:
            top[key.name] = key_schema(key)
    for name, properties in sorted(sections.items()):
        top[name] = {
            "type": "object",
            "description": f"[tool.seedbed.{name}] (or [{name}] in .seedbed.toml)",
            "properties": dict(sorted(properties.items())),
            "additionalProperties": False,
        }
    return {
        "$schema": DRAFT,
        "title": "seedbed configuration",
        "description": "[tool.seedbed] in pyproject.toml, .seedbed.toml, or the"
        " user's config.toml (docs/config.md)",
        "type": "object",
        "properties": dict(sorted(top.items())),
        "additionalProperties": False,
    }


def pyproject_schema(keys: Iterable[ConfigKey]) -> dict[str, Any]:
    """A pyproject.toml schema checking only [tool.seedbed]."""
    inner = config_schema(keys)
    inner.pop("$schema")
    return {
        "$schema": DRAFT,
        "title": "pyproject.toml with seedbed's [tool.seedbed]",
        "type": "object",
        "properties": {
            "tool": {"type": "object", "properties": {"seedbed": inner}},
        },
    }


def render(schema: dict[str, Any]) -> str:
    """The schema as the shipped file holds it (stable, so a diff is real)."""
    return json.dumps(schema, indent=2, sort_keys=False) + "\n"


def builtin_keys() -> list[ConfigKey]:
    """The core's keys and those of seedbed's own plugins (the shipped schema)."""
    from seedbed.core import config as configuration
    from seedbed.core import plugins

    keys = list(configuration.CORE_KEYS)
    for plugin in plugins.build().get_plugins():
        module = str(getattr(plugin, "__name__", ""))
        hook = getattr(plugin, "seedbed_config_keys", None)
        if module.startswith("seedbed.") and hook is not None:
            keys.extend(hook())
    return keys


if __name__ == "__main__":  # regenerate: python -m seedbed.core.schema > FILE
    print(render(config_schema(builtin_keys())), end="")
