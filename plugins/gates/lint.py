"""The lint gate: `ruff check` with the project's rules (never fixing)."""

from __future__ import annotations

import re

from core.gates import Finding, GateContext, GateResult
from plugins.gates import ruff_settings, tools

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
            return GateResult(
                NAME, False, message=tools.missing_message(context, "ruff")
            )
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
        code = ran.result.exit_code
        if code == 0:
            message = "no findings"
        elif code == 1:
            message = f"{len(findings)} finding(s): see `ruff check`"
        else:
            message = f"ruff check could not run (exit {code})"
        return GateResult(
            NAME,
            code == 0,
            figure=float(len(findings)),
            findings=findings,
            message=message,
            tool=tool.describe(),
            output="" if code == 0 else tools.tail(ran.text),
        )


GATE = LintGate()


def main(argv: list[str] | None = None) -> int:
    from plugins.gates.entry import run_hook

    return run_hook(NAME, argv)
