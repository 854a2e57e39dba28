"""The lint gate: `ruff check` with the project's rules (never fixing)."""

from __future__ import annotations

import re

from seedbed.core.types import Finding, GateContext, GateResult
from seedbed.plugins.gates import ruff_settings, tools

NAME = "lint"
# concise format: path:row:col: CODE message
_LINE = re.compile(r"^(.+?):(\d+):\d+: ([A-Z]+[0-9]*|[a-z-]+)\b")


class LintGate:
    name = NAME
    stage = "pre-commit"
    description = "ruff check: the project's lint rules"

    def run(self, context: GateContext) -> GateResult:
        files = ruff_settings.targets(context)
        if files is None:
            return GateResult(NAME, True, skipped=True, message="no Python files")
        tool = tools.find(context, "ruff")
        if tool is None:
            return tools.not_found(NAME, context, "ruff")
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
            clean="no findings",
            dirty=f"{len(findings)} finding(s): see `ruff check`",
        )


GATE = LintGate()


def main(argv: list[str] | None = None) -> int:
    from seedbed.plugins.gates.entry import run_hook

    return run_hook(NAME, argv)
