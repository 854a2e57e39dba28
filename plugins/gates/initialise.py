"""`seedbed init`, one small function per concern (issue 8 adds more).

- precommit_config: create or merge `.pre-commit-config.yaml` with seedbed's
  hooks. The user's repos and hooks are kept; a hook id already present is left
  as the user wrote it; running it twice changes nothing. When the file exists,
  the new entry is appended as text (so the user's comments and layout stay)
  and the result is parsed back to prove it equals the intended data; when that
  cannot be done (an unusual layout), the merged data is written whole.
- seedbed_table: `[tool.seedbed]` defaults in pyproject.toml, rendered with
  tomli-w. tomli-w can only write a whole document, and rewriting the user's
  file would drop its comments and formatting, so the table is rendered alone
  and appended, and only when absent; the file is parsed back before it is
  replaced, so a user file that cannot take the table is left untouched.
"""

from __future__ import annotations

import importlib
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomli_w
from seedbed.core.errors import ConfigError
from seedbed.core.files import write_atomic
from seedbed.core.types import ConfigKey
from seedbed.plugins.gates import hookdefs
from seedbed.plugins.gates.settings import SECTION

CONFIG = ".pre-commit-config.yaml"
LOCAL = "local"
HOOK_TYPES = ["pre-commit", "pre-push", "post-checkout"]


@dataclass(frozen=True)
class Change:
    path: str
    action: str  # "created", "updated", "unchanged", "skipped"
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "action": self.action, "detail": self.detail}


def _yaml() -> Any:
    # PyYAML ships without type information; keep it behind Any.
    return importlib.import_module("yaml")


def seedbed_repo(
    stages: Mapping[str, str], repo: str | None, rev: str | None
) -> dict[str, Any]:
    """The `repos:` entry for seedbed: a hook repository, or local hooks."""
    if repo:
        hooks: list[dict[str, Any]] = []
        for hook in hookdefs.definitions():
            gate = hook["id"].removeprefix("seedbed-")
            entry: dict[str, Any] = {"id": hook["id"]}
            if gate in stages:
                entry["stages"] = [stages[gate]]
            hooks.append(entry)
        return {"repo": repo, "rev": rev or "main", "hooks": hooks}
    return {"repo": LOCAL, "hooks": hookdefs.local_definitions(dict(stages))}


def _is_ours(entry: Any, wanted: Mapping[str, Any]) -> bool:
    if not isinstance(entry, dict) or entry.get("repo") != wanted["repo"]:
        return False
    if wanted["repo"] != LOCAL:
        return True
    ids = {h.get("id") for h in entry.get("hooks", []) if isinstance(h, dict)}
    return any(str(i).startswith("seedbed-") for i in ids)


def merged(data: Mapping[str, Any], wanted: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(data)
    repos = [dict(r) if isinstance(r, dict) else r for r in out.get("repos") or []]
    ours = next((r for r in repos if _is_ours(r, wanted)), None)
    if ours is None:
        repos.append(dict(wanted))
    else:
        have = {h.get("id") for h in ours.get("hooks", []) if isinstance(h, dict)}
        missing = [h for h in wanted["hooks"] if h["id"] not in have]
        if missing:
            ours["hooks"] = [*ours.get("hooks", []), *missing]
    out["repos"] = repos
    types = list(out.get("default_install_hook_types") or [])
    out["default_install_hook_types"] = types + [
        t for t in HOOK_TYPES if t not in types
    ]
    return out


def precommit_config(
    root: Path,
    stages: Mapping[str, str],
    repo: str | None = None,
    rev: str | None = None,
) -> Change:
    yaml = _yaml()
    path = root / CONFIG
    text = path.read_text() if path.is_file() else ""
    try:
        data = yaml.safe_load(text) if text.strip() else {}
    except yaml.YAMLError as exc:
        raise ConfigError(
            f"{path}: not valid YAML ({exc})",
            "fix it; nothing was changed",
            file=str(path),
        ) from exc
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping with `repos:`", file=str(path))
    wanted = seedbed_repo(stages, repo, rev)
    target = merged(data, wanted)
    if target == data:
        return Change(str(path), "unchanged", "seedbed hooks already present")
    new_text = _append_text(yaml, text, data, wanted, target)
    if new_text is None:
        new_text = yaml.safe_dump(target, sort_keys=False)
    _write(path, new_text)
    return Change(
        str(path), "updated" if text.strip() else "created", f"repo {wanted['repo']}"
    )


def _append_text(
    yaml: Any, text: str, data: Mapping[str, Any], wanted: Any, target: Any
) -> str | None:
    """The user's text plus our entry, or None when text edits cannot do it."""
    if not text.strip() or "repos" not in data:
        return None
    if any(_is_ours(r, wanted) for r in data.get("repos") or []):
        return None
    indent = next(
        (
            line[: len(line) - len(line.lstrip())]
            for line in text.splitlines()
            if line.lstrip().startswith("- repo:")
        ),
        "",
    )
    block = yaml.safe_dump([dict(wanted)], sort_keys=False)
    body = text if text.endswith("\n") else text + "\n"
    body += "".join(f"{indent}{line}\n" for line in block.splitlines())
    if "default_install_hook_types" not in data:
        flow = ", ".join(HOOK_TYPES)
        body = f"default_install_hook_types: [{flow}]\n" + body
    try:
        return body if yaml.safe_load(body) == target else None
    except yaml.YAMLError:
        return None


def defaults(keys: Iterable[ConfigKey], section: str = SECTION) -> dict[str, Any]:
    return {key.name: key.default for key in keys if key.section == section}


def seedbed_table(root: Path, keys: Iterable[ConfigKey]) -> Change:
    path = root / "pyproject.toml"
    if not path.is_file():
        return Change(str(path), "skipped", "no pyproject.toml: the defaults apply")
    text = path.read_text()
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: malformed TOML: {exc}",
            "fix it; nothing was changed",
            file=str(path),
        ) from exc
    tool = data.get("tool", {})
    current = tool.get("seedbed") if isinstance(tool, dict) else None
    keys = list(keys)
    gates = defaults(keys)
    if current is None:
        table: dict[str, Any] = {"manager": "auto", SECTION: gates}
    elif isinstance(current, dict) and SECTION not in current:
        table = {SECTION: gates}
    else:
        return Change(str(path), "unchanged", "[tool.seedbed] already present")
    rendered = tomli_w.dumps({"tool": {"seedbed": table}})
    new_text = (
        text + ("" if text.endswith("\n") or not text else "\n") + "\n" + rendered
    )
    try:
        parsed = tomllib.loads(new_text)
    except tomllib.TOMLDecodeError:
        parsed = {}
    seedbed = parsed.get("tool", {}).get("seedbed", {})
    if any(seedbed.get(k) != v for k, v in table.items()):
        raise ConfigError(
            f"{path}: cannot append [tool.seedbed] to this file's layout",
            "add the table by hand (see docs/gates.md); nothing was changed",
            file=str(path),
        )
    _write(path, new_text)
    added = "[tool.seedbed]" if current is None else f"[tool.seedbed.{SECTION}]"
    return Change(str(path), "updated", f"added {added} defaults")


def _write(path: Path, text: str) -> None:
    """Atomically, keeping the file's permissions (a new file gets 0644)."""
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    write_atomic(path, text, mode)
