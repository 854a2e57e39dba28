"""Advisories in the OSV format, and which installed versions they affect.

An OSV database for Python is OSV's per-ecosystem `PyPI/all.zip` (one JSON
file per advisory) or a folder of such files. Matching follows the OSV schema:
an advisory affects a distribution when an `affected[]` entry of ecosystem
PyPI names it (PEP 503 normalised) and its version is in an explicit
`versions` list or inside a `ranges` entry of type ECOSYSTEM, whose events
(`introduced`, `fixed`, `last_affected`) are walked in PEP 440 order. Withdrawn
advisories are ignored. A damaged file is a DatabaseError naming it, never a
traceback: a gate that cannot read its advisories must not pass.
"""

from __future__ import annotations

import json
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from packaging.version import InvalidVersion, Version
from seedbed.core.errors import EXIT_ENVIRONMENT, SeedbedError

ECOSYSTEM = "PyPI"
UPDATE_HINT = "run `seedbed audit update` to download the advisory database again"


class DatabaseError(SeedbedError):
    """The advisory database is missing or cannot be read."""

    def __init__(self, message: str, hint: str = UPDATE_HINT) -> None:
        super().__init__(message, hint, EXIT_ENVIRONMENT)


def normalise(name: str) -> str:
    """PEP 503: runs of `-`, `_` and `.` are one `-`, lower case."""
    return re.sub(r"[-_.]+", "-", name).lower()


def parse_version(text: str) -> Version | None:
    try:
        return Version(text)
    except InvalidVersion:
        return None


@dataclass(frozen=True)
class Event:
    kind: str  # "introduced", "fixed" or "last_affected"
    version: str


@dataclass(frozen=True)
class Affected:
    """One `affected[]` entry for a PyPI package."""

    package: str  # normalised
    ranges: tuple[tuple[Event, ...], ...]
    versions: tuple[str, ...]


@dataclass(frozen=True)
class Advisory:
    id: str
    summary: str
    aliases: tuple[str, ...]
    affected: tuple[Affected, ...]


def _sort_key(event: Event) -> tuple[int, Version]:
    # "0" introduced means "from the very first version".
    if event.kind == "introduced" and event.version == "0":
        return (0, Version("0"))
    return (1, Version(event.version))


def in_range(version: Version, events: Sequence[Event]) -> bool:
    """Whether version lies in one ECOSYSTEM range (the OSV schema's walk)."""
    usable = [
        e for e in events if e.version == "0" or parse_version(e.version) is not None
    ]
    affected = False
    for event in sorted(usable, key=_sort_key):
        if event.kind == "introduced":
            if event.version == "0" or version >= Version(event.version):
                affected = True
        elif event.kind == "fixed":
            if version >= Version(event.version):
                affected = False
        elif event.kind == "last_affected" and version > Version(event.version):
            affected = False
    return affected


def _same_version(listed: str, installed: str) -> bool:
    a, b = parse_version(listed), parse_version(installed)
    return a == b if a is not None and b is not None else listed == installed


def affects(entry: Affected, installed: str) -> bool:
    if any(_same_version(v, installed) for v in entry.versions):
        return True
    version = parse_version(installed)
    if version is None:  # not PEP 440: only an explicit list can name it
        return False
    return any(in_range(version, events) for events in entry.ranges)


def first_fix(entry: Affected, installed: str) -> str:
    """The lowest `fixed` version above the installed one, "" when none."""
    current = parse_version(installed)
    fixes = [
        v
        for events in entry.ranges
        for e in events
        if e.kind == "fixed" and (v := parse_version(e.version)) is not None
    ]
    above = sorted(v for v in fixes if current is None or v > current)
    return str(above[0]) if above else ""


# --- reading ------------------------------------------------------------------


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _events(raw: Any) -> tuple[Event, ...]:
    events: list[Event] = []
    for item in raw if isinstance(raw, list) else []:
        if not isinstance(item, dict):
            continue
        for kind in ("introduced", "fixed", "last_affected"):
            if isinstance(item.get(kind), str):
                events.append(Event(kind, item[kind]))
    return tuple(events)


def _affected(raw: Any) -> Iterator[Affected]:
    for item in raw if isinstance(raw, list) else []:
        package = item.get("package") if isinstance(item, dict) else None
        if not isinstance(package, dict) or package.get("ecosystem") != ECOSYSTEM:
            continue
        ranges = tuple(
            _events(r.get("events"))
            for r in item.get("ranges") or []
            if isinstance(r, dict) and r.get("type") == "ECOSYSTEM"
        )
        versions = tuple(v for v in item.get("versions") or [] if isinstance(v, str))
        yield Affected(normalise(_text(package.get("name"))), ranges, versions)


def advisory(data: Any, where: str) -> Advisory | None:
    """One OSV record as an Advisory; None when withdrawn or not about PyPI."""
    if not isinstance(data, dict) or not isinstance(data.get("id"), str):
        raise DatabaseError(f"{where}: not an OSV advisory (no id)")
    if data.get("withdrawn"):
        return None
    affected = tuple(_affected(data.get("affected")))
    if not affected:
        return None
    summary = _text(data.get("summary")) or _text(data.get("details"))
    return Advisory(
        id=data["id"],
        summary=" ".join(summary.split())[:200],
        aliases=tuple(a for a in data.get("aliases") or [] if isinstance(a, str)),
        affected=affected,
    )


def _decode(raw: bytes, where: str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise DatabaseError(f"{where}: damaged advisory ({exc})") from None


def _records(path: Path) -> Iterator[tuple[str, bytes]]:
    if path.is_dir():
        for file in sorted(path.rglob("*.json")):
            yield str(file), file.read_bytes()
        return
    try:
        with zipfile.ZipFile(path) as archive:
            for member in archive.namelist():
                if member.endswith(".json"):
                    yield f"{path}:{member}", archive.read(member)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError) as exc:
        raise DatabaseError(f"{path}: damaged advisory database ({exc})") from None


@dataclass(frozen=True)
class Database:
    path: Path
    by_package: dict[str, tuple[Advisory, ...]]
    count: int

    def advisories_for(self, name: str) -> tuple[Advisory, ...]:
        return self.by_package.get(normalise(name), ())


def load(path: Path) -> Database:
    """Every live PyPI advisory of a zip or a folder of OSV JSON files."""
    if not path.exists():
        raise DatabaseError(f"no advisory database at {path}")
    by_package: dict[str, list[Advisory]] = {}
    count = 0
    try:
        for where, raw in _records(path):
            found = advisory(_decode(raw, where), where)
            if found is None:
                continue
            count += 1
            for name in {a.package for a in found.affected}:
                by_package.setdefault(name, []).append(found)
    except OSError as exc:
        raise DatabaseError(f"{path}: cannot read ({exc.strerror or exc})") from None
    return Database(path, {k: tuple(v) for k, v in by_package.items()}, count)


@dataclass(frozen=True)
class Match:
    """An installed distribution an advisory affects."""

    package: str
    version: str
    advisory: Advisory
    fixed: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "package": self.package,
            "version": self.version,
            "id": self.advisory.id,
            "aliases": list(self.advisory.aliases),
            "summary": self.advisory.summary,
            "fixed": self.fixed,
        }

    def line(self) -> str:
        aliases = (
            f" ({', '.join(self.advisory.aliases)})" if self.advisory.aliases else ""
        )
        fix = f"fixed in {self.fixed}" if self.fixed else "no fixed version"
        summary = self.advisory.summary or "no summary"
        return (
            f"{self.package} {self.version}: {self.advisory.id}{aliases}: "
            f"{summary} [{fix}]"
        )


def match(database: Database, installed: Iterable[tuple[str, str]]) -> list[Match]:
    """Every (advisory, distribution) pair where the advisory affects it."""
    found: list[Match] = []
    for name, version in installed:
        for item in database.advisories_for(name):
            hits = [
                e
                for e in item.affected
                if e.package == normalise(name) and affects(e, version)
            ]
            if hits:
                fixes = [f for e in hits if (f := first_fix(e, version))]
                fixed = min(fixes, key=Version) if fixes else ""
                found.append(Match(name, version, item, fixed))
    return found
