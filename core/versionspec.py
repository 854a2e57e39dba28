"""Python version requests such as ">=3.11" or "==3.12.*", checked without
`packaging` (its specifiers module costs 10-15 ms to import, on every setup).

Only the simple shape is answered here: comma-separated clauses of an operator
(==, !=, <=, >=, <, >, ~=) and a release of plain numbers (a trailing `.*`
after == or !=), matched against a plain version ("3.12.1"). For release-only
versions PEP 440 reduces to comparing the numbers padded with zeros; pre-,
post- and dev-release rules never apply. Anything else (`===`, letters, a
local version) is None: the caller asks `packaging`.
"""

from __future__ import annotations

import re

_CLAUSE = re.compile(r"(==|!=|<=|>=|<|>|~=)\s*(\d+(?:\.\d+)*)(\.\*)?")
_PLAIN = re.compile(r"\d+(?:\.\d+)*")


def parse(text: str) -> list[tuple[str, tuple[int, ...], bool]] | None:
    """(operator, release, prefix) per clause; None when not the simple shape
    (or not valid PEP 440: packaging then says why)."""
    clauses = []
    for part in text.split(","):
        found = _CLAUSE.fullmatch(part.strip())
        if found is None:
            return None
        operator, release, star = found.groups()
        numbers = tuple(int(n) for n in release.split("."))
        if star and operator not in ("==", "!="):
            return None
        if operator == "~=" and len(numbers) < 2:
            return None
        clauses.append((operator, numbers, bool(star)))
    return clauses


def contains(text: str, version: str) -> bool | None:
    """Whether version satisfies the specifier set text; None: not simple."""
    clauses = parse(text)
    if clauses is None or _PLAIN.fullmatch(version) is None:
        return None
    numbers = tuple(int(n) for n in version.split("."))
    return all(_holds(op, release, star, numbers) for op, release, star in clauses)


def _holds(
    operator: str, release: tuple[int, ...], prefix: bool, version: tuple[int, ...]
) -> bool:
    if prefix:  # ==3.12.* / !=3.12.*: the version's first numbers
        head = _padded(version, len(release))[: len(release)]
        return (head == release) == (operator == "==")
    if operator == "~=":  # ~=3.11.2: >=3.11.2, ==3.11.*
        return _holds(">=", release, False, version) and _holds(
            "==", release[:-1], True, version
        )
    width = max(len(release), len(version))
    mine, theirs = _padded(version, width), _padded(release, width)
    return {
        "==": mine == theirs,
        "!=": mine != theirs,
        "<=": mine <= theirs,
        ">=": mine >= theirs,
        "<": mine < theirs,
        ">": mine > theirs,
    }[operator]


def _padded(numbers: tuple[int, ...], width: int) -> tuple[int, ...]:
    return numbers + (0,) * (width - len(numbers))
