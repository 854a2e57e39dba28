"""Per-worktree resources for web projects: ports, database, `.env`, migrations.

The entry point of the resources family; its parts:
ports (the per-user port registry), database (SQLite and the Database record),
postgres (PostgreSQL through psycopg, imported only when configured), dotenv
(seedbed's block in `.env`), settings (the `resources` config section),
project (the database the project expects), migrated (clone a sibling's
migrated database), provision (all-or-nothing provisioning, the run variables,
one truth in `.env`), gc, checks (for doctor and ls), commands, running.

- setup: one in-process step "resources" (port block, database, `.env`), then
  each detected framework's steps (migrations) inside the worktree's
  environment, run through the manager the setup chose (context.manager);
- run env: PORT, SEEDBED_PORTS, DATABASE_URL, TEST_DB_NAME, DEBUG and the
  frameworks' variables for `seedbed run`, `serve`, `test`;
- doctor: the port registry's soundness (the fix drops damaged blocks); ls:
  each worktree's port and database;
- gc: port blocks and PostgreSQL databases of worktrees git no longer lists;
- commands: `seedbed ports`, and (running) the frameworks' `frameworks`,
  `serve`, `test`, which run on this family's provisioning.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from seedbed.core.discovery import Found, FrameworkRegistry
from seedbed.core.errors import SeedbedError
from seedbed.core.hookspecs import hookimpl
from seedbed.core.types import (
    ConfigKey,
    FrameworkContext,
    GcAction,
    SetupContext,
    Step,
)

# settings only: the hook imports this module on every setup, and provision,
# database and gc (ports, socket, sqlite3) are imported by the hooks that use
# them.
from seedbed.plugins.resources import settings

if TYPE_CHECKING:
    import click
    import pluggy
    from seedbed.core.contributions import DoctorCheck
    from seedbed.core.workspace import Workspace


def frameworks(
    workspace: Workspace, pm: pluggy.PluginManager | None = None
) -> FrameworkRegistry:
    """The installed frameworks, from the hook caller's plugin manager.

    Without one (a hook whose caller does not pass it), the process's plugin
    manager for this workspace's block list: core.plugins builds it once per
    process, so this is a look-up, not a rebuild.
    """
    if pm is None:
        from seedbed.core import plugins

        blocked = tuple(sorted(workspace.config.get("disable_plugins", []) or []))
        pm = plugins.build(blocked)
    return FrameworkRegistry.load(pm)


def detected(
    workspace: Workspace, pm: pluggy.PluginManager | None = None
) -> list[Found]:
    return frameworks(workspace, pm).detect(workspace)


@hookimpl
def seedbed_config_keys() -> Sequence[ConfigKey]:
    return settings.CONFIG_KEYS


@hookimpl
def seedbed_setup_steps(context: SetupContext) -> Sequence[Step]:
    workspace = context.workspace
    found = detected(workspace, context.registry.pm if context.registry else None)
    config = settings.settings(workspace, found)  # config errors surface here
    if not settings.wanted(config, found):
        return []
    from seedbed.plugins.resources import provision

    if config.database is not None:
        # A refused connection or a missing template stops setup with its own
        # exit code before the environment or a port block is made.
        _preflight(config)
    steps = [provision.step(workspace, config, found)]
    manager = context.manager
    if not found or manager is None:
        return steps
    env = provision.base_env(workspace, config, found)
    env.update({k: v for k, v in provision.user_values(workspace).items() if k in env})
    if config.password:
        env["PGPASSWORD"] = config.password
    timeout = float(workspace.config.get("step_timeout", 1800))
    for item in found:
        framework_context = FrameworkContext(
            workspace,
            item.detection,
            env,
            functools.partial(manager.run_command, workspace),
            timeout,
        )
        steps.extend(item.framework.setup_steps(framework_context))
    if config.database is not None or config.reported is not None:
        steps.append(provision.record_step(workspace, config))
    return steps


def _preflight(config: settings.Settings) -> None:
    """The server is there; for a database chosen from the project (auto), the
    message says why PostgreSQL was wanted: never a silent switch to SQLite."""
    from seedbed.plugins.resources import database

    assert config.database is not None
    try:
        database.preflight(config.database, config.template)
    except SeedbedError as exc:
        if config.mode != "auto" or config.expected is None:
            raise
        raise SeedbedError(
            "this project uses PostgreSQL ("
            + "; ".join(config.expected.evidence)
            + f"): {exc.message}",
            "start the server or point resources.database_server at one "
            '(postgresql://USER@HOST:PORT); or set resources.database = "sqlite" '
            'to use SQLite knowingly, or "none"',
            exc.exit_code,
        ) from exc


@hookimpl
def seedbed_run_env(workspace: Workspace) -> Mapping[str, str]:
    found = detected(workspace)
    config = settings.settings(workspace, found)
    if not settings.wanted(config, found):  # not provisioned: no variables
        return {}
    from seedbed.plugins.resources import provision

    return provision.run_env(workspace, config, found)


# Text a .py file must hold for project.expected to read anything in it (the
# literal parts of project.READS_URL and project.POSTGRES: keep them in step).
MARKERS = (
    "DATABASE_URL",
    "env.db(",
    "dj_database_url",
    "db_url(",
    "postgres",
    "postgis",
)


@hookimpl
def seedbed_run_env_inputs(workspace: Workspace) -> Mapping[str, object] | None:
    """What seedbed_run_env reads besides the config, for core/runfast.py to
    key and reuse the variables: the port registry, `.seedbed/resources.json`,
    Django's settings modules (read whole) and the project tree, whose .py
    files matter only when they hold a marker (ours, or a framework's
    `markers`: the text its detection needs). None when that cannot be said:
    a framework without markers (from another package) may read anything."""
    if workspace.config.section(settings.SECTION).get("provision") == "never":
        return {"files": [], "tree": False}  # no variables, whatever the tree
    from seedbed.plugins.resources import ports, project, provision

    builtin = __name__.rpartition(".")[0] + "."  # seedbed.plugins.
    markers = set(MARKERS)
    for framework in frameworks(workspace).frameworks.values():
        said = getattr(framework, "markers", None)
        if not type(framework).__module__.startswith(builtin) or said is None:
            return None
        markers.update(said)
    read = [ports.Registry().path, workspace.root / ".seedbed" / provision.STATE]
    for item in detected(workspace):
        if item.name == "django":
            read.extend(project.settings_files(workspace, item))
    return {"files": read, "tree": True, "markers": sorted(markers)}


@hookimpl
def seedbed_gc(
    common_dir: Path, live_worktrees: Sequence[Path], dry_run: bool
) -> Sequence[GcAction]:
    from seedbed.plugins.resources import gc

    return gc.collect(common_dir, live_worktrees, dry_run)


@hookimpl
def seedbed_doctor() -> Sequence[DoctorCheck]:
    from seedbed.plugins.resources import checks

    return checks.doctor()


@hookimpl
def seedbed_worktree_summary(
    common_dir: Path, worktrees: Sequence[Path]
) -> Mapping[Path, Mapping[str, object]]:
    from seedbed.plugins.resources import checks

    return checks.summary(common_dir, worktrees)


@hookimpl
def seedbed_register_commands(cli: click.Group) -> None:
    from seedbed.plugins.resources import commands, running

    for command in (commands.ports_command, *running.COMMANDS):
        cli.add_command(command)
