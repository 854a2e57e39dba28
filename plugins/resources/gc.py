"""Release what removed worktrees held: port blocks and PostgreSQL databases.

Resources first, records last, so an interrupted gc resumes where it stopped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from seedbed.core.types import GcAction
from seedbed.plugins.resources import database, ports
from seedbed.plugins.resources.settings import user_password

PLUGIN = "resources"


def release_ports(common_dir: Path, live: set[str], dry_run: bool) -> list[GcAction]:
    actions: list[GcAction] = []
    registry = ports.Registry()
    for block in registry.blocks():
        ours = block.common_dir == str(common_dir)
        # A block whose repository is gone has nobody left to release it.
        orphan = bool(block.common_dir) and not Path(block.common_dir).exists()
        if (ours and block.worktree not in live) or orphan:
            if not dry_run:
                registry.release(block.worktree)
            actions.append(
                GcAction(PLUGIN, f"port block {block.label}", block.worktree, True)
            )
    return actions


def drop_databases(common_dir: Path, live: set[str], dry_run: bool) -> list[GcAction]:
    actions: list[GcAction] = []
    records = database.Records(common_dir)
    password = user_password()
    for worktree, db in sorted(records.all().items()):
        if worktree in live:
            continue
        resource = db.label
        if dry_run:
            actions.append(GcAction(PLUGIN, resource, worktree, True))
            continue
        if db.server is not None and password:
            db = replace(db, server=replace(db.server, password=password))
        try:
            database.drop(db)
        except Exception as exc:  # reported; the record stays for the next gc
            actions.append(GcAction(PLUGIN, resource, worktree, False, str(exc)))
            continue
        records.remove(worktree)  # records last: an interrupted gc resumes
        actions.append(GcAction(PLUGIN, resource, worktree, True))
    return actions


def collect(
    common_dir: Path, live_worktrees: Sequence[Path], dry_run: bool
) -> list[GcAction]:
    live = {str(path) for path in live_worktrees}
    return [
        *release_ports(common_dir, live, dry_run),
        *drop_databases(common_dir, live, dry_run),
    ]
