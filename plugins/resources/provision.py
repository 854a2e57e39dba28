"""A worktree's resources, made all or nothing: port block, database, `.env`.

Resources are provisioned when a framework is detected (`provision = "auto"`),
always, or never. What one call made is undone when a later part fails, so a
refused server leaves no port block and no half-written file behind.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from seedbed.core import files
from seedbed.core.errors import SetupError
from seedbed.core.types import Step
from seedbed.plugins.frameworks.base import Found
from seedbed.plugins.resources import database, dotenv, ports
from seedbed.plugins.resources.settings import Settings

if TYPE_CHECKING:
    from seedbed.core.workspace import Workspace


def wanted(config: Settings, found: Sequence[Found]) -> bool:
    if config.provision == "never":
        return False
    return config.provision == "always" or bool(found)


def base_env(
    workspace: Workspace, config: Settings, found: Sequence[Found]
) -> dict[str, str]:
    """Everything but the port: known before anything is allocated."""
    values: dict[str, str] = {"DEBUG": "1" if config.debug else "0"}
    if config.database is not None:
        values["DATABASE_URL"] = config.database.url
        values["TEST_DB_NAME"] = config.database.test_name
    for item in found:
        values.update(item.framework.env(workspace, item.detection))
    return values


def port_env(block: ports.Block) -> dict[str, str]:
    return {"PORT": str(block.start), "SEEDBED_PORTS": block.label}


def run_env(
    workspace: Workspace, config: Settings, found: Sequence[Found]
) -> dict[str, str]:
    """The variables for commands run in the worktree; {} when not provisioned."""
    if not wanted(config, found):
        return {}
    values = base_env(workspace, config, found)
    block = ports.Registry().get(workspace.root)
    if block is not None:
        values.update(port_env(block))
    if config.password:  # libpq reads it; .env never holds it
        values["PGPASSWORD"] = config.password
    return values


@dataclass(frozen=True)
class Provisioned:
    block: ports.Block
    database: database.Database | None
    values: Mapping[str, str]


def provision(
    workspace: Workspace, config: Settings, found: Sequence[Found]
) -> Provisioned:
    """Allocate the port block, create the database, write `.env`; idempotent."""
    _refuse_tracked_env(workspace)
    registry = ports.Registry()
    block, new_block = registry.allocate(
        workspace.root,
        config.port_range,
        config.port_block,
        workspace.facts.repository,
        workspace.common_dir,
    )
    created = False
    try:
        if config.database is not None:
            created = database.create(config.database, config.template)
            if config.database.server is not None:
                database.Records(workspace.common_dir).add(
                    workspace.root, config.database
                )
        values = {**base_env(workspace, config, found), **port_env(block)}
        files.exclude(workspace.common_dir, ["/.env"])
        dotenv.write(workspace.root / ".env", values)
    except BaseException:
        if created and config.database is not None:
            database.drop(config.database)
            if config.database.server is not None:
                database.Records(workspace.common_dir).remove(str(workspace.root))
        if new_block:
            registry.release(workspace.root)
        raise
    return Provisioned(block, config.database, values)


def step(workspace: Workspace, config: Settings, found: Sequence[Found]) -> Step:
    """The in-process setup step "resources", run before the frameworks' own."""

    def action() -> None:
        provision(workspace, config, found)

    return Step("resources", action=action)


def _refuse_tracked_env(workspace: Workspace) -> None:
    from seedbed.core import runner  # only when provisioning: start-up stays light

    result = runner.run_argv(
        "git ls-files",
        ["git", "ls-files", "--error-unmatch", "--", ".env"],
        cwd=workspace.root,
        timeout=30,
    )
    if result.ok:
        raise SetupError(
            f"{workspace.root / '.env'} is tracked by git: seedbed will not write "
            "the worktree's settings into a committed file",
            "stop tracking it (git rm --cached .env) and commit that",
        )
