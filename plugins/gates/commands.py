"""`seedbed gate` and `seedbed init`: thin click wrappers over the modules beside."""

from __future__ import annotations

import os
from pathlib import Path

import click

from core.cli.output import emit_json, json_option
from core.errors import EXIT_FAILED
from core.gates import STAGES


@click.command("gate")
@click.option(
    "--stage",
    type=click.Choice(STAGES),
    help="Only the gates of this stage (default: every gate not marked manual).",
)
@click.option(
    "--only",
    "only",
    multiple=True,
    metavar="NAME",
    help="Only this gate (repeat, or separate with commas).",
)
@click.option(
    "--all-files", is_flag=True, help="Give every tracked file to file-based gates."
)
@click.argument("files", nargs=-1, type=click.Path())
@json_option
def gate(
    stage: str | None,
    only: tuple[str, ...],
    all_files: bool,
    files: tuple[str, ...],
    as_json: bool,
) -> int:
    """Run the quality gates (format, lint, types, tests, secrets, lock,
    migrations) in this worktree's environment, as the pre-commit hooks do.

    FILES limit file-based gates (format, lint, secrets) to those files; without
    them, ruff and mypy check the project and secrets scans the staged files.
    Exits 1 when any gate fails.
    """
    from core import app as application
    from core.gates import run_gates
    from plugins.gates import files as filelists
    from plugins.gates import render

    app = application.load()
    root = app.workspace.root
    names = [n.strip() for item in only for n in item.split(",") if n.strip()]
    chosen = [_relative(root, f) for f in files]
    if all_files:
        chosen = filelists.tracked(root)
    results = run_gates(app, stage=stage, only=names, files=chosen)
    passed = all(r.passed for r in results)
    if as_json:
        emit_json(
            {
                "passed": passed,
                "stage": stage,
                "gates": [r.as_dict() for r in results],
            }
        )
    else:
        if results:
            click.echo(render.table(results))
        else:
            click.echo(f"no gates at stage {stage}")
        for line in render.details(results):
            click.echo(line, err=True)
    return 0 if passed else EXIT_FAILED


def _relative(root: Path, name: str) -> str:
    path = Path(os.path.abspath(name))
    try:
        return str(path.relative_to(root))
    except ValueError:
        return name


@click.command("init")
@click.option(
    "--repo",
    metavar="URL",
    help="Use seedbed's hooks from this hook repository (default: local hooks "
    "running the installed seedbed).",
)
@click.option("--rev", metavar="REV", help="The hook repository's tag or commit.")
@json_option
def init(repo: str | None, rev: str | None, as_json: bool) -> int:
    """Add seedbed's hooks to .pre-commit-config.yaml and write [tool.seedbed]
    defaults into pyproject.toml; both keep what is already there."""
    from core import app as application
    from core.gates import load_gates, stage_of
    from plugins.gates import initialise

    app = application.load()
    root = app.workspace.root
    settings = app.workspace.config.section("gates")
    stages = {
        name: stage_of(g, settings) for name, g in load_gates(app.registry.pm).items()
    }
    changes = [
        initialise.precommit_config(root, stages, repo, rev),
        initialise.seedbed_table(root, app.registry.config_keys()),
    ]
    if as_json:
        emit_json({"changes": [c.as_dict() for c in changes]})
    else:
        for change in changes:
            click.echo(f"{change.action:9} {change.path}  {change.detail}".rstrip())
        click.echo(
            "next: pre-commit install  (installs the pre-commit, pre-push and "
            "post-checkout hooks listed in default_install_hook_types)"
        )
    return 0
