"""Per-worktree resources for web projects: ports, database, `.env`, migrations.

Wires the generic core parts (core.ports, core.database, core.dotenv) to the
frameworks plugins detect (core.frameworks):

- setup: one in-process step "resources" (port block, database, `.env`; all or
  nothing: what it made is undone when a later part fails), then each detected
  framework's steps (migrations) inside the worktree's environment;
- run env: PORT, SEEDBED_PORTS, DATABASE_URL, TEST_DB_NAME, DEBUG and the
  frameworks' variables for `seedbed run`, `serve`, `test`;
- gc: port blocks and PostgreSQL databases of worktrees git no longer lists;
- commands: `seedbed ports`, `frameworks`, `serve`, `test`.

Resources are provisioned when a framework is detected (`provision = "auto"`),
always, or never. Everything that can be wrong in the configuration is checked
while planning, before any step runs.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seedbed.core import database, dotenv, ports
from seedbed.core.errors import ConfigError, SetupError
from seedbed.core.frameworks import Found, FrameworkRegistry
from seedbed.core.hookspecs import hookimpl
from seedbed.core.types import (
    ConfigKey,
    FrameworkContext,
    GcAction,
    Manager,
    SetupContext,
    Step,
)

if TYPE_CHECKING:
    import click
    from seedbed.core.workspace import Workspace

SECTION = "resources"
PLUGIN = "resources"

CONFIG_KEYS: tuple[ConfigKey, ...] = (
    ConfigKey(
        "provision",
        "str",
        "auto",
        "give worktrees ports, a database and .env: auto (when a web framework "
        "is detected), always, never",
        SECTION,
        ("auto", "always", "never"),
    ),
    ConfigKey(
        "port_range", "str", ports.DEFAULT_RANGE, "ports to allocate from", SECTION
    ),
    ConfigKey(
        "port_block",
        "int",
        ports.DEFAULT_BLOCK,
        "ports per worktree",
        SECTION,
        minimum=1,
    ),
    ConfigKey(
        "database",
        "str",
        "sqlite",
        "per-worktree database: sqlite (a file in the worktree), postgres, none",
        SECTION,
        ("sqlite", "postgres", "none"),
    ),
    ConfigKey(
        "database_server",
        "str",
        "postgresql://localhost:5432",
        "PostgreSQL server as postgresql://USER@HOST:PORT (no password)",
        SECTION,
    ),
    ConfigKey(
        "database_template", "str", "", "create databases from this template", SECTION
    ),
    ConfigKey(
        "database_password",
        "str",
        "",
        "PostgreSQL password; accepted only in your user config (else use "
        "PGPASSWORD or ~/.pgpass)",
        SECTION,
    ),
    ConfigKey("debug", "bool", True, "DEBUG=1 in the worktree's variables", SECTION),
    ConfigKey(
        "framework",
        "str",
        "",
        "the framework serve/test use when a project has several",
        SECTION,
    ),
)


@dataclass(frozen=True)
class Settings:
    """The resources section, validated, with the database planned."""

    provision: str
    port_range: tuple[int, int]
    port_block: int
    database: database.Database | None
    template: str
    debug: bool
    framework: str
    password: str | None  # for libpq only: never in .env, messages or metrics


def settings(workspace: Workspace) -> Settings:
    section = workspace.config.section(SECTION)
    origins = workspace.config.origins
    user_file = str(_user_config_path())

    def from_user_config(key: str) -> bool:
        origin = origins.get(f"{SECTION}.{key}")
        return origin is None or origin == user_file

    password = str(section.get("database_password", "")) or None
    if password and not from_user_config("database_password"):
        raise ConfigError(
            f"{origins[f'{SECTION}.database_password']}: key "
            "'resources.database_password' is only accepted in your user config "
            f"({user_file}), never in a file that may be committed",
            "remove it; use PGPASSWORD, ~/.pgpass or your user config",
            key=f"{SECTION}.database_password",
        )
    block = int(section.get("port_block", ports.DEFAULT_BLOCK))
    if block < 1 or block > 100:
        raise ConfigError(
            f"key 'resources.port_block': expected 1 to 100, got {block}",
            key=f"{SECTION}.port_block",
        )
    engine = str(section.get("database", "sqlite"))
    planned: database.Database | None = None
    if engine == "sqlite":
        planned = database.sqlite_for(workspace.root)
    elif engine == "postgres":
        server = database.Server.parse(
            str(section.get("database_server", "")),
            password,
            password_allowed=from_user_config("database_server"),
        )
        planned = database.postgres_for(
            workspace.facts.repository, workspace.facts.slug, server
        )
    return Settings(
        provision=str(section.get("provision", "auto")),
        port_range=ports.parse_range(
            str(section.get("port_range", ports.DEFAULT_RANGE))
        ),
        port_block=block,
        database=planned,
        template=str(section.get("database_template", "")),
        debug=bool(section.get("debug", True)),
        framework=str(section.get("framework", "")),
        password=planned.server.password if planned and planned.server else None,
    )


def _user_config_path() -> Path:
    from seedbed.core.config import user_config_path

    return user_config_path()


# ---------------------------------------------------------------------------
# Frameworks and the package manager, for a hook that only gets a workspace
# ---------------------------------------------------------------------------


def _plugin_manager(blocked: tuple[str, ...]) -> Any:
    from seedbed.core import plugins

    return plugins.build(blocked)  # built once per process by core.plugins


def frameworks(workspace: Workspace) -> FrameworkRegistry:
    blocked = tuple(sorted(workspace.config.get("disable_plugins", []) or []))
    return FrameworkRegistry.load(_plugin_manager(blocked))


def manager_for(workspace: Workspace) -> Manager:
    from seedbed.core import plugins, setup
    from seedbed.core.app import App

    blocked = tuple(sorted(workspace.config.get("disable_plugins", []) or []))
    registry = plugins.Registry.load(_plugin_manager(blocked))
    return setup.choose_manager(App(workspace, registry))


def detected(workspace: Workspace) -> list[Found]:
    return frameworks(workspace).detect(workspace)


def wanted(workspace: Workspace, config: Settings, found: Sequence[Found]) -> bool:
    if config.provision == "never":
        return False
    return config.provision == "always" or bool(found)


# ---------------------------------------------------------------------------
# Values
# ---------------------------------------------------------------------------


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


# ---------------------------------------------------------------------------
# Provisioning: all or nothing
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Provisioned:
    block: ports.Block
    database: database.Database | None
    values: Mapping[str, str]


def provision(
    workspace: Workspace, config: Settings, found: Sequence[Found]
) -> Provisioned:
    """Allocate the port block, create the database, write `.env`; idempotent.

    What this call made is undone when a later part fails, so a refused server
    leaves no port block and no half-written file behind.
    """
    from seedbed.core.setup import ensure_excluded

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
        ensure_excluded(workspace, ["/.env"])
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


def _refuse_tracked_env(workspace: Workspace) -> None:
    from seedbed.core import runner

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


# ---------------------------------------------------------------------------
# Hooks
# ---------------------------------------------------------------------------


@hookimpl
def seedbed_config_keys() -> Sequence[ConfigKey]:
    return CONFIG_KEYS


@hookimpl
def seedbed_setup_steps(context: SetupContext) -> Sequence[Step]:
    workspace = context.workspace
    config = settings(workspace)  # config errors surface here, before any step
    found = detected(workspace)
    if not wanted(workspace, config, found):
        return []
    if config.database is not None:
        # A refused connection or a missing template stops setup with its own
        # exit code before the environment or a port block is made.
        database.preflight(config.database, config.template)
    steps = [
        Step(
            "resources",
            action=functools.partial(_provision_step, workspace, config, found),
        )
    ]
    if not found:
        return steps
    manager = manager_for(workspace)
    env = base_env(workspace, config, found)
    if config.password:
        env["PGPASSWORD"] = config.password
    timeout = float(workspace.config.get("step_timeout", 1800))
    for item in found:
        framework_context = FrameworkContext(
            workspace,
            item.detection,
            env,
            lambda argv: manager.run_command(workspace, argv),
            timeout,
        )
        steps.extend(item.framework.setup_steps(framework_context))
    return steps


def _provision_step(
    workspace: Workspace, config: Settings, found: Sequence[Found]
) -> None:
    provision(workspace, config, found)


@hookimpl
def seedbed_run_env(workspace: Workspace) -> Mapping[str, str]:
    config = settings(workspace)
    found = detected(workspace)
    if not wanted(workspace, config, found):
        return {}
    values = base_env(workspace, config, found)
    block = ports.Registry().get(workspace.root)
    if block is not None:
        values.update(port_env(block))
    if config.password:  # libpq reads it; .env never holds it
        values["PGPASSWORD"] = config.password
    return values


@hookimpl
def seedbed_gc(
    common_dir: Path, live_worktrees: Sequence[Path], dry_run: bool
) -> Sequence[GcAction]:
    live = {str(path) for path in live_worktrees}
    actions: list[GcAction] = []
    registry = ports.Registry()
    for block in registry.blocks():
        ours = block.common_dir == str(common_dir)
        # A block whose repository is gone has nobody left to release it.
        orphan = bool(block.common_dir) and not Path(block.common_dir).exists()
        if (ours and block.worktree not in live) or orphan:
            if not dry_run:
                registry.release(block.worktree)
            actions.append(
                GcAction(PLUGIN, f"port block {block.label}", block.worktree, True)
            )
    records = database.Records(common_dir)
    password = _user_password()
    for worktree, db in sorted(records.all().items()):
        if worktree in live:
            continue
        resource = db.label
        if dry_run:
            actions.append(GcAction(PLUGIN, resource, worktree, True))
            continue
        if db.server is not None and password:
            db = replace(db, server=replace(db.server, password=password))
        try:
            database.drop(db)
        except Exception as exc:  # reported; the record stays for the next gc
            actions.append(GcAction(PLUGIN, resource, worktree, False, str(exc)))
            continue
        records.remove(worktree)  # records last: an interrupted gc resumes
        actions.append(GcAction(PLUGIN, resource, worktree, True))
    return actions


def _user_password() -> str | None:
    """The password from the user's config (the only file allowed to hold it);
    PGPASSWORD and ~/.pgpass are read by libpq itself."""
    path = _user_config_path()
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return None
    section = data.get(SECTION, {})
    value = section.get("database_password") if isinstance(section, dict) else None
    return value if isinstance(value, str) and value else None


@hookimpl
def seedbed_register_commands(cli: click.Group) -> None:
    from seedbed.plugins.frameworks import commands

    for command in commands.COMMANDS:
        cli.add_command(command)
