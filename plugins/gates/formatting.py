"""The format gate: `ruff format --check` (88 columns unless configured)."""

from __future__ import annotations

import re

from seedbed.core.types import Finding, GateContext, GateResult
from seedbed.plugins.gates import ruff_settings, tools

NAME = "format"
# ruff before 0.9 prints "Would reformat: PATH"; later ones print a diagnostic
# whose location line is " --> PATH:ROW:COL". --output-format is not used for
# format because older pinned versions reject it.
_WOULD = re.compile(r"^(?:Would reformat: (.+)|--> (.+?):\d+:\d+)$")


class FormatGate:
    name = NAME
    stage = "pre-commit"
    description = "ruff format --check: code is formatted as ruff would format it"

    def run(self, context: GateContext) -> GateResult:
        files = ruff_settings.targets(context)
        if files is None:
            return GateResult(NAME, True, skipped=True, message="no Python files")
        tool = tools.find(context, "ruff")
        if tool is None:
            return tools.not_found(NAME, context, "ruff")
        argv = [
            tool.path,
            "format",
            "--check",
            "--force-exclude",  # the project's excludes apply to named files too
            *ruff_settings.config_args(context),
            "--",
            *files,
        ]
        ran = tools.run(context, "ruff format", argv, ruff_settings.cache_env(context))
        findings = tuple(
            Finding(m.group(1) or m.group(2), 0, "would reformat")
            for line in ran.text.splitlines()
            if (m := _WOULD.match(line.strip()))
        )
        return tools.checker_result(
            NAME,
            tool,
            ran,
            findings,
            label="ruff format",
            clean="formatted",
            dirty=f"{len(findings)} file(s) would be reformatted: run `ruff format`",
        )


GATE = FormatGate()


def main(argv: list[str] | None = None) -> int:
    from seedbed.plugins.gates.entry import run_hook

    return run_hook(NAME, argv)
