"""A Django project's second worktree: the environment and a migrated database.

The project is the web samples' Django site (tests/factories/web.py: `django-admin
startproject`, an app with a model and its migration, SQLite through
DATABASE_URL), turned into a uv project (pyproject + uv.lock, Django from the
local wheelhouse). Its main worktree is set up and the hooks installed. Then,
interleaved:

  * seedbed: `git worktree add` with the hook, until ready: the venv, `.env`, a
    port, and a database cloned from the main worktree's migrated one (checked:
    `.seedbed/resources.json` names the database it was cloned from);
  * anchor: bare `git worktree add` + `uv sync --frozen` +
    `.venv/bin/python manage.py migrate` (Django's own default database file).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from ratio_kit import (
    Figure,
    Worktrees,
    adopt,
    commit,
    pair,
    run,
    timed,
    within,
)

PYPROJECT = """\
[project]
name = "bench-site"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = ["django"]

[tool.uv]
package = false
"""


def django_site(root: Path, env: dict[str, str]) -> Path:
    from tests.factories.web import django_project

    main = django_project(root / "django")
    (main / "requirements.txt").unlink()
    (main / "pyproject.toml").write_text(PYPROJECT)
    run(["uv", "lock", "--offline", "-q"], main, env)
    commit(main, env, "a uv project")
    return main


def cloned(worktree: Path) -> None:
    state = json.loads((worktree / ".seedbed" / "resources.json").read_text())
    if not state.get("cloned_from"):
        sys.exit(f"{worktree}: the database was migrated, not cloned: {state}")


def bench_django(root: Path, rounds: int, env: dict[str, str]) -> list[Figure]:
    env = {k: v for k, v in env.items() if k != "DATABASE_URL"}
    main = adopt(django_site(root, env), env)
    trees = Worktrees(main, env)

    def ours() -> float:
        seconds, path = trees.add()
        cloned(path)
        return seconds

    def anchor() -> float:
        seconds, path = trees.bare()
        seconds += timed(["uv", "sync", "--frozen"], path, env)
        migrate = [".venv/bin/python", "manage.py", "migrate", "-v", "0"]
        return seconds + timed(migrate, path, env)

    return [
        Figure(
            "Django project, second worktree (hook: venv, .env, database clone)",
            "bare add + `uv sync --frozen` + `manage.py migrate`",
            within(1.0),
            "≤ 1×",
            *pair(rounds, ours, anchor),
        )
    ]
