"""What the format and lint gates tell ruff beyond the project's own config."""

from __future__ import annotations

from seedbed.core.types import GateContext
from seedbed.plugins.gates import tools
from seedbed.plugins.gates.settings import LINE_LENGTH


def config_args(context: GateContext) -> list[str]:
    """`--config line-length = N` unless the project's ruff config decides.

    88 columns unless the project configures otherwise: a line_length set in
    [tool.seedbed.gates] always wins; else the project's ruff line-length; else
    88, passed explicitly so a user-level ruff config cannot change a gate.
    """
    workspace = context.workspace
    explicit = "gates.line_length" in workspace.config.origins
    length = int(context.settings.get("line_length", LINE_LENGTH))
    if not explicit and tools.ruff_line_length(workspace) is not None:
        return []
    return ["--config", f"line-length = {length}"]


def explicit_length(context: GateContext) -> int | None:
    """line_length when [tool.seedbed.gates] sets it (black, isort and flake8
    otherwise keep the project's own setting)."""
    if "gates.line_length" not in context.workspace.config.origins:
        return None
    return int(context.settings.get("line_length", LINE_LENGTH))


def cache_env(context: GateContext) -> dict[str, str]:
    return {"RUFF_CACHE_DIR": str(tools.cache_dir(context.workspace, "ruff"))}


def targets(context: GateContext) -> list[str] | None:
    """The files to check: pre-commit's Python files, or the whole project.

    None when files were given but none is Python (nothing to do).
    """
    if not context.files:
        from seedbed.plugins.gates.files import python_sources

        return ["."] if python_sources(context.workspace.root) else None
    return tools.python_files(context.files) or None


def listed_targets(context: GateContext) -> list[str] | None:
    """Like targets, but naming every Python file of the project instead of
    "." (black, isort and flake8 would otherwise walk into .venv)."""
    if context.files:
        return tools.python_files(context.files) or None
    from seedbed.plugins.gates.files import python_sources

    return [
        f
        for f in python_sources(context.workspace.root)
        if (context.workspace.root / f).is_file()
    ] or None
