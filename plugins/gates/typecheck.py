"""The types gate: mypy over every Python file of the project.

What is checked: `mypy_targets` when set; else the `files` of the project's
mypy config; else every top-level file and folder holding the project's Python
files (tracked or new, never .venv). A subfolder with its own mypy config (a
`backend/` with its pyproject.toml `[tool.mypy]` or mypy.ini) is checked from
that folder with its config, and left out of the root's run.

Strictness: the project's mypy config decides when it has one; seedbed's
`mypy_strict` (default true) applies when the project has none, or when it is
set explicitly in [tool.seedbed.gates].

mypy is the project's own when its environment has one, else seedbed's pinned
one, run with `--python-executable <worktree env python>` so it sees the
project's packages. Without a worktree environment the gate reports `error`.
"""

from __future__ import annotations

import configparser
import re
import tomllib
from dataclasses import replace
from pathlib import Path

from seedbed.core.types import Finding, GateContext, GateResult
from seedbed.plugins.gates import tools
from seedbed.plugins.gates.files import python_sources

NAME = "types"
_ERROR = re.compile(r"^(.+?):(\d+):(?:\d+:)? error: .*?(?:\s\s\[([\w-]+)\])?$")
_INI = ("mypy.ini", ".mypy.ini", "setup.cfg")


class TypesGate:
    name = NAME
    stage = "pre-push"
    description = "mypy over the project (strict unless the project configures mypy)"

    def run(self, context: GateContext) -> GateResult:
        root = context.workspace.root
        given = tools.python_files(context.files) if context.files else None
        if given == []:
            return GateResult(NAME, True, skipped=True, message="no Python files")
        subprojects = [d for d in sorted(root.iterdir()) if _sub_config(d)]
        names = {d.name for d in subprojects}
        if given is None:
            top = default_targets(context, names)
        else:
            top = [f for f in given if f.split("/", 1)[0] not in names]
        runs: list[tuple[Path, list[str]]] = []
        if top or (given is None and mypy_config(root)[1]):
            runs.append((root, top))
        for sub in subprojects:
            if given is None:
                runs.append((sub, [] if mypy_config(sub)[1] else ["."]))
                continue
            prefix = f"{sub.name}/"
            targets = [f[len(prefix) :] for f in given if f.startswith(prefix)]
            if targets:
                runs.append((sub, targets))
        if not runs:
            return GateResult(NAME, True, skipped=True, message="no Python files")
        python = tools.require_python(context, "type-check the project")
        tool = tools.find(context, "mypy")
        results = [check(context, tool, python, where, t) for where, t in runs]
        return combine(results)


def check(
    context: GateContext,
    tool: tools.Tool,
    python: Path,
    where: Path,
    targets: list[str],
) -> GateResult:
    root = context.workspace.root
    configured, _ = mypy_config(where)
    argv = [tool.path, "--no-color-output"]
    explicit = "gates.mypy_strict" in context.workspace.config.origins
    if context.settings.get("mypy_strict", True) and (explicit or not configured):
        argv.append("--strict")
    if tool.origin != "environment":
        # A mypy from outside the env still sees the project's packages.
        argv += ["--python-executable", str(python)]
    argv += targets
    version = tools.installed_version(tool, "mypy") or "unknown"
    # One cache per mypy version (and subproject): mypy rejects another
    # version's entries, so worktrees on different pins would evict each other's.
    cache = tools.cache_dir(context.workspace, "mypy") / version
    if where != root:
        cache = cache / where.name
    ran = tools.run(context, "mypy", argv, {"MYPY_CACHE_DIR": str(cache)}, cwd=where)
    prefix = "" if where == root else f"{where.relative_to(root)}/"
    findings = tuple(
        Finding(prefix + m.group(1), int(m.group(2)), m.group(3) or "error")
        for line in ran.text.splitlines()
        if (m := _ERROR.match(line))
    )
    label = "mypy" if where == root else f"mypy in {prefix.rstrip('/')}"
    return tools.checker_result(
        NAME,
        tool,
        ran,
        findings,
        label=label,
        clean="no type errors" if where == root else f"{label}: no type errors",
        dirty=f"{len(findings)} type error(s)"
        + ("" if where == root else f" ({label})"),
    )


def combine(results: list[GateResult]) -> GateResult:
    if len(results) == 1:
        return results[0]
    errors = [r for r in results if r.error]
    findings = tuple(f for r in results for f in r.findings)
    failed = [r for r in results if not r.passed]
    return replace(
        results[0],
        passed=not failed,
        error=bool(errors),
        figure=float(len(findings)),
        findings=findings,
        message="; ".join(r.message for r in results),
        output="\n".join(r.output for r in failed if r.output),
    )


def default_targets(context: GateContext, leave_out: set[str]) -> list[str]:
    """mypy_targets, else nothing when mypy's config names its files, else the
    top-level entries holding the project's Python files."""
    configured = list(context.settings.get("mypy_targets") or [])
    if configured:
        return configured
    root = context.workspace.root
    if mypy_config(root)[1]:
        return []
    top: dict[str, None] = {}
    for name in python_sources(root):
        first = name.split("/", 1)[0]
        if first not in leave_out and (root / name).is_file():
            top.setdefault(first, None)
    return list(top)


def mypy_config(folder: Path) -> tuple[bool, bool]:
    """(the folder configures mypy, that config names its files)."""
    pyproject = folder / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = tomllib.loads(pyproject.read_text())
        except (OSError, tomllib.TOMLDecodeError):
            data = {}
        mypy = data.get("tool", {}).get("mypy")
        if isinstance(mypy, dict):
            return True, bool(mypy.get("files"))
    for name in _INI:
        path = folder / name
        if not path.is_file():
            continue
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read(path)
        except configparser.Error:
            return True, False  # mypy itself reports a broken config
        if parser.has_section("mypy"):
            return True, parser.has_option("mypy", "files")
    return False, False


def _sub_config(folder: Path) -> bool:
    return (
        folder.is_dir() and not folder.name.startswith(".") and mypy_config(folder)[0]
    )


GATE = TypesGate()


def main(argv: list[str] | None = None) -> int:
    from seedbed.plugins.gates.entry import run_hook

    return run_hook(NAME, argv)
