"""Accepted risks: advisories a project has decided to live with, for a while.

The project commits the file (`.seedbed-audit.toml` unless `accept_file` names
another, kept inside the worktree):

    [[accept]]
    id = "PYSEC-2026-1"          # the advisory's id or one of its aliases
    reason = "not reachable: we never call the affected function"
    expires = 2027-01-31         # optional; the last day the acceptance holds

An acceptance past its expiry date no longer hides the finding, and the finding
says it expired, so a forgotten exception fails again by itself.
"""

from __future__ import annotations

import datetime
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedbed.core.errors import ConfigError
from seedbed.plugins.audit.osv import Match


@dataclass(frozen=True)
class Acceptance:
    id: str
    reason: str
    expires: datetime.date | None = None

    def expired(self, today: datetime.date) -> bool:
        return self.expires is not None and today > self.expires

    def covers(self, item: Match) -> bool:
        return self.id in (item.advisory.id, *item.advisory.aliases)


def _date(value: Any, where: str) -> datetime.date | None:
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(
        f"{where}: 'expires' must be a date like 2027-01-31, got {value!r}",
        "fix the acceptance file; nothing was checked",
        file=where,
    )


def read(path: Path) -> list[Acceptance]:
    """The file's acceptances; none when it does not exist. A broken file is a
    ConfigError (exit 3) naming it: a typo must not silently accept, or
    silently drop, an exception."""
    if not path.is_file():
        return []
    try:
        data = tomllib.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(
            f"{path}: cannot read the acceptance file ({exc})",
            "fix the file (TOML with [[accept]] entries: id, reason, expires)",
            file=str(path),
        ) from None
    entries = data.get("accept", [])
    if not isinstance(entries, list):
        entries = [entries]
    found: list[Acceptance] = []
    for number, entry in enumerate(entries, 1):
        where = f"{path}: accept entry {number}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: expected a table", file=str(path))
        ident, reason = entry.get("id"), entry.get("reason")
        if not isinstance(ident, str) or not ident.strip():
            raise ConfigError(f"{where}: 'id' (the advisory id) is required")
        if not isinstance(reason, str) or not reason.strip():
            raise ConfigError(
                f"{where}: 'reason' is required for {ident}",
                "say why the risk is accepted; the file is reviewed like code",
                file=str(path),
            )
        found.append(
            Acceptance(
                ident.strip(), reason.strip(), _date(entry.get("expires"), where)
            )
        )
    return found


@dataclass(frozen=True)
class Verdict:
    """Matches split by the acceptance file: what still fails, what is accepted,
    and for each failing match the acceptance that expired (if any)."""

    failing: tuple[Match, ...]
    accepted: tuple[tuple[Match, Acceptance], ...]
    expired: dict[Match, Acceptance]


def apply(
    matches: Sequence[Match],
    acceptances: Sequence[Acceptance],
    today: datetime.date | None = None,
) -> Verdict:
    today = today or datetime.date.today()
    failing: list[Match] = []
    accepted: list[tuple[Match, Acceptance]] = []
    expired: dict[Match, Acceptance] = {}
    for item in matches:
        covering = [a for a in acceptances if a.covers(item)]
        live = [a for a in covering if not a.expired(today)]
        if live:
            accepted.append((item, live[0]))
            continue
        failing.append(item)
        if covering:
            expired[item] = covering[0]
    return Verdict(tuple(failing), tuple(accepted), expired)
