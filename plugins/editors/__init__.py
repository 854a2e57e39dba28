"""Editor files for each worktree: VS Code (settings, extensions, launch.json),
a dev container, and the CI workflow template.

Modules, one job each: jsonc (JSON with comments, edited in place), files
(write-if-changed, info/exclude), vscode, devcontainer, ci, commands (`seedbed
editor`). During setup one in-process step writes the enabled files, after every
other plugin's steps (the port must exist first); errors there are reported and
never fail the setup: an editor file is not part of a ready environment.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from seedbed.core.hookspecs import hookimpl
from seedbed.core.types import ConfigKey, Step
from seedbed.plugins.editors.initfiles import seedbed_init_files  # noqa: F401

if TYPE_CHECKING:
    import click
    import pluggy
    from seedbed.core.types import SetupContext
    from seedbed.core.workspace import Workspace
    from seedbed.plugins.editors.files import Written

SECTION = "editors"

CONFIG_KEYS = (
    ConfigKey(
        "vscode",
        "bool",
        True,
        "write .vscode settings, extensions and launch.json during setup",
        section=SECTION,
    ),
    ConfigKey(
        "devcontainer",
        "bool",
        False,
        "write .devcontainer/devcontainer.json during setup",
        section=SECTION,
    ),
    ConfigKey(
        "devcontainer_image",
        "str",
        "",
        "the dev container's image ({python} is the project's version); default"
        " python:{python}-slim",
        section=SECTION,
    ),
)


@hookimpl
def seedbed_config_keys() -> Sequence[ConfigKey]:
    return CONFIG_KEYS


# trylast: pluggy calls it after the other plugins, so its step comes after
# theirs in the plan (the resources plugin's port allocation in particular).
@hookimpl(trylast=True)
def seedbed_setup_steps(context: SetupContext) -> Sequence[Step]:
    section = context.workspace.config.section(SECTION)
    vscode = bool(section.get("vscode", True))
    devcontainer = bool(section.get("devcontainer", False))
    if not (vscode or devcontainer):
        return []
    workspace = context.workspace
    pm = _plugin_manager(context)

    def write() -> None:
        from seedbed.core.errors import SeedbedError

        try:
            written = apply(workspace, pm, vscode, devcontainer)
        except (SeedbedError, OSError) as exc:
            print(f"seedbed: warning: editor files not written: {exc}", file=sys.stderr)
            return
        for item in written:
            if item.status == "skipped":
                print(f"seedbed: warning: {item.path}: {item.note}", file=sys.stderr)

    return [Step("editor files", action=write, labels={"plugin": "editors"})]


def _plugin_manager(context: SetupContext) -> pluggy.PluginManager:
    """The registry's plugin manager, as the setup hands it (the PORT and the
    framework's serve command come from the plugins' hooks when the step runs,
    after the port exists)."""
    if context.registry is not None:
        return context.registry.pm
    return workspace_plugins(context.workspace)


def workspace_plugins(workspace: Workspace) -> pluggy.PluginManager:
    """For a caller handed no registry (tests, a direct call): the plugins the
    workspace's configuration loads, as this process built them already."""
    from seedbed.core import plugins

    return plugins.build(workspace.config.get("disable_plugins") or ())


@hookimpl
def seedbed_register_commands(cli: click.Group) -> None:
    from seedbed.plugins.editors.commands import editor

    cli.add_command(editor)


def apply(
    workspace: Workspace,
    pm: pluggy.PluginManager,
    vscode: bool = True,
    devcontainer: bool = False,
) -> list[Written]:
    """Write the enabled editor files for the worktree; keep new untracked
    ones out of git; never touch nor exclude a file git tracks."""
    from seedbed.plugins.editors import files
    from seedbed.plugins.editors import vscode as code
    from seedbed.plugins.editors.devcontainer import (
        DEVCONTAINER,
        container_limits,
        write_devcontainer,
    )

    ours = (code.SETTINGS, code.EXTENSIONS, code.LAUNCH, DEVCONTAINER)
    # git is asked once about every file (ls-files, and for those missing
    # here, which branch has them), not once per file and question.
    facts = files.tracking(workspace.root, ours)
    server = code.dev_server(workspace, pm)
    written: list[Written] = []
    with files.known(facts):
        if vscode:
            written.extend(code.write_all(workspace, server, facts))
        if devcontainer:
            from seedbed.plugins.editors.postcreate import manager_name

            written.append(
                write_devcontainer(
                    workspace,
                    server.port if server else None,
                    manager_name(workspace, pm),
                    # The pods plugin's limits, through the hook: editors
                    # never read another family's settings.
                    container_limits(workspace, pm),
                )
            )
    created = [
        str(w.path.relative_to(workspace.root))
        for w in written
        if w.status == "created"
    ]
    files.exclude(workspace.common_dir, workspace.root, created, facts)
    # A file git tracks (here or on a branch) is never named in info/exclude:
    # an ignored path needs `git add -f`.
    seen = {str(w.path.relative_to(workspace.root)): w.status for w in written}
    files.unexclude(
        workspace.common_dir,
        [
            rel
            for rel in ours
            if seen.get(rel) == "tracked" or (rel not in seen and rel in facts.tracked)
        ],
    )
    return written
