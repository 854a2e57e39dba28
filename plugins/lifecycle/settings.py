"""The lifecycle section of the configuration: where `seedbed new` puts a
worktree. Standard library only: the config keys load with every setup."""

from __future__ import annotations

import os
import re
import string
from pathlib import Path

from seedbed.core.errors import ConfigError
from seedbed.core.types import ConfigKey

SECTION = "lifecycle"
DEFAULT_TEMPLATE = "../{repo}-{branch}"
FIELDS = ("repo", "branch")
CONFIG_KEYS = (
    ConfigKey(
        "worktree_path",
        "str",
        DEFAULT_TEMPLATE,
        "where `seedbed new` puts a worktree: a template with {repo} and {branch} "
        "(sanitised), relative to the main worktree",
        SECTION,
    ),
)


def sanitise(branch: str) -> str:
    """A branch name as a folder name: `feat/login` → `feat-login`."""
    return re.sub(r"[^A-Za-z0-9._-]+", "-", branch).strip("-.") or "worktree"


def render(template: str, repo: str, branch: str, main: Path) -> Path:
    """The worktree path the template gives (absolute, normalised)."""
    key = f"{SECTION}.worktree_path"
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    except ValueError as exc:
        raise ConfigError(
            f"{key}: {exc} in {template!r}", "use {repo} and {branch}", key=key
        ) from None
    unknown = sorted(names - set(FIELDS))
    if unknown:
        raise ConfigError(
            f"{key}: unknown field {{{unknown[0]}}} in {template!r}",
            "the fields are {repo} and {branch}",
            key=key,
        )
    text = template.format(repo=repo, branch=sanitise(branch))
    path = Path(text).expanduser()
    return Path(os.path.normpath(path if path.is_absolute() else main / path))
