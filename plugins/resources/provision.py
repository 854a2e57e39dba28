"""A worktree's resources, made all or nothing: port block, database, `.env`.

Resources are provisioned when a framework is detected (`provision = "auto"`),
always, or never. What one call made is undone when a later part fails, so a
refused server leaves no port block and no half-written file behind.

One truth per worktree: the variables are computed from their inputs (detection,
settings, `.flaskenv`, the project's database) every time; `seedbed run`,
`serve`, `test` and the framework steps get them, and `.env`'s block is
rewritten whenever it no longer says the same (`refresh`, run with the run
environment). A key the user sets in `.env` outside seedbed's block wins: it is
left out of the block and its value is what seedbed's commands export. A `.env`
tracked by git is never written: the values reach only the processes seedbed
starts, and `.seedbed/resources.json` (and the setup's stderr) says so.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seedbed.core import files, state
from seedbed.core.discovery import Found
from seedbed.core.errors import SeedbedError
from seedbed.core.types import Step
from seedbed.plugins.resources import database, dotenv, migrated, ports
from seedbed.plugins.resources.settings import Settings, resolve, wanted

if TYPE_CHECKING:
    from seedbed.core.workspace import Workspace

STATE = "resources.json"


def resolved(
    workspace: Workspace, config: Settings, found: Sequence[Found]
) -> Settings:
    """config with database = "auto" answered from the project (once)."""
    if config.mode == "auto" and config.expected is None:
        return resolve(workspace, config, found)
    return config


def base_env(
    workspace: Workspace, config: Settings, found: Sequence[Found]
) -> dict[str, str]:
    """Everything but the port: known before anything is allocated."""
    config = resolved(workspace, config, found)
    values: dict[str, str] = {"DEBUG": "1" if config.debug else "0"}
    if config.database is not None:
        values["DATABASE_URL"] = config.database.url
        values["TEST_DB_NAME"] = config.database.test_name
    for item in found:
        values.update(item.framework.env(workspace, item.detection))
    return values


def port_env(block: ports.Block) -> dict[str, str]:
    return {"PORT": str(block.start), "SEEDBED_PORTS": block.label}


def user_values(workspace: Workspace) -> dict[str, str]:
    """The user's own lines of `.env` (outside seedbed's block)."""
    try:
        return dotenv.user_values(workspace.root / ".env")
    except (OSError, SeedbedError):
        return {}


def run_env(
    workspace: Workspace, config: Settings, found: Sequence[Found]
) -> dict[str, str]:
    """The variables for commands run in the worktree; {} when not provisioned.
    The user's own `.env` lines win; a stale block is rewritten (`refresh`)."""
    if not wanted(config, found):
        return {}
    config = resolved(workspace, config, found)
    values = base_env(workspace, config, found)
    block = ports.Registry().get(workspace.root)
    if block is not None:
        values.update(port_env(block))
        refresh(workspace, values)
    values.update({k: v for k, v in user_values(workspace).items() if k in values})
    if config.password:  # libpq reads it; .env never holds it
        values["PGPASSWORD"] = config.password
    return values


def refresh(workspace: Workspace, values: Mapping[str, str]) -> bool:
    """Rewrite `.env`'s block when it no longer says what values say (the
    worktree was provisioned into `.env` before); True when it changed."""
    recorded = read_state(workspace.root)
    if recorded.get("env_file") != ".env":
        return False
    try:
        return write_env(workspace, values)[0]
    except Exception:  # never let `seedbed run` fail on a rewrite
        return False


def write_env(
    workspace: Workspace, values: Mapping[str, str]
) -> tuple[bool, list[str]]:
    """seedbed's block without the keys the user sets himself; (changed, kept)."""
    own = user_values(workspace)
    kept = sorted(key for key in values if key in own)
    block = {k: v for k, v in values.items() if k not in own}
    return dotenv.write(workspace.root / ".env", block), kept


@dataclass(frozen=True)
class Provisioned:
    block: ports.Block
    database: database.Database | None
    values: Mapping[str, str]


def provision(
    workspace: Workspace, config: Settings, found: Sequence[Found]
) -> Provisioned:
    """Allocate the port block, create the database, write `.env`; idempotent."""
    config = resolved(workspace, config, found)
    tracked = _tracked_env(workspace)
    registry = ports.Registry()
    block, new_block = registry.allocate(
        workspace.root,
        config.port_range,
        config.port_block,
        workspace.facts.repository,
        workspace.common_dir,
    )
    created = False
    cloned = ""
    try:
        target = config.database
        if target is not None:
            created = database.create(target, config.template)
            if created and not config.template:
                cloned = migrated.clone_from_sibling(workspace, target)
        elif config.reported is not None and not database.exists(config.reported):
            # the app's own file, made here by its migrations: kept out of git
            own = Path(config.reported.name)
            if workspace.root in own.parents:
                relative = own.relative_to(workspace.root).as_posix()
                files.exclude(workspace.common_dir, [f"/{relative}"])
            cloned = migrated.clone_from_sibling(workspace, config.reported)
        shown = target or config.reported
        if shown is not None:
            database.Records(workspace.common_dir).add(workspace.root, shown)
        values = {**base_env(workspace, config, found), **port_env(block)}
        kept: list[str] = []
        if not tracked:
            files.exclude(workspace.common_dir, ["/.env"])
            _, kept = write_env(workspace, values)
    except BaseException:
        if created and config.database is not None:
            database.drop(config.database)
            database.Records(workspace.common_dir).remove(str(workspace.root))
        if new_block:
            registry.release(workspace.root)
        raise
    _save_state(workspace, config, values, tracked, kept, cloned)
    return Provisioned(block, config.database, values)


def _save_state(
    workspace: Workspace,
    config: Settings,
    values: Mapping[str, str],
    tracked: bool,
    kept: list[str],
    cloned: str,
) -> None:
    """`.seedbed/resources.json`: where the variables went and which database
    the app uses, for `status` and for `refresh`."""
    shown = config.database or config.reported
    expected = config.expected
    info: dict[str, Any] = {
        "env_file": "" if tracked else ".env",
        "env_note": (
            ".env is tracked by git: not modified; the variables are given to "
            "the processes seedbed runs (run, serve, test, framework steps)"
            if tracked
            else ""
        ),
        "variables": sorted(values),
        "kept_user_values": kept,
        "database": shown.as_dict() if shown else None,
        "database_evidence": list(expected.evidence) if expected else [],
        "cloned_from": cloned,
    }
    if shown is not None and shown.server is None:
        info["database"]["url"] = ""  # a path is not a secret, but not a URL either
    previous = read_state(workspace.root)
    files.exclude(workspace.common_dir, ["/.seedbed/"])
    # Not durable: read_state takes a damaged file as none; setup rewrites it.
    files.write_json_atomic(
        state.state_dir(workspace.root) / STATE, info, durable=False
    )
    if tracked and previous.get("env_file") != "":
        print(f"seedbed: {workspace.root.name}: {info['env_note']}", file=sys.stderr)


def read_state(root: Path) -> dict[str, Any]:
    try:
        data = json.loads((state.state_dir(root) / STATE).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def step(workspace: Workspace, config: Settings, found: Sequence[Found]) -> Step:
    """The in-process setup step "resources", run before the frameworks' own."""

    def action() -> None:
        provision(workspace, config, found)

    return Step("resources", action=action)


def record_step(workspace: Workspace, config: Settings) -> Step:
    """After the migrations: this worktree's database is a donor for the next."""
    shown = config.database or config.reported

    def action() -> None:
        if shown is not None and database.exists(shown):
            migrated.record(workspace, shown)

    return Step("resources: record migrations", action=action)


def _tracked_env(workspace: Workspace) -> bool:
    from seedbed.core import runner  # only when provisioning: start-up stays light

    result = runner.run_argv(
        "git ls-files",
        ["git", "ls-files", "--error-unmatch", "--", ".env"],
        cwd=workspace.root,
        timeout=30,
    )
    return result.ok
