"""The shapes of seedbed's per-worktree state files (`.seedbed/ready.json`,
`.seedbed/last.json`): which keys hold which JSON types.

A branch, a crash or a hand edit can leave any JSON there; readers check the
shape first so a wrong type is one clear error naming the file and key, never
a traceback. Standard library only: the git hook's fast path imports it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Check = Callable[[Any], bool]
# key: (required, check, what is expected)
Shape = Mapping[str, tuple[bool, Check, str]]


def _is(*types: type) -> Check:
    # bool is an int to Python; never a valid number in these files.
    return lambda v: isinstance(v, types) and not isinstance(v, bool)


def _list_of(check: Check) -> Check:
    return lambda v: isinstance(v, list) and all(check(item) for item in v)


_STR, _NUM, _INT = _is(str), _is(int, float), _is(int)


def _opt_int(v: Any) -> bool:
    return v is None or _INT(v)


def _step(v: Any) -> bool:
    return (
        isinstance(v, dict)
        and _STR(v.get("name"))
        and _NUM(v.get("seconds"))
        and _INT(v.get("exit_code"))
    )


def _watch(v: Any) -> bool:
    strings = _list_of(_STR)
    return isinstance(v, dict) and strings(v.get("paths")) and strings(v.get("globs"))


def _strings(v: Any) -> bool:
    return isinstance(v, dict) and all(_STR(x) for x in v.values())


def _python(v: Any) -> bool:
    return isinstance(v, dict) and _STR(v.get("version", ""))


# key: (required, check, what is expected)
READY_SHAPE: Shape = {
    "fingerprint": (True, _STR, "a string"),
    "watch": (True, _watch, "an object with lists of strings 'paths' and 'globs'"),
    "identity": (True, _strings, "an object of strings"),
    "root": (True, _STR, "a string"),
    "env_dir": (True, _STR, "a string"),
    "python_relpath": (True, _STR, "a string"),
    "manager": (False, _STR, "a string"),
    "installer": (False, _STR, "a string"),
    "python": (False, _python, "an object with a string 'version'"),
    "package_count": (False, _opt_int, "an integer or null"),
    "seconds": (False, _NUM, "a number"),
    "finished_at": (False, _NUM, "a number"),
    "steps": (False, _list_of(_step), "a list of steps (name, seconds, exit_code)"),
}
LAST_SHAPE: Shape = {
    "status": (False, _STR, "a string"),
    "error": (False, _STR, "a string"),
    "log": (False, _STR, "a string"),
    "manager": (False, _STR, "a string"),
    "started_at": (False, _NUM, "a number"),
    "finished_at": (False, _NUM, "a number"),
}


def shape_problem(data: Any, shape: Shape) -> str:
    """What is wrong with data against shape (first problem), or ""."""
    if not isinstance(data, dict):
        return f"expected a JSON object, got {type(data).__name__}"
    for key, (required, check, expected) in shape.items():
        if key not in data:
            if required:
                return f"key '{key}' is missing"
            continue
        if not check(data[key]):
            return f"key '{key}': expected {expected}, got {data[key]!r:.60}"
    return ""
