"""The online source: pip-audit (the PyPA tool) asks its vulnerability service.

The distributions seedbed read from the environment are written as pinned
requirements and given to `pip-audit -r FILE --no-deps --disable-pip`, so
pip-audit neither resolves nor installs anything and audits exactly what the
offline source would. Its JSON report goes to a file (`-o`), so log lines
never mix with it. When pip-audit cannot reach its service it exits non-zero
without a report: that is an AuditError with the tool's last line and the fix,
never a pass.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from seedbed.core import files, runner
from seedbed.core.errors import EXIT_ENVIRONMENT, SeedbedError
from seedbed.plugins.audit.osv import Advisory, Match

TOOL = "pip-audit"
TIMEOUT = 600.0
INSTALL_HINT = (
    "install pip-audit beside seedbed (`uv tool install seedbed --with pip-audit`, "
    "or add it to the project's dev dependencies), or set "
    '[tool.seedbed.audit] source = "offline"'
)
OFFLINE_HINT = (
    "check the network (a proxy?), or use the local database: "
    '[tool.seedbed.audit] source = "offline" and `seedbed audit update`'
)


def find(env_dir: Path | None) -> str | None:
    """pip-audit from the worktree's environment, beside seedbed, or PATH."""
    for folder in (env_dir / "bin" if env_dir else None, Path(sys.executable).parent):
        if folder is not None and (folder / TOOL).is_file():
            return str(folder / TOOL)
    return shutil.which(TOOL)


def check(
    tool: str | None,
    installed: Sequence[tuple[str, str]],
    cwd: Path,
    env: Mapping[str, str] | None = None,
) -> list[Match]:
    if tool is None:
        raise SeedbedError(
            f"{TOOL} not found (the online source needs it)",
            INSTALL_HINT,
            EXIT_ENVIRONMENT,
        )
    cache = files.user_dir("cache") / "pip-audit"
    with tempfile.TemporaryDirectory(prefix="seedbed-audit-") as scratch:
        requirements = Path(scratch) / "requirements.txt"
        requirements.write_text("".join(f"{n}=={v}\n" for n, v in installed))
        report = Path(scratch) / "report.json"
        argv = [
            tool,
            "-r",
            str(requirements),
            "--no-deps",
            "--disable-pip",
            "--format",
            "json",
            "--progress-spinner",
            "off",
            "--cache-dir",
            str(cache),
            "-o",
            str(report),
        ]
        result = runner.run_argv(
            TOOL, argv, cwd=cwd, env=runner.child_env(env), timeout=TIMEOUT
        )
        data = _report(report)
    if data is None:
        last = _last_line(result.output_tail)
        raise SeedbedError(
            f"{TOOL} could not check the packages (exit {result.exit_code}): {last}",
            OFFLINE_HINT,
            EXIT_ENVIRONMENT,
        )
    return parse(data)


def _report(path: Path) -> Any:
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return None


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1][:300] if lines else "no output"


def parse(data: Any) -> list[Match]:
    """pip-audit's JSON report as matches (its vulns carry id, aliases,
    fix_versions and a description)."""
    found: list[Match] = []
    dependencies = data.get("dependencies", []) if isinstance(data, dict) else []
    for dependency in dependencies:
        if not isinstance(dependency, dict):
            continue
        for vuln in dependency.get("vulns") or []:
            summary = " ".join(str(vuln.get("description") or "").split())
            fixes = [str(v) for v in vuln.get("fix_versions") or []]
            item = Advisory(
                id=str(vuln.get("id", "")),
                summary=summary[:200],
                aliases=tuple(str(a) for a in vuln.get("aliases") or []),
                affected=(),
            )
            found.append(
                Match(
                    str(dependency.get("name", "")),
                    str(dependency.get("version", "")),
                    item,
                    fixes[0] if fixes else "",
                )
            )
    return found
