"""Which requirement files, extras and dependency groups a pip project installs.

By convention (no `requirements`, `extras` or `dev_groups` setting), with
`dev = true`:

- the first development file found, in this order: requirements/dev.txt,
  requirements/development.txt, requirements/local.txt, requirements/test.txt,
  requirements-dev.txt, dev-requirements.txt, then requirements/dev*.txt;
- requirements.txt beside it, unless the development file already pulls it in
  with `-r`; a requirements.txt made only of `-r` lines (`-r
  requirements/production.txt`) is replaced by the files it points at that the
  development file does not already include, production-only ones
  (production, prod, deploy, ...) left out;
- extras named dev, test or tests in [project.optional-dependencies], installed
  with the project (`-e .[dev,test]`);
- PEP 735 dependency groups named dev, test or tests in [dependency-groups].

With `dev = false`: requirements.txt (or requirements/base.txt), no extras and
no groups. When any of the three settings is set, seedbed installs exactly what
they name (plus the project itself), and says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedbed.core.errors import ConfigError
from seedbed.core.paths import inside
from seedbed.core.workspace import Workspace

DEV_FILES = (
    "requirements/dev.txt",
    "requirements/development.txt",
    "requirements/local.txt",
    "requirements/test.txt",
    "requirements-dev.txt",
    "dev-requirements.txt",
)
BASE_FILES = ("requirements/base.txt", "requirements/common.txt")
PRODUCTION = re.compile(r"^(prod|production|deploy|deployment|heroku|live)$")
DEV_NAMES = ("dev", "test", "tests")
_INCLUDE = re.compile(r"^\s*(?:-r|--requirement|-c|--constraint)[\s=]+(\S+)")


@dataclass(frozen=True)
class DevSet:
    """What is installed, and why (the marker and `seedbed status` show it)."""

    files: tuple[str, ...] = ()  # handed to the installer with -r
    included: tuple[str, ...] = ()  # every file read, the -r graph included
    skipped: tuple[str, ...] = ()  # production-only files left out
    extras: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    editable: bool = False  # the project itself, `-e .`
    source: str = "convention"  # or "config"
    reasons: tuple[str, ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "files": list(self.files),
            "included": list(self.included),
            "skipped": list(self.skipped),
            "extras": list(self.extras),
            "groups": list(self.groups),
            "editable": self.editable,
            "reasons": list(self.reasons),
        }


def choose(workspace: Workspace, package: bool) -> DevSet:
    config = workspace.config
    configured = [config.get(k) or [] for k in ("requirements", "extras", "dev_groups")]
    if any(configured):
        files, extras, groups = (tuple(str(v) for v in c) for c in configured)
        for name in files:
            where = config.origins.get("requirements", "configuration")
            _confine(workspace, name, where)
        _check_names(workspace, extras, groups)
        return DevSet(
            files=files,
            included=tuple(includes(workspace.root, files)[0]),
            extras=extras if package else (),
            groups=groups,
            editable=package,
            source="config",
            reasons=("set by `requirements`, `extras` or `dev_groups`",),
        )
    if not config["dev"]:
        return _production(workspace, package)
    return _development(workspace, package)


def _production(workspace: Workspace, package: bool) -> DevSet:
    root = workspace.root
    found = next(
        (n for n in ("requirements.txt", *BASE_FILES) if (root / n).is_file()), None
    )
    files = (found,) if found else ()
    for name in files:
        _confine(workspace, name, str(root / name))
    reasons = [f"{found}: the project's requirements (dev = false)"] if found else []
    return DevSet(
        files=files,
        included=tuple(includes(root, files)[0]),
        editable=package,
        reasons=tuple(reasons) or ("dev = false",),
    )


def _development(workspace: Workspace, package: bool) -> DevSet:
    root = workspace.root
    reasons: list[str] = []
    dev = dev_file(root)
    files: list[str] = []
    skipped: list[str] = []
    covered: set[str] = set()
    if dev is not None:
        files.append(dev)
        covered = set(includes(root, [dev])[0])
        reasons.append(f"{dev}: the development set, by convention")
    top = "requirements.txt"
    if (root / top).is_file() and top not in covered:
        targets = _pointer_targets(root, top)
        if dev is None or targets is None:
            files.insert(0, top)
            reasons.insert(0, f"{top}: the project's requirements")
        else:
            for target in targets:
                if target in covered:
                    reasons.append(f"{top} -> {target}: already in {dev}")
                elif _production_only(target):
                    skipped.append(target)
                    reasons.append(
                        f"{top} -> {target}: production-only, left out "
                        f"(the development set is {dev})"
                    )
                else:
                    files.insert(0, target)
                    reasons.append(f"{top} -> {target}: not in {dev}, installed")
    elif dev is None:
        base = next((b for b in BASE_FILES if (root / b).is_file()), None)
        if base:
            files.append(base)
            reasons.append(f"{base}: the project's base requirements")
    for name in files:
        _confine(workspace, name, str(root / name))
    extras = tuple(e for e in DEV_NAMES if e in _extras(workspace)) if package else ()
    if extras:
        reasons.append(
            f"extras {', '.join(extras)}: pyproject.toml "
            "[project.optional-dependencies], by convention"
        )
    groups = tuple(g for g in DEV_NAMES if g in dependency_groups(workspace))
    if groups:
        reasons.append(
            f"groups {', '.join(groups)}: pyproject.toml [dependency-groups], "
            "by convention"
        )
    if package:
        reasons.append("the project itself, editable (-e .)")
    return DevSet(
        files=tuple(files),
        included=tuple(includes(root, files)[0]),
        skipped=tuple(skipped),
        extras=extras,
        groups=groups,
        editable=package,
        reasons=tuple(reasons),
    )


def dev_file(root: Path) -> str | None:
    """The development requirement file by convention, or None."""
    for name in DEV_FILES:
        if (root / name).is_file():
            return name
    folder = root / "requirements"
    if folder.is_dir():
        found = sorted(p.name for p in folder.glob("dev*.txt") if p.is_file())
        if found:
            return f"requirements/{found[0]}"
    return None


def _pointer_targets(root: Path, name: str) -> list[str] | None:
    """The files a requirement file only points at (`-r` lines, comments and
    blanks), or None when it names packages of its own."""
    targets: list[str] = []
    for line in _lines(root / name):
        match = _INCLUDE.match(line)
        if match is None:
            return None
        if line.lstrip().startswith(("-r", "--requirement")):
            targets.append(_join(name, match.group(1)))
    return targets


def _production_only(name: str) -> bool:
    return bool(PRODUCTION.match(Path(name).stem.lower()))


def _lines(path: Path) -> list[str]:
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return []
    found = []
    for line in text.splitlines():
        line = line.split(" #", 1)[0].strip()
        if line and not line.startswith("#"):
            found.append(line)
    return found


def _join(name: str, target: str) -> str:
    joined = Path(name).parent / target
    parts: list[str] = []
    for part in joined.parts:
        if part == ".." and parts and parts[-1] != "..":
            parts.pop()
        elif part != ".":
            parts.append(part)
    return "/".join(parts) or "."


def includes(root: Path, names: Sequence[str]) -> tuple[list[str], list[str]]:
    """(files inside the worktree, includes that lead out of it): the files
    named and every one they pull in with -r/-c."""
    seen: list[str] = []
    outside: list[str] = []
    pending = list(names)
    while pending:
        name = pending.pop()
        if name in seen or name in outside:
            continue
        if not inside(root / name, root):
            outside.append(name)
            continue
        seen.append(name)
        for line in _lines(root / name):
            match = _INCLUDE.match(line)
            if match:
                pending.append(_join(name, match.group(1)))
    return sorted(seen), sorted(outside)


def _confine(workspace: Workspace, name: str, where: str) -> None:
    from seedbed.core.paths import confine

    confine(workspace.root, name, where, "requirements")


def _extras(workspace: Workspace) -> Mapping[str, Any]:
    found = workspace.pyproject.get("project", {}).get("optional-dependencies", {})
    return found if isinstance(found, Mapping) else {}


def dependency_groups(workspace: Workspace) -> Mapping[str, Any]:
    found = workspace.pyproject.get("dependency-groups", {})
    return found if isinstance(found, Mapping) else {}


def _check_names(
    workspace: Workspace, extras: Sequence[str], groups: Sequence[str]
) -> None:
    where = str(workspace.root / "pyproject.toml")
    known = {_normal(g) for g in dependency_groups(workspace)}
    for group in groups:
        if _normal(group) not in known:
            raise ConfigError(
                f"dev_groups: {group!r} is not a group of [dependency-groups] "
                f"in {where}",
                f"use one of: {', '.join(sorted(known)) or 'none defined'}",
                file=where,
                key="dev_groups",
            )
    known = {_normal(e) for e in _extras(workspace)}
    for extra in extras:
        if _normal(extra) not in known:
            raise ConfigError(
                f"extras: {extra!r} is not in [project.optional-dependencies] "
                f"in {where}",
                f"use one of: {', '.join(sorted(known)) or 'none defined'}",
                file=where,
                key="extras",
            )


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def expand_groups(workspace: Workspace, names: Sequence[str]) -> list[str]:
    """The requirement strings of PEP 735 groups, includes followed (for an
    installer without --group); each string checked to be a requirement."""
    from packaging.requirements import InvalidRequirement, Requirement

    where = str(workspace.root / "pyproject.toml")
    groups = {_normal(k): v for k, v in dependency_groups(workspace).items()}
    out: list[str] = []

    def walk(name: str, stack: tuple[str, ...]) -> None:
        key = _normal(name)
        if key in stack:
            chain = " -> ".join((*stack, key))
            raise ConfigError(
                f"{where}: [dependency-groups] include cycle: {chain}",
                "remove the include that loops back",
                file=where,
                key="dependency-groups",
            )
        entries = groups.get(key)
        if not isinstance(entries, list):
            raise ConfigError(
                f"{where}: [dependency-groups] has no list named {name!r}",
                "define the group, or fix the include-group that names it",
                file=where,
                key="dependency-groups",
            )
        for entry in entries:
            if isinstance(entry, Mapping) and "include-group" in entry:
                walk(str(entry["include-group"]), (*stack, key))
                continue
            try:
                text = str(Requirement(str(entry)))
            except InvalidRequirement as exc:
                raise ConfigError(
                    f"{where}: [dependency-groups] {name}: {entry!r} is not a "
                    f"requirement ({exc})",
                    "write a requirement such as 'pytest>=8'",
                    file=where,
                    key="dependency-groups",
                ) from None
            if text not in out:
                out.append(text)

    for name in names:
        walk(name, ())
    return out
