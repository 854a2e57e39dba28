"""Agent adapters: the setup entries coding-agent tools read when they make a
worktree, each only calling `seedbed setup`, so worktrees those tools create
(with git hooks bypassed or not installed) are prepared all the same.

- .cursor/worktrees.json (Cursor): `seedbed setup` in setup-worktree[-unix]
- conductor.json (Conductor): scripts.setup
- .codex/environments/environment.toml (Codex app): [setup] script
- .claude/settings.json (Claude Code): a SessionStart hook, matcher "startup"
- .worktreeinclude (Claude Code, Conductor, Codex): comments only; an existing
  one that would copy the environment into new worktrees is reported

Formats and sources: docs/editors.md. Existing files are merged: seedbed's entry
is added next to the user's; a setup the user wrote as one script (a string,
not a list) is left alone and reported, since seedbed cannot edit a script.
Used by `seedbed init --agents` (plugins/gates/commands.py).
"""

from __future__ import annotations

import json
import re
import tomllib
from typing import TYPE_CHECKING, Any

from seedbed.plugins.editors import jsonc
from seedbed.plugins.editors.files import Written, leads_out, read, save

if TYPE_CHECKING:
    from pathlib import Path

    from seedbed.core.workspace import Workspace

COMMAND = "seedbed setup"
CURSOR = ".cursor/worktrees.json"
CONDUCTOR = "conductor.json"
CODEX = ".codex/environments/environment.toml"
CLAUDE = ".claude/settings.json"
WORKTREEINCLUDE = ".worktreeinclude"
# Claude Code runs hooks from the session's directory; CLAUDE_PROJECT_DIR is the
# worktree the session works in.
CLAUDE_COMMAND = f'cd "$CLAUDE_PROJECT_DIR" && {COMMAND}'
CLAUDE_TIMEOUT = 600  # seconds: a cold install can take minutes

WORKTREEINCLUDE_TEXT = """\
# Files git ignores that seedbed and agent tools (Claude Code, Conductor, Codex)
# copy into each new worktree, in .gitignore syntax: local secrets, settings.
# seedbed makes every worktree's own environment (@ENV_DIR@/), its state
# (.seedbed/) and its block of .env: never list @ENV_DIR@ or .seedbed here; a
# copied environment keeps the other worktree's paths and breaks.
"""


def _mentions_setup(value: Any) -> bool:
    return isinstance(value, str) and COMMAND in value


def _dump(data: Any) -> str:
    return json.dumps(data, indent=2) + "\n"


def _left_alone(path: Path, what: str) -> Written:
    return Written(path, "skipped", note=f"{what}; add `{COMMAND}` to it yourself")


def cursor(root: Path) -> Written:
    """setup-worktree-unix takes precedence over setup-worktree on Linux and
    macOS, so seedbed's command goes where Cursor will run it."""
    path = root / CURSOR
    old = read(path)
    if old is None:
        return save(path, None, _dump({"setup-worktree": [COMMAND]}))
    node = jsonc.parse(old)
    key = "setup-worktree-unix" if node.get("setup-worktree-unix") else "setup-worktree"
    target = node.get(key)
    if target is None:
        return save(path, old, jsonc.add_members(old, node, [(key, [COMMAND])]))
    if target.kind != "array":
        return _left_alone(path, f"{key} runs a script file")
    if any(_mentions_setup(item.value) for item in target.items):
        return Written(path, "unchanged")
    return save(path, old, jsonc.add_items(old, target, [COMMAND]))


def conductor(root: Path) -> Written:
    path = root / CONDUCTOR
    old = read(path)
    if old is None:
        return save(path, None, _dump({"scripts": {"setup": COMMAND}}))
    node = jsonc.parse(old)
    scripts = node.get("scripts")
    if scripts is None:
        new = jsonc.add_members(old, node, [("scripts", {"setup": COMMAND})])
        return save(path, old, new)
    if scripts.kind != "object":
        return _left_alone(path, '"scripts" is not an object')
    setup = scripts.get("setup")
    if setup is None:
        return save(path, old, jsonc.add_members(old, scripts, [("setup", COMMAND)]))
    if _mentions_setup(setup.value):
        return Written(path, "unchanged")
    return _left_alone(path, "scripts.setup is your own script")


def codex(root: Path, name: str) -> Written:
    """The Codex app writes this file itself (version, name, [setup] script,
    [[actions]]); an empty setup script is filled in place, line by line, so the
    rest of the file stays as the app wrote it."""
    import tomli_w

    path = root / CODEX
    old = read(path)
    if old is None:
        data = {"version": 1, "name": name, "setup": {"script": COMMAND}}
        return save(path, None, tomli_w.dumps(data))
    parsed = tomllib.loads(old)
    script = parsed.get("setup", {}).get("script")
    if _mentions_setup(script):
        return Written(path, "unchanged")
    if script not in (None, ""):
        return _left_alone(path, "[setup] script is your own script")
    lines = old.splitlines(keepends=True)
    try:
        header = next(i for i, ln in enumerate(lines) if ln.strip() == "[setup]")
    except StopIteration:
        tail = "" if old.endswith("\n") else "\n"
        new = old + tail + "\n" + tomli_w.dumps({"setup": {"script": COMMAND}})
        return save(path, old, new)
    for index in range(header + 1, len(lines)):
        line = lines[index]
        if line.lstrip().startswith("["):
            break
        if re.match(r"\s*script\s*=", line):
            lines[index] = f"script = {json.dumps(COMMAND)}\n"
            return save(path, old, "".join(lines))
    lines.insert(header + 1, f"script = {json.dumps(COMMAND)}\n")
    return save(path, old, "".join(lines))


def claude(root: Path) -> Written:
    """A SessionStart hook (matcher "startup") running `seedbed setup` in the
    session's worktree. WorktreeCreate is not used: a hook for that event
    replaces git's own worktree creation, and seedbed does not create worktrees;
    a worktree Claude Code makes with git gets its environment from seedbed's git
    hook, and this hook covers the cases where that hook did not run."""
    path = root / CLAUDE
    entry = {
        "matcher": "startup",
        "hooks": [
            {"type": "command", "command": CLAUDE_COMMAND, "timeout": CLAUDE_TIMEOUT}
        ],
    }
    old = read(path)
    if old is None:
        return save(path, None, _dump({"hooks": {"SessionStart": [entry]}}))
    node = jsonc.parse(old)
    hooks = node.get("hooks")
    if hooks is None:
        new = jsonc.add_members(old, node, [("hooks", {"SessionStart": [entry]})])
        return save(path, old, new)
    if hooks.kind != "object":
        return _left_alone(path, '"hooks" is not an object')
    session = hooks.get("SessionStart")
    if session is None:
        return save(
            path, old, jsonc.add_members(old, hooks, [("SessionStart", [entry])])
        )
    if session.kind != "array":
        return _left_alone(path, '"hooks.SessionStart" is not a list')
    if COMMAND in json.dumps(session.python()):
        return Written(path, "unchanged")
    return save(path, old, jsonc.add_items(old, session, [entry]))


def worktreeinclude(root: Path, env_dir: str) -> Written:
    """Created with comments only; an existing file that would copy the
    environment or seedbed's state into new worktrees is reported."""
    path = root / WORKTREEINCLUDE
    old = read(path)
    if old is None:
        return save(path, None, WORKTREEINCLUDE_TEXT.replace("@ENV_DIR@", env_dir))
    forbidden = {env_dir.strip("/"), ".seedbed"}
    for line in old.splitlines():
        pattern = line.strip().strip("/")
        if pattern and not pattern.startswith("#") and pattern in forbidden:
            return Written(
                path,
                "skipped",
                note=f"lists {line.strip()}: remove it, seedbed makes it per worktree",
            )
    return Written(path, "unchanged")


def write_agent_files(workspace: Workspace) -> list[Written]:
    """Write or merge every adapter at the worktree root; one record each.

    Invalid JSON or TOML in a user's file is reported (status "skipped") and
    the file is left as it is.
    """
    root = workspace.root
    env_dir = str(workspace.config.get("env_dir", ".venv")).strip("/") or ".venv"
    steps: list[tuple[str, Any]] = [
        (WORKTREEINCLUDE, lambda: worktreeinclude(root, env_dir)),
        (CURSOR, lambda: cursor(root)),
        (CONDUCTOR, lambda: conductor(root)),
        (CODEX, lambda: codex(root, workspace.facts.repository)),
        (CLAUDE, lambda: claude(root)),
    ]
    written = []
    for relative, write in steps:
        refused = leads_out(root, relative)
        if refused is not None:
            written.append(refused)
            continue
        try:
            written.append(write())
        except (jsonc.JsoncError, tomllib.TOMLDecodeError) as exc:
            written.append(
                Written(root / relative, "skipped", note=f"cannot be read: {exc}")
            )
    return written
