"""`seedbed conflicts`: the conflict radar across worktrees.

For every worktree, the files changed relative to the base branch (committed
since the merge base, uncommitted, and untracked new files) are sorted into two
high-risk kinds:

- dependencies: requirements files, pyproject.toml and lock files. The same file
  changed in two worktrees conflicts at merge, and the locks need re-resolving.
- migrations: Django `migrations/NNNN_*.py` and Alembic `versions/*.py`. Two
  worktrees adding migrations to the same folder conflict even when the files
  differ (two 0005s, or two Alembic heads), so they are grouped by folder.

A risk is reported when more than one worktree touches the same file (or the
same migrations folder), with the worktrees involved and what to do.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

import click
from seedbed.core.cli.output import emit_json, json_option

LOCK_FILES = frozenset(
    {
        "uv.lock",
        "poetry.lock",
        "pdm.lock",
        "Pipfile",
        "Pipfile.lock",
        "conda-lock.yml",
        "environment.yml",
        "environment.yaml",
        "pyproject.toml",
    }
)
REQUIREMENTS = ("requirements*.txt", "requirements*.in", "constraints*.txt")
DJANGO_MIGRATION = re.compile(r"^\d{4}_\w+\.py$")

ADVICE = {
    "dependencies": (
        "let one worktree own dependency changes: merge it first, then rebase "
        "the others on it and run `seedbed setup` in each"
    ),
    "django-migrations": (
        "make the migrations sequential: merge one worktree first, then rebase "
        "the other and renumber its migration (or `manage.py makemigrations "
        "--merge`)"
    ),
    "alembic-migrations": (
        "two new revisions make two Alembic heads: merge one worktree first, "
        "then point the other's down_revision at it (or `alembic merge heads`)"
    ),
}


def classify(path: str) -> tuple[str, str] | None:
    """(kind, what conflicts: the file, or the migrations folder), or None."""
    file = PurePosixPath(path)
    parent = file.parent
    if file.name in LOCK_FILES or any(
        fnmatch.fnmatch(file.name, p) for p in REQUIREMENTS
    ):
        return "dependencies", path
    if parent.name == "requirements" and file.suffix in (".txt", ".in"):
        return "dependencies", path
    if file.suffix == ".py" and file.name != "__init__.py":
        if parent.name == "migrations" and DJANGO_MIGRATION.match(file.name):
            return "django-migrations", str(parent)
        # Alembic keeps revisions in <script dir>/versions/; the script dir is
        # conventionally alembic/ or migrations/ (Flask-Migrate).
        if parent.name == "versions" and (
            "alembic" in parent.parts or parent.parent.name == "migrations"
        ):
            return "alembic-migrations", str(parent)
    return None


@dataclass
class Risk:
    kind: str
    target: str  # a file, or a migrations folder
    worktrees: dict[str, dict[str, Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "path": self.target,
            "worktrees": [
                {"path": path, "branch": info["branch"], "files": sorted(info["files"])}
                for path, info in sorted(self.worktrees.items())
            ],
            "advice": ADVICE[self.kind],
        }


def base_branch(cwd: Path, explicit: str = "") -> str:
    """--base, else origin's default branch, else the main worktree's branch."""
    import git
    from seedbed.plugins.lifecycle.worktrees import git_output, list_worktrees

    if explicit:
        return explicit
    try:
        ref = git_output(cwd, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD")
        return ref.removeprefix("refs/remotes/")
    except git.GitCommandError:  # no remote default branch
        pass
    trees = list_worktrees(cwd)
    return trees[0].branch if trees and trees[0].branch else "main"


def changed_files(worktree: Path, base: str) -> list[str] | None:
    """Files changed relative to base's merge base (None: no common history)."""
    import git

    runner = git.Git(str(worktree))
    try:
        merge_base = str(runner.execute(["git", "merge-base", base, "HEAD"])).strip()
    except git.GitCommandError:
        return None
    changed = str(runner.execute(["git", "diff", "--name-only", merge_base]))
    untracked = str(
        runner.execute(["git", "ls-files", "--others", "--exclude-standard"])
    )
    return sorted({line for line in (changed + "\n" + untracked).splitlines() if line})


def radar(cwd: Path, base: str = "") -> dict[str, Any]:
    """Risks across every worktree git lists (folders that are gone skipped)."""
    from seedbed.plugins.lifecycle.worktrees import list_worktrees

    branch = base_branch(cwd, base)
    risks: dict[tuple[str, str], Risk] = {}
    checked, unrelated = [], []
    for tree in list_worktrees(cwd):
        if tree.gone or tree.bare:
            continue
        files = changed_files(tree.path, branch)
        if files is None:
            unrelated.append(str(tree.path))
            continue
        checked.append(str(tree.path))
        for name in files:
            found = classify(name)
            if found is None:
                continue
            risk = risks.setdefault(found, Risk(*found))
            entry = risk.worktrees.setdefault(
                str(tree.path), {"branch": tree.branch, "files": set()}
            )
            entry["files"].add(name)
    shared = [r for r in risks.values() if len(r.worktrees) > 1]
    shared.sort(key=lambda r: (r.kind, r.target))
    return {
        "base": branch,
        "worktrees_checked": checked,
        "no_common_history": unrelated,
        "conflicts": [r.as_dict() for r in shared],
    }


@click.command("conflicts")
@click.option("--base", default="", help="Base branch (default: origin's, or main's).")
@click.option("--check", is_flag=True, help="Exit 1 when a conflict risk is found.")
@json_option
def command(base: str, check: bool, as_json: bool) -> int:
    """High-risk files (deps, locks, migrations) changed in several worktrees."""
    report = radar(Path.cwd(), base)
    found = report["conflicts"]
    if as_json:
        emit_json(report)
    elif not found:
        click.echo(
            f"no conflict risk across {len(report['worktrees_checked'])} "
            f"worktree(s) (base {report['base']})"
        )
    else:
        for risk in found:
            click.echo(f"{risk['kind']}: {risk['path']}")
            for tree in risk["worktrees"]:
                branch = tree["branch"] or "(detached)"
                click.echo(f"  {tree['path']} [{branch}]: {', '.join(tree['files'])}")
            click.echo(f"  advice: {risk['advice']}")
    return 1 if check and found else 0
