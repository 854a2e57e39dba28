"""The lint gate: the project's linter with its rules (never fixing).

`ruff check` unless the project lints with flake8 and does not configure ruff
(styles.py decides); tools the project lacks come from seedbed's pinned tool
environment.
"""

from __future__ import annotations

import re

from seedbed.core.types import Finding, GateContext, GateResult
from seedbed.plugins.gates import ruff_settings, styles, tools

NAME = "lint"
# concise format: path:row:col: CODE message
_LINE = re.compile(r"^(.+?):(\d+):\d+: ([A-Z]+[0-9]*|[a-z-]+)\b")


class LintGate:
    name = NAME
    stage = "pre-commit"
    description = "the project's linter (ruff check, or flake8) and its rules"

    def run(self, context: GateContext) -> GateResult:
        files = ruff_settings.targets(context)
        if files is None:
            return GateResult(NAME, True, skipped=True, message="no Python files")
        chosen = styles.detect(context.workspace)
        if chosen.linter == "flake8":
            listed = ruff_settings.listed_targets(context)
            if listed is None:
                return GateResult(NAME, True, skipped=True, message="no Python files")
            return flake8(context, listed)
        tool = tools.find(context, "ruff")
        argv = [
            tool.path,
            "check",
            "--no-fix",  # a gate reports; `fix = true` in the config must not apply
            "--output-format=concise",
            "--force-exclude",
            *ruff_settings.config_args(context),
            "--",
            *files,
        ]
        ran = tools.run(context, "ruff check", argv, ruff_settings.cache_env(context))
        findings = tuple(
            Finding(m.group(1), int(m.group(2)), m.group(3))
            for line in ran.text.splitlines()
            if (m := _LINE.match(line))
        )
        return tools.checker_result(
            NAME,
            tool,
            ran,
            findings,
            label="ruff check",
            clean=f"no findings ({chosen.why})",
            dirty=f"{len(findings)} finding(s): see `ruff check`",
        )


def flake8(context: GateContext, files: list[str]) -> GateResult:
    tool = tools.find(context, "flake8")
    length = ruff_settings.explicit_length(context)
    argv = [tool.path, *([f"--max-line-length={length}"] if length else [])]
    ran = tools.run(context, "flake8", [*argv, "--", *files])
    findings = tuple(
        Finding(m.group(1).removeprefix("./"), int(m.group(2)), m.group(3))
        for line in ran.text.splitlines()
        if (m := _LINE.match(line))
    )
    return tools.checker_result(
        NAME,
        tool,
        ran,
        findings,
        label="flake8",
        clean="no findings (flake8)",
        dirty=f"{len(findings)} finding(s): see `flake8`",
    )


GATE = LintGate()


def main(argv: list[str] | None = None) -> int:
    from seedbed.plugins.gates.entry import run_hook

    return run_hook(NAME, argv)
