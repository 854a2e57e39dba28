"""The plugin contract: every hook seedbed calls, documented where it is declared.

A plugin is a module (or object) registered under the `seedbed` entry-point group:

    [project.entry-points.seedbed]
    mytool = "mytool.seedbed_plugin"

and marks its implementations with `pluggy.HookimplMarker("seedbed")`; it need not
import seedbed. Implementations may take fewer arguments than the spec. Hooks
collect results from every plugin unless they say "Stops at first non-None result".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

    import click
    from seedbed.core.contributions import ContainerLimits, DoctorCheck, WrittenFile
    from seedbed.core.plugins import Registry
    from seedbed.core.types import (
        ConfigKey,
        Framework,
        Gate,
        GcAction,
        Manager,
        SetupContext,
        Step,
    )
    from seedbed.core.workspace import Workspace

hookspec = pluggy.HookspecMarker("seedbed")
hookimpl = pluggy.HookimplMarker("seedbed")

# ---------------------------------------------------------------------------
# Package managers
# ---------------------------------------------------------------------------


@hookspec
def seedbed_managers() -> Sequence[Manager]:
    """Return the package managers this plugin provides.

    Each must satisfy `core.types.Manager`; names are unique across plugins
    (two plugins offering "uv" is an error that names both).

    Example::

        @hookimpl
        def seedbed_managers():
            return [HatchManager()]
    """
    raise NotImplementedError


@hookspec
def seedbed_frameworks() -> Sequence[Framework]:
    """Return the web frameworks this plugin knows (see core.types.Framework).

    A framework may also carry ``markers``: text its detection needs in a .py
    file before it reads anything there (Flask: ``("flask",)``). With it, an
    edit to a file holding none of them keeps `seedbed run` on its fast path;
    without it, the resources plugin cannot say what detection reads and every
    run computes the variables afresh.

    Example::

        @hookimpl
        def seedbed_frameworks():
            return [DjangoFramework()]
    """
    raise NotImplementedError


@hookspec
def seedbed_gates() -> Sequence[Gate]:
    """Return the quality gates this plugin provides (see core.gates.Gate).

    Example::

        @hookimpl
        def seedbed_gates():
            return [LintGate()]
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Configuration
# ---------------------------------------------------------------------------


@hookspec
def seedbed_config_keys() -> Sequence[ConfigKey]:
    """Return the configuration keys this plugin accepts.

    Keys in a section of their own live under `[tool.seedbed.<section>]`;
    unknown keys anywhere are errors naming the file and the key.

    Example::

        @hookimpl
        def seedbed_config_keys():
            return [ConfigKey("memory", "str", "2g", "memory per pod", section="pod")]
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Setup
# ---------------------------------------------------------------------------


@hookspec
def seedbed_setup_steps(context: SetupContext) -> Sequence[Step]:
    """Return steps to run after the environment is ready (migrations, files...).

    Steps run after the environment's, in the order pluggy calls the
    implementations (newest registered first; mark yours `tryfirst=True` or
    `trylast=True` to place it); each is timed and recorded.

    Example::

        @hookimpl
        def seedbed_setup_steps(context):
            return [Step("migrate", argv=(str(py), "manage.py", "migrate"))]
    """
    raise NotImplementedError


@hookspec
def seedbed_run_env(workspace: Workspace) -> Mapping[str, str]:
    """Return variables for commands run in the worktree (`seedbed run`, serve,
    test, gates): e.g. PORT and DATABASE_URL. Later plugins override earlier.

    Example::

        @hookimpl
        def seedbed_run_env(workspace):
            return {"PORT": "8001"}
    """
    raise NotImplementedError


@hookspec
def seedbed_run_env_inputs(workspace: Workspace) -> Mapping[str, object] | None:
    """Say what this plugin's `seedbed_run_env` reads, so `seedbed run` may reuse
    its variables while those inputs are unchanged (core/runinputs.py keys them).

    Return ``{"files": [paths], "tree": bool, "markers": [text]}``: the files read
    (by stat identity), whether the project tree is read (then every folder's
    names and the identity of each .py file holding one of the markers are keyed;
    ``"markers": None`` keys every .py file), or None when that cannot be said.
    A plugin that adds variables without implementing this keeps `seedbed run` on
    the full path (its variables are computed on every run).

    Example::

        @hookimpl
        def seedbed_run_env_inputs(workspace):
            return {"files": [workspace.root / "ports.toml"], "tree": False}
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Cleanup
# ---------------------------------------------------------------------------


@hookspec
def seedbed_gc(
    common_dir: Path, live_worktrees: Sequence[Path], dry_run: bool
) -> Sequence[GcAction]:
    """Release what this plugin holds for worktrees git no longer lists.

    Resources first, records last, so an interrupted gc resumes; with dry_run,
    report what would be released and change nothing.

    Example::

        @hookimpl
        def seedbed_gc(common_dir, live_worktrees, dry_run):
            return [GcAction("ports", "8000-8009", "/old/worktree", done=not dry_run)]
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Built-in commands: doctor, ls, init
# ---------------------------------------------------------------------------


@hookspec
def seedbed_doctor(workspace: Workspace, registry: Registry) -> Sequence[DoctorCheck]:
    """Return this plugin's checks for `seedbed doctor` (see
    core.contributions.DoctorCheck): can it work here, is what it keeps sound.

    They follow seedbed's own checks and come before each worktree's, so a
    safe fix (`action`) runs under `--fix` before any worktree is set up again.
    Start no process and change nothing here: a fix does that, when asked.

    Example::

        @hookimpl
        def seedbed_doctor(workspace, registry):
            if shutil.which("redis-server"):
                return [DoctorCheck("redis", "ok", "redis-server: found")]
            return [DoctorCheck("redis", "info", "redis-server: not found",
                                "install Redis")]
    """
    raise NotImplementedError


@hookspec
def seedbed_worktree_summary(
    common_dir: Path, worktrees: Sequence[Path]
) -> Mapping[Path, Mapping[str, object]]:
    """Return, per worktree path, the columns this plugin fills in `seedbed ls`
    ("port", "database"); a worktree it holds nothing for may be left out.

    Called once for all of the repository's worktrees, so a registry is read
    once; an unreadable registry means no values, never an error.

    Example::

        @hookimpl
        def seedbed_worktree_summary(common_dir, worktrees):
            held = read_my_registry()
            return {path: {"port": held[path]} for path in worktrees if path in held}
    """
    raise NotImplementedError


@hookspec
def seedbed_init_files(
    workspace: Workspace, agents: bool, ci: str
) -> Sequence[WrittenFile]:
    """Write the files `seedbed init` was asked for; one record each (see
    core.contributions.WrittenFile). agents: the agent tools' setup entries
    (`--agents`); ci: the CI provider whose workflow to write ("github"), ""
    for none. Keep what the user wrote: a file left alone is "skipped".

    Example::

        @hookimpl
        def seedbed_init_files(workspace, agents, ci):
            if ci != "gitlab":
                return []
            return [write_gitlab_pipeline(workspace)]
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Containers
# ---------------------------------------------------------------------------


@hookspec(firstresult=True)
def seedbed_container_limits(workspace: Workspace) -> ContainerLimits | None:
    """Return the limits every container of this worktree gets (see
    core.contributions.ContainerLimits): memory, CPUs, processes. The pods
    plugin answers from `[tool.seedbed.pod]`; the editors plugin writes them
    into `.devcontainer/devcontainer.json`, so a dev container and a pod get
    the same resources. With no answer the dev container gets its documented
    defaults (1g, 1 CPU, 256 processes). Stops at first non-None result.

    Example::

        @hookimpl
        def seedbed_container_limits(workspace):
            return ContainerLimits(memory_bytes=2 * 1024**3, cpus=1.5, pids=512)
    """
    raise NotImplementedError


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


@hookspec
def seedbed_register_commands(cli: click.Group) -> None:
    """Add click commands or groups to the `seedbed` command line.

    Example::

        @hookimpl
        def seedbed_register_commands(cli):
            @cli.command()
            def hello():
                click.echo("hi")
    """
