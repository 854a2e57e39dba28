"""`seedbed gate` and `seedbed init`: thin click wrappers over the modules beside."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click
from seedbed.core.cli.output import emit_json, json_option
from seedbed.core.errors import EXIT_FAILED
from seedbed.core.types import STAGES


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
    from seedbed.core import app as application
    from seedbed.plugins.gates import files as filelists
    from seedbed.plugins.gates import render
    from seedbed.plugins.gates.run import run_gates

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
@click.option(
    "--agents/--no-agents",
    default=None,
    help="Write the agent tools' setup entries (Cursor, Conductor, Codex, Claude "
    "Code). Asked when a terminal is attached.",
)
@click.option(
    "--ci",
    type=click.Choice(["github"]),
    default=None,
    help="Write a CI workflow that runs the gates. Asked when a terminal is attached.",
)
@json_option
def init(
    repo: str | None,
    rev: str | None,
    agents: bool | None,
    ci: str | None,
    as_json: bool,
) -> int:
    """Add seedbed's hooks to .pre-commit-config.yaml and write [tool.seedbed]
    defaults into pyproject.toml; both keep what is already there. Idempotent.

    Interactive when a terminal is attached (asks about --agents and --ci);
    flags only otherwise.
    """
    from seedbed.core import app as application
    from seedbed.plugins.gates import initialise
    from seedbed.plugins.gates.run import load_gates, stage_of

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
    interactive = sys.stdin.isatty() and not as_json  # never prompt a script
    if agents is None:
        agents = interactive and click.confirm(
            "Write setup entries for agent tools (Cursor, Conductor, Codex, "
            "Claude Code)?",
            default=True,
        )
    if (
        ci is None
        and interactive
        and click.confirm(
            "Write a GitHub Actions workflow running the gates?", default=False
        )
    ):
        ci = "github"
    # The files themselves are the editors family's (seedbed_init_files).
    written = app.registry.pm.hook.seedbed_init_files(
        workspace=app.workspace, agents=bool(agents), ci=ci or ""
    )
    files = [item for found in reversed(written) for item in found]
    # The pre-commit route has no `hooks install`: the configuration init just
    # wrote at the user's request is the one a checkout may act on.
    from seedbed.core import trust

    trusted = trust.record(
        app.workspace.common_dir, trust.snapshot(root), "seedbed init"
    ).record
    if as_json:
        emit_json(
            {
                "changes": [c.as_dict() for c in changes],
                "files": [w.as_dict() for w in files],
                "trust": {"digest": trusted["digest"], "how": trusted["how"]},
            }
        )
    else:
        for change in changes:
            click.echo(f"{change.action:9} {change.path}  {change.detail}".rstrip())
        for written in files:
            click.echo(f"{written.status:9} {written.path}  {written.note}".rstrip())
        click.echo("trusted   this seedbed configuration for checkouts (seedbed trust)")
        click.echo(
            "next: pre-commit install  (installs the pre-commit, pre-push and "
            "post-checkout hooks listed in default_install_hook_types)"
        )
    return EXIT_FAILED if any(w.status == "skipped" for w in files) else 0


@click.group("secrets")
def secrets() -> None:
    """The secrets gate's accepted findings (a detect-secrets baseline)."""


@secrets.command("baseline")
@json_option
def secrets_baseline(as_json: bool) -> int:
    """Accept the current findings: scan every tracked file (and the files
    .worktreeinclude names) and write the baseline (`secrets_baseline`,
    default .secrets.baseline). Commit it; the secrets gate then reports only
    new findings. Review the findings first: `seedbed gate --all-files --only
    secrets`.
    """
    from seedbed.core import app as application
    from seedbed.plugins.gates import files as filelists
    from seedbed.plugins.gates.secret_scan import write_baseline
    from seedbed.plugins.gates.settings import BASELINE

    app = application.load()
    root = app.workspace.root
    settings = app.workspace.config.section("gates")
    name = str(settings.get("secrets_baseline") or BASELINE)
    names = [
        n
        for n in dict.fromkeys(
            [*filelists.tracked(root), *filelists.worktree_included(root)]
        )
        if n != name and (root / n).is_file() and not (root / n).is_symlink()
    ]
    accepted = write_baseline(root, names, root / name)
    if as_json:
        emit_json({"baseline": name, "accepted": accepted, "files": len(names)})
    else:
        click.echo(
            f"wrote {name}: {accepted} finding(s) accepted in {len(names)} file(s) "
            "scanned; commit it"
        )
    return 0
