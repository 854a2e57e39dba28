"""Which seedbed configuration a checkout may act on without asking.

A branch is untrusted input: its `.seedbed.toml`, `[tool.seedbed]` and
`.worktreeinclude` decide what a setup runs and copies. As with `direnv allow`
and `mise trust`, the git hook acts only on a configuration whose digest the
user has trusted (`seedbed hooks install`, `seedbed trust`); anything else is
one line on stderr and nothing is run. A worktree with none of these files uses
seedbed's defaults and needs no trust.

The digest is sha256 over canonical JSON of the parsed tables and the
`.worktreeinclude` text, so formatting and comments in TOML do not matter and
the rest of pyproject.toml (dependencies) never does. Records live in
`<common git dir>/seedbed/trust.json`, where no branch can write.

Import-light on purpose (standard library, core.errors, core.files): the hook
computes the digest on every checkout that has work to do.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seedbed.core.errors import ConfigError
from seedbed.core.files import locked, write_atomic

PYPROJECT = "pyproject.toml [tool.seedbed]"
LOCAL = ".seedbed.toml"
INCLUDE = ".worktreeinclude"
STORE = "trust.json"
LOCK = "trust.lock"
KEEP = 500  # records kept; older digests must be trusted again
VERSION = 1


@dataclass(frozen=True)
class Snapshot:
    """The seedbed configuration of one worktree as a checkout would act on it."""

    root: Path
    parts: Mapping[str, Any]  # label -> parsed TOML table, or .worktreeinclude text
    digest: str

    @property
    def files(self) -> list[str]:
        return [label for label in (PYPROJECT, LOCAL, INCLUDE) if label in self.parts]

    @property
    def implicit(self) -> bool:
        """No configuration at all: seedbed's defaults, trusted without asking."""
        return not self.parts


@dataclass(frozen=True)
class Store:
    """trust.json as read: its records (oldest first), or why it is unusable."""

    path: Path
    records: list[dict[str, Any]] = field(default_factory=list)
    problem: str = ""

    def trusts(self, digest: str) -> bool:
        return any(r.get("digest") == digest for r in self.records)

    def latest(self) -> dict[str, Any] | None:
        return self.records[-1] if self.records else None


# --- reading a worktree's configuration ------------------------------------


def _toml(path: Path) -> dict[str, Any]:
    # Imported here: the hook's trust check runs before anything heavier loads.
    from seedbed.core.config import read_toml

    return read_toml(path)


def read_parts(root: Path) -> dict[str, Any]:
    """What the config loader and .worktreeinclude would read, by label."""
    parts: dict[str, Any] = {}
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        tool = _toml(pyproject).get("tool", {})
        table = tool.get("seedbed") if isinstance(tool, dict) else None
        if table is not None:
            if not isinstance(table, dict):
                where = f"{pyproject} [tool.seedbed]"
                raise ConfigError(f"{where}: expected a table", file=where)
            parts[PYPROJECT] = table
    local = root / LOCAL
    if local.is_file():
        parts[LOCAL] = _toml(local)
    include = root / INCLUDE
    if include.is_symlink():  # never read through: its lines would be kept
        parts[INCLUDE] = f"symlink -> {os.readlink(include)}"
    elif include.is_file():
        try:
            parts[INCLUDE] = include.read_bytes().decode("utf-8", "replace")
        except OSError as exc:
            raise ConfigError(
                f"{include}: unreadable: {exc.strerror}", file=str(include)
            ) from exc
    return parts


def _canonical(value: Any) -> str:
    # TOML dates and times are the only non-JSON values; isoformat is exact.
    return json.dumps(
        value,
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=False,
        default=lambda v: v.isoformat(),
    )


def snapshot(root: Path) -> Snapshot:
    """Raises ConfigError (naming the file) when a file cannot be parsed."""
    parts = read_parts(root)
    payload = _canonical({"version": VERSION, "parts": parts})
    return Snapshot(root, parts, hashlib.sha256(payload.encode()).hexdigest())


def _flatten(table: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    """Dotted keys down to the first value that is not a table."""
    flat: dict[str, Any] = {}
    for key, value in table.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and value:
            flat.update(_flatten(value, name + "."))
        else:
            flat[name] = value
    return flat


def _include_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def summary(snap: Snapshot) -> list[dict[str, Any]]:
    """Small enough to keep: per file, each key with a short hash of its value
    (enough to tell a change, without copying values), or the include lines."""
    files: list[dict[str, Any]] = []
    for label in snap.files:
        part = snap.parts[label]
        if label == INCLUDE:
            files.append({"file": label, "lines": _include_lines(part)})
            continue
        keys = {
            key: hashlib.sha256(_canonical(value).encode()).hexdigest()[:12]
            for key, value in sorted(_flatten(part).items())
        }
        files.append({"file": label, "keys": keys})
    return files


def changes(snap: Snapshot, previous: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """What differs from a trusted record: keys added, removed or changed per
    file, and .worktreeinclude lines added or removed. Nothing trusted yet
    compares with no configuration at all."""
    before = {f.get("file"): f for f in (previous or {}).get("files", [])}
    out: list[dict[str, Any]] = []
    for now in summary(snap):
        label = now["file"]
        old = before.pop(label, {})
        if label == INCLUDE:
            out += _line_changes(label, old.get("lines", []), now["lines"])
        else:
            current = _flatten(snap.parts[label])
            out += _key_changes(label, old.get("keys", {}), now["keys"], current)
    for label, old in before.items():  # a file the trusted config had, gone now
        if label == INCLUDE:
            out += _line_changes(str(label), old.get("lines", []), [])
        else:
            out += _key_changes(str(label), old.get("keys", {}), {}, {})
    return out


def _key_changes(
    label: str,
    old: Mapping[str, str],
    new: Mapping[str, str],
    values: Mapping[str, Any],
) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for key in sorted(set(old) | set(new)):
        if key not in old:
            change = "added"
        elif key not in new:
            out.append({"file": label, "change": "removed", "key": key})
            continue
        elif old[key] != new[key]:
            change = "changed"
        else:
            continue
        out.append({"file": label, "change": change, "key": key, "value": values[key]})
    return out


def _line_changes(label: str, old: list[str], new: list[str]) -> list[dict[str, Any]]:
    gone = [x for x in old if x not in new]
    came = [x for x in new if x not in old]
    return [{"file": label, "change": "removed", "line": x} for x in gone] + [
        {"file": label, "change": "added", "line": x} for x in came
    ]


def describe(change: Mapping[str, Any]) -> str:
    """One readable line for a change."""
    if "line" in change:
        return f"{change['file']}: {change['change']} line: {change['line']}"
    text = f"{change['file']}: {change['change']} {change['key']}"
    if "value" in change:
        text += f" = {_canonical(change['value'])}"
    return text


# --- the store -------------------------------------------------------------


def store_path(common_dir: Path) -> Path:
    return common_dir / "seedbed" / STORE


def read_store(common_dir: Path) -> Store:
    """Never raises: a damaged file trusts nothing and says why."""
    path = store_path(common_dir)
    try:
        data = json.loads(path.read_bytes())
    except FileNotFoundError:
        return Store(path)
    except (OSError, ValueError) as exc:
        return Store(path, problem=f"{path}: damaged ({exc.__class__.__name__})")
    records = data.get("records") if isinstance(data, dict) else None
    if not isinstance(records, list) or not all(
        isinstance(r, dict) and isinstance(r.get("digest"), str) for r in records
    ):
        return Store(path, problem=f"{path}: damaged (not a list of trust records)")
    return Store(path, records)


def _locked(common_dir: Path) -> contextlib.AbstractContextManager[None]:
    # flock, so the kernel releases it when a holder dies.
    return locked(store_path(common_dir).parent / LOCK)


def _write(path: Path, data: Mapping[str, Any]) -> None:
    text = json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    write_atomic(path, text)  # 0600, as mkstemp makes it


@dataclass(frozen=True)
class Recorded:
    record: dict[str, Any]
    moved_aside: str  # where a damaged trust.json went, or ""


def record(common_dir: Path, snap: Snapshot, how: str) -> Recorded:
    """Trust snap's digest: one record, the newest, under the lock. A damaged
    store is moved aside (kept for a look) and a new one started."""
    from datetime import datetime

    entry = {
        "digest": snap.digest,
        "when": datetime.now().astimezone().isoformat(timespec="seconds"),
        "how": how,
        "worktree": str(snap.root),
        "files": summary(snap),
    }
    with _locked(common_dir):
        store = read_store(common_dir)
        moved = ""
        if store.problem:
            moved = f"{store.path}.damaged"
            os.replace(store.path, moved)
        kept = [r for r in store.records if r.get("digest") != snap.digest]
        kept = [*kept, entry][-KEEP:]
        _write(store.path, {"version": VERSION, "records": kept})
    return Recorded(entry, moved)


# --- what the hook and manual commands ask -----------------------------------


@dataclass(frozen=True)
class Verdict:
    trusted: bool
    line: str  # one line for stderr when not trusted, else ""


def _named(snap: Snapshot, store: Store) -> str:
    """The files that differ from the last trusted configuration (all, if none)."""
    changed = {c["file"] for c in changes(snap, store.latest())}
    return ", ".join([f for f in snap.files if f in changed] or snap.files)


def check(root: Path, common_dir: Path) -> Verdict:
    """Whether a git hook may act on this worktree's configuration."""
    try:
        snap = snapshot(root)
    except ConfigError as exc:
        return Verdict(
            False,
            f"seedbed: {exc.message}; nothing was run. Fix it, then run: seedbed trust",
        )
    if snap.implicit:
        return Verdict(True, "")
    store = read_store(common_dir)
    if store.trusts(snap.digest):
        return Verdict(True, "")
    why = f" ({store.problem}: nothing is trusted)" if store.problem else ""
    return Verdict(
        False,
        f"seedbed: this checkout's seedbed configuration ({_named(snap, store)}) "
        f"is not trusted{why}; nothing was run. Review it, then run: seedbed trust",
    )


def untrusted_note(root: Path, common_dir: Path) -> str | None:
    """For manual commands, which act anyway (running them is consent): one
    line saying the hooks would not have, or None."""
    try:
        snap = snapshot(root)
    except ConfigError:  # the command itself reports it, naming the file
        return None
    if snap.implicit or read_store(common_dir).trusts(snap.digest):
        return None
    return (
        "seedbed: note: this worktree's seedbed configuration is not trusted, so "
        "git hooks will not act on it; `seedbed trust` reviews and records it"
    )
