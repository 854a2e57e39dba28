"""The types gate: mypy, strict by default (`mypy_strict = false` to relax)."""

from __future__ import annotations

import configparser
import re

from seedbed.core.types import Finding, GateContext, GateResult
from seedbed.core.workspace import Workspace
from seedbed.plugins.gates import tools

NAME = "types"
_ERROR = re.compile(r"^(.+?):(\d+):(?:\d+:)? error: .*?(?:\s\s\[([\w-]+)\])?$")


class TypesGate:
    name = NAME
    stage = "pre-push"
    description = "mypy (strict by default) over the project"

    def run(self, context: GateContext) -> GateResult:
        tool = tools.find(context, "mypy")
        if tool is None:
            return tools.not_found(NAME, context, "mypy")
        argv = [tool.path, "--no-color-output"]
        if context.settings.get("mypy_strict", True):
            argv.append("--strict")
        python = tools.env_python(context)
        if tool.origin != "environment" and python is not None:
            # A mypy from outside the env still sees the project's packages.
            argv += ["--python-executable", str(python)]
        if context.files:
            targets = tools.python_files(context.files)
            if not targets:
                return GateResult(NAME, True, skipped=True, message="no Python files")
        else:
            targets = default_targets(context)
        argv += targets
        version = tools.installed_version(tool, "mypy") or "unknown"
        # One cache per mypy version: mypy rejects another version's entries,
        # so worktrees on different pins would otherwise evict each other's.
        cache = tools.cache_dir(context.workspace, "mypy") / version
        ran = tools.run(context, "mypy", argv, {"MYPY_CACHE_DIR": str(cache)})
        findings = tuple(
            Finding(m.group(1), int(m.group(2)), m.group(3) or "error")
            for line in ran.text.splitlines()
            if (m := _ERROR.match(line))
        )
        return tools.checker_result(
            NAME,
            tool,
            ran,
            findings,
            label="mypy",
            clean="no type errors",
            dirty=f"{len(findings)} type error(s)",
        )


def default_targets(context: GateContext) -> list[str]:
    """mypy_targets, else nothing when mypy's config names its files, else
    src/ when present, else the project root."""
    configured = list(context.settings.get("mypy_targets") or [])
    if configured:
        return configured
    if configures_files(context.workspace):
        return []
    return ["src"] if (context.workspace.root / "src").is_dir() else ["."]


def configures_files(workspace: Workspace) -> bool:
    tool = workspace.pyproject.get("tool", {})
    mypy = tool.get("mypy", {}) if isinstance(tool, dict) else {}
    if isinstance(mypy, dict) and mypy.get("files"):
        return True
    for name in ("mypy.ini", ".mypy.ini", "setup.cfg"):
        path = workspace.root / name
        if not path.is_file():
            continue
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(path)
        except configparser.Error:
            return False  # mypy itself reports a broken config
        if parser.has_option("mypy", "files"):
            return True
    return False


GATE = TypesGate()


def main(argv: list[str] | None = None) -> int:
    from seedbed.plugins.gates.entry import run_hook

    return run_hook(NAME, argv)
