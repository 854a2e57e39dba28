"""Fast migrations for the next worktree: clone a sibling's migrated database.

After a worktree's migrations ran, `<common dir>/seedbed/migrated.json` records
its database and a fingerprint of the migration files (every `.py` file under a
`migrations/`, `versions/` or `alembic/` folder of the project). A new worktree
whose migration files have the same fingerprint starts from a copy of that
database (SQLite: the backup API; PostgreSQL: CREATE DATABASE ... TEMPLATE) and
its migrate step then only checks that nothing is left to apply. A sibling
whose database is busy (a PostgreSQL template must have no connections) or gone
is passed over: the worktree migrates from scratch, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from seedbed.core import files
from seedbed.core.discovery import project_files
from seedbed.core.errors import ConfigError
from seedbed.plugins.resources import database as db
from seedbed.plugins.resources.database import Database

if TYPE_CHECKING:
    from seedbed.core.workspace import Workspace

RECORDS = "migrated.json"
FOLDERS = frozenset({"migrations", "versions", "alembic"})


def fingerprint(workspace: Workspace) -> str:
    """Hash of the migration files' paths and contents; "" when there are none."""
    digest = hashlib.sha256()
    count = 0
    root = workspace.root
    for path in sorted(project_files(workspace)):
        relative = path.relative_to(root)
        if not FOLDERS.intersection(relative.parts[:-1]):
            continue
        with contextlib.suppress(OSError):
            digest.update(str(relative).encode() + b"\0" + path.read_bytes() + b"\0")
            count += 1
    return digest.hexdigest() if count else ""


def _file(common_dir: Path) -> files.LockedJSON:
    return files.LockedJSON(common_dir / "seedbed" / RECORDS)


def record(workspace: Workspace, database: Database) -> None:
    """This worktree's database is migrated to its migration files."""
    value = fingerprint(workspace)
    if not value:
        return
    with _file(workspace.common_dir).update() as entries:
        entries[str(workspace.root)] = {
            "fingerprint": value,
            "database": database.as_dict(),
        }


def forget(workspace: Workspace) -> None:
    with _file(workspace.common_dir).update() as entries:
        entries.pop(str(workspace.root), None)


def donor(workspace: Workspace, target: Database) -> Database | None:
    """A sibling's database migrated to the same files, same engine and server."""
    value = fingerprint(workspace)
    if not value:
        return None
    with _file(workspace.common_dir).update() as entries:
        found = dict(entries)
    for worktree, entry in sorted(found.items()):
        if worktree == str(workspace.root) or not Path(worktree).is_dir():
            continue
        if not isinstance(entry, dict) or entry.get("fingerprint") != value:
            continue
        source = _database(entry.get("database"), target)
        if source is not None and db.exists(source):
            return source
    return None


def _database(entry: object, target: Database) -> Database | None:
    if not isinstance(entry, dict):
        return None
    try:
        server_url = str(entry.get("server", ""))
        if server_url != (target.server.url if target.server else ""):
            return None
        if str(entry["engine"]) != target.engine:
            return None
        return Database(
            target.engine,
            str(entry["name"]),
            str(entry.get("test_name", "")),
            target.server,  # the same server, with this run's credentials
            bool(entry.get("managed", True)),
        )
    except (KeyError, ValueError, ConfigError):
        return None


def clone_from_sibling(workspace: Workspace, target: Database) -> str:
    """Copy a sibling's migrated database into target; the sibling's name, or ""."""
    source = donor(workspace, target)
    if source is None:
        return ""
    return source.name if db.clone(source, target) else ""
