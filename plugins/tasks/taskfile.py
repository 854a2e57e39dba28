"""Reading a task file (a PRP): its title, front matter and validation levels.

The format (docs/tasks.md): optional front matter between `---` lines with
`key: value` pairs (name, timeout, network), a `# Title`, and a heading whose
text contains "Validation". Below it, each subheading is a level ("Level 1:
Syntax & Style", …) and each fenced block marked bash, sh, shell or nothing is
one check of that level, kept in file order. Without subheadings, the whole
section is one level called "Validation". Everything is checked before any
worktree, pod or folder is made: a bad file is a clear error and nothing else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from seedbed.core.errors import EXIT_NOT_FOUND, EXIT_USAGE, SeedbedError
from seedbed.core.paths import path_problem

SHELL_LANGUAGES = frozenset({"", "bash", "sh", "shell", "console"})
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^(\s{0,3})(`{3,}|~{3,})\s*([^`\s]*)[^`]*$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")
FRONT_KEYS = frozenset({"name", "timeout", "network"})


class TaskFileError(SeedbedError):
    """A task file seedbed cannot run; names the file (and line)."""

    def __init__(self, path: Path, message: str, hint: str, line: int = 0) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(
            f"{where}: {message}",
            hint + "; nothing was created",
            EXIT_USAGE,
            {"file": str(path), **({"line": line} if line else {})},
        )


@dataclass(frozen=True)
class Level:
    name: str
    commands: tuple[str, ...]


@dataclass(frozen=True)
class TaskFile:
    path: Path
    name: str  # the results/<name>/ folder and the branch's stem
    title: str
    text: str
    levels: tuple[Level, ...]
    timeout: float | None = None
    network: bool | None = None
    front: dict[str, str] = field(default_factory=dict)


def load(path: Path) -> TaskFile:
    """The task file at path, fully checked, or TaskFileError / not found."""
    if not path.is_file():
        raise SeedbedError(
            f"{path}: no such task file",
            "give the path of a markdown task file (PRP); nothing was created",
            EXIT_NOT_FOUND,
            {"file": str(path)},
        )
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TaskFileError(
            path, f"cannot read it ({exc})", "save it as UTF-8"
        ) from exc
    return parse(path, text)


def parse(path: Path, text: str) -> TaskFile:
    lines = text.splitlines()
    front, body_start = _front_matter(path, lines)
    name = front.get("name") or path.stem
    check_name(path, name)
    timeout = _timeout(path, front.get("timeout"))
    network = _flag(path, "network", front.get("network"))
    title = ""
    levels = _levels(path, lines, body_start)
    for line in lines[body_start:]:
        match = _HEADING.match(line)
        if match and len(match.group(1)) == 1:
            title = match.group(2)
            break
    return TaskFile(
        path=path,
        name=name,
        title=title or name,
        text=text,
        levels=levels,
        timeout=timeout,
        network=network,
        front=front,
    )


def check_name(path: Path, name: str) -> str:
    """A task name stays one plain folder below results/ (and a branch part)."""
    problem = path_problem(name)
    if problem or not _NAME.match(name):
        reason = problem or "is not letters, digits, '.', '_' or '-'"
        raise TaskFileError(
            path,
            f"task name {name!r} {reason}: it must stay inside results/",
            "rename the file or set `name: my-task` in its front matter",
        )
    return name


def _front_matter(path: Path, lines: list[str]) -> tuple[dict[str, str], int]:
    if not lines or lines[0].strip() != "---":
        return {}, 0
    front: dict[str, str] = {}
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() in ("---", "..."):
            return front, number
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        key = key.strip().lower()
        if not sep or key not in FRONT_KEYS:
            raise TaskFileError(
                path,
                f"front matter line {line!r} is not one of"
                f" {', '.join(sorted(FRONT_KEYS))}: VALUE",
                "fix the line or remove it",
                number,
            )
        front[key] = value.strip().strip("\"'")
    raise TaskFileError(
        path, "front matter is not closed", "end it with a line `---`", 1
    )


def _timeout(path: Path, value: str | None) -> float | None:
    if value is None or value == "":
        return None
    match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*([smh]?)", value.strip().lower())
    if not match or float(match.group(1)) <= 0:
        raise TaskFileError(
            path,
            f"timeout {value!r} is not a duration",
            "write seconds, or a number with s, m or h: `timeout: 10m`",
        )
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def _flag(path: Path, key: str, value: str | None) -> bool | None:
    if value is None or value == "":
        return None
    lowered = value.lower()
    if lowered in ("true", "yes", "on", "1"):
        return True
    if lowered in ("false", "no", "off", "0"):
        return False
    raise TaskFileError(path, f"{key} {value!r} is not true or false", "write true")


def _levels(path: Path, lines: list[str], start: int) -> tuple[Level, ...]:
    """The Validation section's levels, in order; a malformed fence anywhere in
    the file is an error (it would swallow the headings after it)."""
    section_depth = 0  # 0: not inside the Validation section
    levels: list[tuple[str, list[str]]] = []
    fence: tuple[str, str, int, list[str]] | None = None  # marker, lang, line, body
    for number, line in enumerate(lines[start:], start=start + 1):
        if fence is not None:
            marker, language, _opened, body = fence
            stripped = line.strip()
            if stripped.startswith(marker[0] * len(marker)) and not stripped.strip(
                marker[0]
            ):
                if section_depth and language in SHELL_LANGUAGES:
                    command = "\n".join(body).strip()
                    if command:
                        if not levels:
                            levels.append(("Validation", []))
                        levels[-1][1].append(command)
                fence = None
            else:
                body.append(line)
            continue
        opening = _FENCE.match(line)
        if opening:
            fence = (opening.group(2), opening.group(3).lower(), number, [])
            continue
        heading = _HEADING.match(line)
        if not heading:
            continue
        depth, text = len(heading.group(1)), heading.group(2)
        if section_depth and depth <= section_depth:
            section_depth = 0  # the section ended
        if not section_depth and "validation" in text.lower() and not levels:
            section_depth = depth
        elif section_depth:
            levels.append((text, []))
    if fence is not None:
        raise TaskFileError(
            path,
            f"the code fence opened here ({fence[0]}) is never closed",
            f"close it with a line {fence[0]}",
            fence[2],
        )
    found = tuple(Level(name, tuple(cmds)) for name, cmds in levels if cmds)
    if not found:
        raise TaskFileError(
            path,
            "no validation commands: expected a heading named like 'Validation'"
            " with fenced ```bash blocks below it",
            "add a `## Validation` section (see docs/tasks.md)",
        )
    return found
