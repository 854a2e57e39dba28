"""VS Code files for one worktree: settings, recommended extensions, and a
launch configuration that runs the framework's dev server on the worktree's port.

Merging rules (docs/editors.md): a key the user has is never changed, only keys
seedbed would add and the user lacks are inserted, with their template comments,
into the user's text; comments and layout stay byte for byte. The one exception
is the launch configuration named "seedbed: dev server", which is seedbed's own
and is rewritten when the port or the command changes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seedbed.plugins.editors import jsonc
from seedbed.plugins.editors.files import (
    Tracking,
    Written,
    fill,
    leads_out,
    left_alone,
    read,
    save,
    template,
    tracking,
)

if TYPE_CHECKING:
    import pluggy
    from seedbed.core.workspace import Workspace

SETTINGS = ".vscode/settings.json"
EXTENSIONS = ".vscode/extensions.json"
LAUNCH = ".vscode/launch.json"
LAUNCH_NAME = "seedbed: dev server"
DEFAULT_LINE_LENGTH = 88
# Set by the venv's activation; the debugger picks the interpreter itself.
_ENV_NOT_FOR_LAUNCH = frozenset({"PATH", "VIRTUAL_ENV"})


@dataclass(frozen=True)
class DevServer:
    """The framework's dev server for this worktree (from the frameworks' hook)."""

    framework: str
    port: int
    argv: tuple[str, ...]
    env: Mapping[str, str]


def line_length(workspace: Workspace) -> int:
    """ruff's configured line length (pyproject [tool.ruff]), else 88."""
    ruff = workspace.pyproject.get("tool", {}).get("ruff", {})
    value = ruff.get("line-length") if isinstance(ruff, dict) else None
    return value if isinstance(value, int) and value > 0 else DEFAULT_LINE_LENGTH


def _invalid(path: Path, exc: jsonc.JsoncError) -> Written:
    return Written(
        path,
        "skipped",
        note=f"not valid JSON with comments ({exc}); left as it is",
    )


def merge_template(old: str | None, template_text: str) -> tuple[str, tuple[str, ...]]:
    """The user's text with the template's missing top-level keys added, and
    the keys whose user value differs from seedbed's (kept as the user has them)."""
    wanted = jsonc.parse(template_text)
    if old is None:
        return template_text, ()
    root = jsonc.parse(old)
    if root.kind != "object":
        raise jsonc.JsoncError("expected an object at the top", old, root.start)
    missing, kept = [], []
    for member in wanted.members:
        have = root.get(member.key)
        if have is None:
            missing.append(jsonc.member_block(template_text, wanted, member.key))
        elif have.python() != member.value.python():
            kept.append(member.key)
    return jsonc.add_raw_members(old, root, missing), tuple(kept)


# Every writer here passes durable=False to `save`: a file it creates is all
# template (no fsync; refilled if a crash leaves it empty), one that was there
# is merged and written durably all the same.


def write_settings(workspace: Workspace) -> Written:
    path = workspace.root / SETTINGS
    env_dir = str(workspace.config.get("env_dir", ".venv")).strip("/") or ".venv"
    text = fill(
        template("vscode", "settings.json"),
        {
            "ENV_DIR": json.dumps(env_dir)[1:-1],
            "LINE_LENGTH": str(line_length(workspace)),
        },
    )
    old = read(path)
    try:
        new, kept = merge_template(old, text)
    except jsonc.JsoncError as exc:
        return _invalid(path, exc)
    return save(path, old, new, durable=False, kept=kept)


def write_extensions(workspace: Workspace) -> Written:
    path = workspace.root / EXTENSIONS
    text = template("vscode", "extensions.json")
    ours: list[str] = jsonc.parse(text).python()["recommendations"]
    old = read(path)
    if old is None:
        return save(path, old, text, durable=False)
    try:
        root = jsonc.parse(old)
        if root.kind != "object":
            raise jsonc.JsoncError("expected an object at the top", old, 0)
        present = root.get("recommendations")
        unwanted = root.get("unwantedRecommendations")
        refused: set[str] = set()
        if unwanted is not None and unwanted.kind == "array":
            refused = {str(v) for v in unwanted.python()}
        if present is None:
            wanted = [e for e in ours if e not in refused]
            new = jsonc.add_members(old, root, [("recommendations", wanted)])
        elif present.kind == "array":
            have = {str(v).lower() for v in present.python()}
            wanted = [e for e in ours if e.lower() not in have and e not in refused]
            new = jsonc.add_items(old, present, wanted)
        else:
            return Written(path, "skipped", note="recommendations is not a list")
    except jsonc.JsoncError as exc:
        return _invalid(path, exc)
    kept = tuple(sorted(refused & set(ours)))
    return save(path, old, new, durable=False, kept=kept)


def _is_python(executable: str) -> bool:
    name = Path(executable).name
    return name == "python" or name.startswith("python3")


def launch_configuration(workspace: Workspace, server: DevServer) -> dict[str, Any]:
    """A debugpy launch configuration running the dev server's argv.

    `python -m mod …` and `python file …` map onto module/program; a console
    script (flask, uvicorn, …) runs as `-m <name>`, which those tools support.
    """
    root = str(workspace.root)

    def portable(arg: str) -> str:  # one file text for every worktree path
        return arg.replace(root, "${workspaceFolder}")

    argv = [portable(a) for a in server.argv]
    config: dict[str, Any] = {
        "name": LAUNCH_NAME,
        "type": "debugpy",
        "request": "launch",
    }
    if _is_python(argv[0]) and len(argv) >= 3 and argv[1] == "-m":
        config["module"], args = argv[2], argv[3:]
    elif _is_python(argv[0]) and len(argv) >= 2:
        program = argv[1]
        if not program.startswith(("/", "${")):
            program = "${workspaceFolder}/" + program
        config["program"], args = program, argv[2:]
    else:
        config["module"], args = Path(argv[0]).name, argv[1:]
    env = {
        k: portable(v) for k, v in server.env.items() if k not in _ENV_NOT_FOR_LAUNCH
    }
    env["PORT"] = str(server.port)
    config.update(
        args=args,
        cwd="${workspaceFolder}",
        env=dict(sorted(env.items())),
        console="integratedTerminal",
    )
    if server.framework == "django":
        config["django"] = True
    if server.framework == "flask":
        config["jinja"] = True
    return config


def write_launch(workspace: Workspace, server: DevServer | None) -> Written | None:
    """launch.json with seedbed's configuration; None when there is no dev
    server to run (no PORT from the plugins, or no framework detected)."""
    path = workspace.root / LAUNCH
    if server is None:
        return None
    config = launch_configuration(workspace, server)
    old = read(path)
    if old is None:
        rendered = jsonc.render(config, " " * 8, jsonc.DEFAULT_UNIT)
        text = fill(template("vscode", "launch.json"), {"CONFIGURATION": rendered})
        return save(path, None, text, durable=False, extra={"port": server.port})
    try:
        new = _merge_launch(old, config)
    except jsonc.JsoncError as exc:
        return _invalid(path, exc)
    if new is None:
        return Written(path, "skipped", note='"configurations" is not a list')
    return save(path, old, new, durable=False, extra={"port": server.port})


def _merge_launch(old: str, config: dict[str, Any]) -> str | None:
    root = jsonc.parse(old)
    if root.kind != "object":
        raise jsonc.JsoncError("expected an object at the top", old, root.start)
    configurations = root.get("configurations")
    if configurations is None:
        entries: list[tuple[str, Any]] = []
        if root.get("version") is None:
            entries.append(("version", "0.2.0"))
        entries.append(("configurations", [config]))
        return jsonc.add_members(old, root, entries)
    if configurations.kind != "array":
        return None
    for item in configurations.items:
        if item.kind == "object":
            name = item.get("name")
            if name is not None and name.value == LAUNCH_NAME:
                if item.python() == config:
                    return old
                return jsonc.replace(old, item, config)
    return jsonc.add_items(old, configurations, [config])


def dev_server(workspace: Workspace, pm: pluggy.PluginManager) -> DevServer | None:
    """PORT from the plugins' run env and the serve command of the framework the
    worktree uses (the configured one, else the only one detected); None when
    there is no port or no single framework."""
    from seedbed.core.errors import SeedbedError
    from seedbed.core.plugins import collect
    from seedbed.core.types import Framework

    port = _run_env(workspace, pm).get("PORT", "")
    if not port.isdigit():
        return None
    configured = str(workspace.config.section("resources").get("framework") or "")
    try:
        frameworks = collect(pm, "seedbed_frameworks", Framework, "framework")
        found = [
            (framework, detection)
            for name, framework in frameworks.items()
            if not configured or name == configured
            if (detection := framework.detect(workspace)) is not None
        ]
        if len(found) != 1:
            return None
        framework, detection = found[0]
        command = framework.serve_command(workspace, detection, int(port))
    except SeedbedError:  # no launch configuration rather than no editor files
        return None
    return DevServer(framework.name, int(port), tuple(command.argv), dict(command.env))


def _run_env(workspace: Workspace, pm: pluggy.PluginManager) -> dict[str, str]:
    merged: dict[str, str] = {}
    # pluggy returns results last-registered first; apply in registration order.
    for values in reversed(pm.hook.seedbed_run_env(workspace=workspace)):
        merged.update(values)
    return merged


def write_all(
    workspace: Workspace, server: DevServer | None, facts: Tracking | None = None
) -> Sequence[Written]:
    """settings.json, extensions.json and (with a dev server) launch.json;
    facts: git's answers about them, asked once (else asked here, once)."""
    root = workspace.root
    facts = facts or tracking(root, (SETTINGS, EXTENSIONS, LAUNCH))
    written = [
        leads_out(root, SETTINGS)
        or left_alone(root, SETTINGS, facts)
        or write_settings(workspace),
        leads_out(root, EXTENSIONS)
        or left_alone(root, EXTENSIONS, facts)
        or write_extensions(workspace),
    ]
    launch = None
    if server is not None:
        launch = (
            leads_out(root, LAUNCH)
            or left_alone(root, LAUNCH, facts)
            or write_launch(workspace, server)
        )
    if launch is not None:
        written.append(launch)
    return written
