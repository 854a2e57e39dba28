"""One audit of a worktree's environment, shared by the gate and `seedbed audit
check`: the installed distributions, matched against the chosen source, split
by the acceptance file. Anything that stops the check (no environment, no or a
damaged database, pip-audit missing or offline, a broken acceptance file) is a
SeedbedError with the fix; the caller decides how to show it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedbed.core.errors import EXIT_ENVIRONMENT, SeedbedError
from seedbed.core.paths import confine
from seedbed.core.types import GateContext
from seedbed.plugins.audit import accept, environment, online, osv, settings, update


@dataclass(frozen=True)
class Report:
    source: str
    packages: int
    verdict: accept.Verdict
    database: update.Status | None = None
    advisories: int | None = None
    warnings: tuple[str, ...] = field(default=())

    def finding_line(self, item: osv.Match) -> str:
        expired = self.verdict.expired.get(item)
        if expired is None:
            return item.line()
        return f"{item.line()} (acceptance expired {expired.expires})"

    def as_dict(self) -> dict[str, Any]:
        verdict = self.verdict
        return {
            "passed": not verdict.failing,
            "source": self.source,
            "packages": self.packages,
            "findings": [
                {
                    **m.as_dict(),
                    "acceptance_expired": str(verdict.expired[m].expires)
                    if m in verdict.expired
                    else None,
                }
                for m in verdict.failing
            ],
            "accepted": [
                {**m.as_dict(), "reason": a.reason, "expires": _date(a.expires)}
                for m, a in verdict.accepted
            ],
            "database": self.database.as_dict() if self.database else None,
            "advisories": self.advisories,
            "warnings": list(self.warnings),
        }


def _date(value: datetime.date | None) -> str | None:
    return str(value) if value else None


def database_path(context: GateContext, values: dict[str, Any]) -> Path:
    configured = str(values.get("database") or "")
    root = context.workspace.root
    if configured:
        return confine(root, configured, "[tool.seedbed.audit]", "database")
    return update.default_database()


def run(context: GateContext, today: datetime.date | None = None) -> Report:
    values = dict(settings.read(context.workspace))
    if context.manager is None:
        raise SeedbedError(
            "no Python project detected: no environment to audit",
            "run seedbed in a Python project's worktree",
            EXIT_ENVIRONMENT,
        )
    env_dir = context.manager.env_dir(context.workspace)
    installed = environment.distributions(env_dir)
    root = context.workspace.root
    accept_path = confine(
        root, str(values["accept_file"]), "[tool.seedbed.audit]", "accept_file"
    )
    acceptances = accept.read(accept_path)
    if values["source"] == "online":
        tool = online.find(env_dir)
        matches = online.check(tool, installed, root, context.run_env)
        verdict = accept.apply(matches, acceptances, today)
        return Report("online", len(installed), verdict)
    path = database_path(context, values)
    if not path.exists():
        raise osv.DatabaseError(
            f"no advisory database at {path}: the offline source needs one",
            "run `seedbed audit update`, or set [tool.seedbed.audit] "
            'source = "online" to ask pip-audit\'s service',
        )
    state = update.status(path)
    database = osv.load(path)
    warnings: list[str] = []
    age = state.age_days()
    limit = int(values["max_age_days"])
    if age is not None and age > limit:
        warnings.append(
            f"the advisory database is {int(age)} days old (over {limit}): "
            "run `seedbed audit update`"
        )
    verdict = accept.apply(osv.match(database, installed), acceptances, today)
    return Report(
        "offline",
        len(installed),
        verdict,
        state,
        database.count,
        tuple(warnings),
    )
