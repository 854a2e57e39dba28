"""`seedbed doctor`: is this machine and repository set up for seedbed to work?

Each check returns diagnoses (ok, info, warn, error), each with the fix to apply.
`--fix` applies the safe fixes: those that change only what seedbed made and can
make again (its git hooks, a worktree's environment, damaged state: see
plugins/lifecycle/repairs.py). Fixes that touch git's own records or the user's
configuration (`git worktree prune`, core.hooksPath) are only shown.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click
from seedbed.core.cli.output import disk_errors, emit_json, json_option, table
from seedbed.plugins.lifecycle.diagnosis import (
    SEVERITY,
    Diagnosis,
    apply_fixes,
    remaining,
)

if TYPE_CHECKING:
    from seedbed.core.app import App
    from seedbed.core.gitfacts import GitFacts
    from seedbed.plugins.lifecycle.worktrees import Worktree

MIN_GIT = (2, 31)
# ---------------------------------------------------------------------------
# Machine
# ---------------------------------------------------------------------------


def git_version() -> tuple[int, ...] | None:
    from seedbed.plugins.lifecycle.worktrees import git_output

    match = re.search(r"(\d+)\.(\d+)(?:\.(\d+))?", git_output(Path.cwd(), "--version"))
    return tuple(int(g) for g in match.groups() if g) if match else None


def check_git() -> Diagnosis:
    version = git_version()
    shown = ".".join(map(str, version)) if version else "unknown"
    if version is None or version[:2] < MIN_GIT:
        wanted = ".".join(map(str, MIN_GIT))
        return Diagnosis(
            "git",
            "error",
            f"git {shown}: seedbed needs git {wanted} or newer",
            f"install git {wanted}+",
        )
    return Diagnosis("git", "ok", f"git {shown}")


def check_plugins(app: App) -> list[Diagnosis]:
    """Every plugin's own checks (seedbed_doctor): the gates' readiness, the
    resources' registries, ... in registration order."""
    checks = app.registry.pm.hook.seedbed_doctor(
        workspace=app.workspace, registry=app.registry
    )
    # pluggy returns results last-registered first.
    return [Diagnosis.of(check) for found in reversed(checks) for check in found]


def check_tools() -> list[Diagnosis]:
    found = []
    for tool, purpose, fix in (
        ("nu", "Nushell, for `seedbed report`", "install Nushell (nu) on PATH"),
        ("docker", "Docker, for `seedbed pod`", "install Docker, start its engine"),
    ):
        if shutil.which(tool) or (tool == "docker" and _docker_socket()):
            found.append(Diagnosis(tool, "ok", f"{purpose}: found"))
        else:
            found.append(Diagnosis(tool, "info", f"{purpose}: not found", fix))
    return found


def _docker_socket() -> bool:
    return bool(os.environ.get("DOCKER_HOST")) or Path("/var/run/docker.sock").exists()


def check_managers(app: App, used: set[str]) -> list[Diagnosis]:
    found = []
    for name, manager in sorted(app.registry.managers.items()):
        tools = manager.required_tools()
        if not tools or any(shutil.which(t) for t in tools):
            found.append(Diagnosis(f"manager:{name}", "ok", f"{name}: available"))
            continue
        status = "error" if name in used else "info"
        where = "used by this repository" if name in used else "not used here"
        found.append(
            Diagnosis(
                f"manager:{name}",
                status,
                f"{name}: {' or '.join(tools)} not on PATH ({where})",
                f"install {tools[0]}",
            )
        )
    return found


# ---------------------------------------------------------------------------
# Hooks
# ---------------------------------------------------------------------------


def check_hooks(facts: GitFacts) -> list[Diagnosis]:
    from seedbed.core import githooks

    def reinstall() -> None:
        githooks.install(facts)

    fix = "seedbed hooks install"
    found = []
    states = githooks.status(facts)
    missing = [s.name for s in states if not s.installed]
    bypass = githooks.bypassed(facts)
    if bypass:
        found.append(
            Diagnosis(
                "hooks-path",
                "error",
                f"{bypass}: new worktrees are not prepared",
                fix + " (installs them where git now looks)",
                reinstall,
            )
        )
    elif missing:
        foreign = [s.name for s in states if s.foreign]
        detail = f" ({', '.join(foreign)} not seedbed's: chained)" if foreign else ""
        found.append(
            Diagnosis(
                "hooks",
                "warn",
                f"hooks not installed in {githooks.hooks_dir(facts)}: "
                f"{', '.join(missing)}{detail}",
                fix,
                reinstall,
            )
        )
    else:
        found.append(Diagnosis("hooks", "ok", "hooks installed"))
    found.extend(_check_reachable(facts, reinstall, fix))
    return found


def _check_reachable(
    facts: GitFacts, reinstall: Callable[[], None], fix: str
) -> list[Diagnosis]:
    """The hooks run `seedbed` from PATH, else the path baked in at install."""
    from seedbed.core import githooks

    try:
        manifest = json.loads(githooks.manifest_path(facts).read_text())
    except (OSError, ValueError):
        manifest = {}
    fallback = str(manifest.get("fallback") or "") if manifest else ""
    on_path = shutil.which("seedbed")
    if fallback and not os.access(fallback, os.X_OK):
        return [
            Diagnosis(
                "hook-fallback",
                "warn" if on_path else "error",
                f"the hooks name {fallback}, which no longer exists"
                + ("" if on_path else ", and seedbed is not on PATH either"),
                fix + " (from the seedbed you use now)",
                reinstall,
            )
        ]
    if not on_path and not fallback:
        return [
            Diagnosis(
                "seedbed-on-path",
                "error",
                "seedbed is not on PATH: the hooks cannot run it",
                "install seedbed as a tool (uv tool install, pipx)",
            )
        ]
    return [Diagnosis("seedbed-on-path", "ok", f"hooks run {on_path or fallback}")]


# ---------------------------------------------------------------------------
# Worktrees
# ---------------------------------------------------------------------------


def _setup_action(path: Path, recreate: bool = False) -> Callable[[], None]:
    def run() -> None:
        from seedbed.core import app as application
        from seedbed.core import setup
        from seedbed.core.errors import SeedbedError

        outcome = setup.run_setup(
            application.load(path), trigger="doctor", recreate=recreate
        )
        if not outcome.ok:
            raise SeedbedError(outcome.error, outcome.hint, outcome.exit_code)

    return run


def _problems(app: App, root: Path, manager_name: str) -> list[str]:
    """Why the worktree's environment must be rebuilt, as its manager says."""
    from seedbed.core.workspace import Workspace

    manager = app.registry.managers.get(manager_name)
    if manager is None:
        return []
    workspace = Workspace.discover(root, app.registry.config_keys())
    return [str(p) for p in manager.problems(workspace)]


def check_worktrees(
    app: App, worktrees: Iterable[Worktree]
) -> tuple[list[Diagnosis], set[str]]:
    """Findings per worktree, and the managers the worktrees use."""
    from seedbed.core.cli.status import describe
    from seedbed.core.state import DamagedState
    from seedbed.plugins.lifecycle.worktrees import last_setup

    found: list[Diagnosis] = []
    used: set[str] = set()
    for tree in worktrees:
        where = str(tree.path)
        if tree.bare:
            continue
        if tree.gone:
            found.append(
                Diagnosis(
                    "worktree",
                    "warn",
                    f"{where}: git lists it but the folder is gone",
                    "moved: `git worktree repair NEW_PATH`; deleted: "
                    "`git worktree prune`, then `seedbed gc`",
                    worktree=where,
                )
            )
            continue
        try:
            status = describe(tree.path)["status"]
        except DamagedState:
            continue  # check_state reports it, and its fix
        manager = last_setup(tree.path)["manager"]
        if manager:
            used.add(manager)
        cd = f"cd {where} && "
        problems = (
            _problems(app, tree.path, manager) if status in ("ready", "stale") else []
        )
        if problems:
            found.append(
                Diagnosis(
                    "environment",
                    "error",
                    f"{where}: {'; '.join(problems)}",
                    cd + "seedbed setup --recreate",
                    _setup_action(tree.path, recreate=True),
                    worktree=where,
                )
            )
        elif status == "ready":
            found.append(
                Diagnosis("environment", "ok", f"{where}: ready", "", None, where)
            )
        elif status in ("stale", "interrupted"):
            found.append(
                Diagnosis(
                    "environment",
                    "warn",
                    f"{where}: {status} (the lock, the config or the worktree's "
                    "path changed, or a setup was cut short)",
                    cd + "seedbed setup",
                    _setup_action(tree.path),
                    worktree=where,
                )
            )
        elif status == "failed":
            log = describe(tree.path).get("log", "")
            found.append(
                Diagnosis(
                    "environment",
                    "error",
                    f"{where}: the last setup failed (log: {log})",
                    cd + "seedbed setup -v",
                    worktree=where,
                )
            )
        elif status == "missing":
            found.append(
                Diagnosis(
                    "environment",
                    "info",
                    f"{where}: no environment yet",
                    cd + "seedbed setup",
                    worktree=where,
                )
            )
    return found, used


# ---------------------------------------------------------------------------
# The command
# ---------------------------------------------------------------------------


def diagnose(app: App) -> list[Diagnosis]:
    from seedbed.plugins.lifecycle.repairs import check_state, check_stores
    from seedbed.plugins.lifecycle.worktrees import list_worktrees

    facts = app.workspace.facts
    trees = list_worktrees(facts.root)
    per_tree, used = check_worktrees(app, trees)
    return [
        *check_state(trees),  # first: its fixes must run before any setup
        *check_stores(facts),
        check_git(),
        *check_hooks(facts),
        *check_managers(app, used),
        *check_tools(),
        *check_plugins(app),  # before per_tree: their fixes precede any setup
        *per_tree,
    ]


@click.command("doctor")
@click.option("--fix", "fix", is_flag=True, help="Apply the safe fixes.")
@json_option
@disk_errors()
def command(fix: bool, as_json: bool) -> int:
    """Check git, hooks, tools and every worktree's environment."""
    from seedbed.core import app as application

    findings = diagnose(application.load())
    if fix:
        apply_fixes(findings)
    if as_json:
        emit_json({"findings": [f.as_dict() for f in findings]})
        return remaining(findings)
    rows = []
    for item in sorted(findings, key=lambda f: -SEVERITY[f.status]):
        result = item.fix
        if item.fixed is not None:
            result = (
                (f"fixed: {item.did}" if item.did else "fixed")
                if item.fixed
                else f"fix failed: {item.fix_error}"
            )
        rows.append([item.status, item.message, result])
    click.echo(table(rows, ["", "finding", "fix"]))
    if not fix and any(f.fixable and f.status != "ok" for f in findings):
        click.echo("run `seedbed doctor --fix` to apply the safe fixes")
    return remaining(findings)
