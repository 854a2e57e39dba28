"""The module as a Nushell user meets it: names that read as the command line's
after `use`, an @example on every exported command, and flags that match."""

from __future__ import annotations

import json
from pathlib import Path

import click
from seedbed.plugins.reports.commands import report_group

from tests.e2e.reports.common import nu_script

# The module's command for each `seedbed report …` command.
CLI_COMMANDS = {
    "report": "seedbed report",
    "perf": "seedbed report perf",
    "alerts": "seedbed report alerts",
    "optimize": "seedbed report optimize",
    "monitor": "seedbed report monitor",
}


def exported(tmp_path: Path) -> list[dict[str, object]]:
    out = nu_script(
        tmp_path,
        "scope commands | where name starts-with 'seedbed '"
        " | select name examples signatures | to json --raw | print",
    )
    return list(json.loads(out))


def test_every_exported_command_has_an_example(tmp_path: Path) -> None:
    commands = exported(tmp_path)
    assert {c["name"] for c in commands} >= set(CLI_COMMANDS.values())
    missing = [c["name"] for c in commands if not c["examples"]]
    assert missing == []


def test_names_and_flags_are_the_command_lines(tmp_path: Path) -> None:
    """`seedbed report alerts --min-seconds 2` means the same in both."""
    commands = {c["name"]: c for c in exported(tmp_path)}
    for cli_name, nu_name in CLI_COMMANDS.items():
        command = report_group.commands.get(cli_name)
        assert isinstance(command, click.Command)
        cli_flags = {
            opt.lstrip("-")
            for param in command.params
            for opt in param.opts
            if opt.startswith("--") and opt not in ("--json",)
        }
        signature = next(iter(commands[nu_name]["signatures"].values()))  # type: ignore[attr-defined]
        nu_flags = {
            p["parameter_name"] for p in signature if p["parameter_type"] == "named"
        }
        assert cli_flags - {"help"} <= nu_flags | {"json"}, (
            cli_name,
            cli_flags - nu_flags,
        )
