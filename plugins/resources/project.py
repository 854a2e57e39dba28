"""The database the project expects, read from the project itself.

`resources.database = "auto"` (the default) asks the project:
- the engine: Django settings (an ENGINE or a default URL naming PostgreSQL or
  SQLite), DATABASE_URL in `.env.example`, a `postgres` service in a compose
  file, alembic.ini's `sqlalchemy.url`; PostgreSQL when any of them says so,
  else SQLite;
- whether the app reads DATABASE_URL: the Django settings module (any file of a
  settings package) or, for other frameworks, the project's modules mention
  `DATABASE_URL`, `env.db(`, `dj_database_url` or `db_url(`; or `.env.example`
  declares DATABASE_URL. Only then is DATABASE_URL written and a database made
  per worktree; otherwise seedbed reports the database the app really uses
  (Django's `BASE_DIR / "db.sqlite3"`: the worktree's `db.sqlite3`).

Settings and modules are parsed, never imported (comments and docstrings do
not count); bounded like detection.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from seedbed.core.discovery import Found, folder, project_files, read_small
from seedbed.plugins.resources import dotenv

if TYPE_CHECKING:
    from seedbed.core.workspace import Workspace

READS_URL = re.compile(r"DATABASE_URL|\benv\.db\(|dj_database_url|\bdb_url\(")
POSTGRES = re.compile(
    r"django\.db\.backends\.postgresql|django\.contrib\.gis\.db\.backends\.postgis"
    r"|\bpostgres(?:ql|is)?(?:\+\w+)?://"
)
SQLITE = re.compile(r"django\.db\.backends\.sqlite3|\bsqlite(?:\+\w+)?:///")
# The URL a settings file falls back to when DATABASE_URL is unset:
# os.environ.get("DATABASE_URL", "postgres:///x"), env.db("DATABASE_URL",
# default="..."), dj_database_url.config(default="...").
DEFAULT_URL = re.compile(
    r"""DATABASE_URL["']\s*,\s*(?:default\s*=\s*)?f?["'](\w+(?:\+\w+)?)://"""
    r"""|\bconfig\([^)]*?default\s*=\s*f?["'](\w+(?:\+\w+)?)://"""
)
SQLITE_FILE = re.compile(r"""["']([\w-][\w.-]*\.(?:sqlite3?|db))["']""")
COMPOSE_POSTGRES = re.compile(r"(?m)^\s*image:\s*['\"]?(?:\S+/)?(?:postgres|postgis)\b")
EXAMPLES = (".env.example", ".env.sample", ".env.template", ".env.dist")
COMPOSE = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")


@dataclass(frozen=True)
class Expected:
    """What the project says about its database."""

    engine: str  # "postgres" | "sqlite"
    reads_url: bool
    evidence: tuple[str, ...] = ()
    app_file: str = ""  # the SQLite file the app uses when it reads no URL


def settings_files(workspace: Workspace, item: Found) -> list[Path]:
    """The Django settings module's files (every module of a settings package)."""
    settings = next(
        (e.removeprefix("settings ") for e in item.detection.evidence if " " in e), ""
    )
    if not settings:
        return []
    base = folder(workspace, item.detection)
    parts = settings.split(".")
    module = base.joinpath(*parts)
    if module.with_suffix(".py").is_file():
        package = module.parent
        if (package / "__init__.py").is_file() and len(parts) > 2:
            return sorted(package.glob("*.py"))  # config/settings/{base,local}.py
        return [module.with_suffix(".py")]
    if (module / "__init__.py").is_file():
        return sorted(module.glob("*.py"))
    return []


def code_text(path: Path) -> str:
    """The module's code without comments and docstrings (ast.unparse of the
    tree with every docstring dropped); "" when it does not parse."""
    text = read_small(path)
    if not text:
        return ""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return ""
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and _is_docstring(body[0]):
            body.pop(0)
            if not body:
                body.append(ast.Pass())
    try:
        return ast.unparse(tree)
    except (ValueError, RecursionError):
        return ""


def _is_docstring(node: ast.stmt) -> bool:
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _texts(workspace: Workspace, found: Sequence[Found]) -> list[tuple[str, str]]:
    """(label, text) of the files that decide the database."""
    root = workspace.root
    out: list[tuple[str, str]] = []
    django = [item for item in found if item.name == "django"]
    for item in django:
        for path in settings_files(workspace, item):
            out.append((str(path.relative_to(root)), code_text(path)))
    if found and not django:
        for path in project_files(workspace):
            parts = path.relative_to(root).parts
            if {"tests", "test", "examples", "docs"}.intersection(parts[:-1]):
                continue
            text = read_small(path)
            if READS_URL.search(text) or POSTGRES.search(text):
                out.append((str(path.relative_to(root)), code_text(path)))
    return out


def expected(workspace: Workspace, found: Sequence[Found]) -> Expected:
    root = workspace.root
    evidence: list[str] = []
    reads_url = False
    engine = ""
    sqlite_default = ""
    for label, text in _texts(workspace, found):
        if READS_URL.search(text):
            reads_url = True
            evidence.append(f"{label} reads DATABASE_URL")
        default = DEFAULT_URL.search(text)
        scheme = (default.group(1) or default.group(2)) if default else ""
        if scheme and not engine:
            # The URL the settings fall back to decides what a worktree runs.
            engine = "postgres" if POSTGRES.match(scheme + "://") else "sqlite"
            evidence.append(f"{label} defaults to {scheme}://")
        elif not scheme and SQLITE.search(text):
            sqlite_default = label
        if not engine and POSTGRES.search(text):
            engine = "postgres"
            evidence.append(f"{label} names PostgreSQL")
    if (
        engine == "postgres"
        and sqlite_default
        and not any("defaults to" in e for e in evidence)
    ):
        # Settings naming both with no default URL fall back to SQLite when
        # DATABASE_URL is unset (the PostgreSQL branch is for deployments).
        engine = "sqlite"
        evidence.append(f"{sqlite_default} defaults to SQLite")
    for name in EXAMPLES:
        url = dotenv.read(root / name).get("DATABASE_URL", "")
        if url:
            reads_url = True
            evidence.append(f"{name} DATABASE_URL")
            if engine != "postgres" and POSTGRES.match(url):
                engine = "postgres"
    if not engine and not sqlite_default:
        for name in COMPOSE:
            if COMPOSE_POSTGRES.search(read_small(root / name)):
                engine = "postgres"
                evidence.append(f"{name}: a postgres service")
                break
    if not engine:
        for item in found:
            ini = folder(workspace, item.detection) / "alembic.ini"
            match = re.search(r"(?m)^\s*sqlalchemy\.url\s*=\s*(\S+)", read_small(ini))
            if match and POSTGRES.match(match.group(1)):
                engine = "postgres"
                evidence.append(f"{ini.relative_to(root)} sqlalchemy.url")
    app_file = ""
    if not reads_url:
        app_file = _app_sqlite(workspace, found)
    return Expected(engine or "sqlite", reads_url, tuple(evidence), app_file)


def _app_sqlite(workspace: Workspace, found: Sequence[Found]) -> str:
    """The SQLite file Django settings name (`BASE_DIR / "db.sqlite3"`), as an
    absolute path in the worktree; "" when none is named."""
    for item in found:
        if item.name != "django":
            continue
        for path in settings_files(workspace, item):
            text = code_text(path)
            if not SQLITE.search(text):
                continue
            names = [
                m for m in SQLITE_FILE.findall(text) if not m.startswith("django.")
            ]
            if names:
                base = folder(workspace, item.detection)
                return str(base / names[0])
    return ""
