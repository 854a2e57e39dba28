"""`[tool.seedbed.audit]`: the audit gate's settings, with their defaults."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from seedbed.core.types import STAGES, ConfigKey
from seedbed.core.workspace import Workspace

SECTION = "audit"
# The accepted-risks file (read by accept.py). Declared here, so registering the
# keys imports neither the advisory reader nor `packaging`.
DEFAULT_FILE = ".seedbed-audit.toml"
SOURCES = ("offline", "online")

CONFIG_KEYS: tuple[ConfigKey, ...] = (
    ConfigKey(
        "source",
        "str",
        "offline",
        "offline: the local OSV database (`seedbed audit update`); "
        "online: pip-audit asks its vulnerability service",
        section=SECTION,
        choices=SOURCES,
    ),
    ConfigKey(
        "max_age_days",
        "int",
        7,
        "warn when the local advisory database is older than this many days",
        section=SECTION,
        minimum=0,
    ),
    ConfigKey(
        "accept_file",
        "str",
        DEFAULT_FILE,
        "the committed file of accepted advisories (id, reason, expires)",
        section=SECTION,
        path=True,
    ),
    ConfigKey(
        "database",
        "str",
        "",
        "an OSV database inside the worktree (a zip or a folder of OSV JSON "
        "files) to read instead of the downloaded one",
        section=SECTION,
        path=True,
    ),
    # The gates' stage keys live in [tool.seedbed.gates], beside the others.
    ConfigKey(
        "audit_stage",
        "str",
        "pre-push",
        "when the audit gate runs: pre-commit, pre-push or manual",
        section="gates",
        choices=STAGES,
    ),
)

DEFAULTS: dict[str, Any] = {
    k.name: k.default for k in CONFIG_KEYS if k.section == SECTION
}


def read(workspace: Workspace) -> Mapping[str, Any]:
    """The validated section over the defaults (the section is empty when
    the plugin's keys were not registered, as in a bare library call)."""
    return {**DEFAULTS, **workspace.config.section(SECTION)}
