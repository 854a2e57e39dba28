"""The hooks built-in commands collect from plugins (seedbed_doctor,
seedbed_worktree_summary, seedbed_init_files): a plugin outside seedbed's own
families contributes by implementing them, nothing else."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import pluggy
from seedbed.core import hookspecs
from seedbed.core.contributions import DoctorCheck, WrittenFile
from seedbed.core.hookspecs import hookimpl
from seedbed.core.plugins import Registry


class RedisPlugin:
    """A third party's checks and columns."""

    def __init__(self) -> None:
        self.fixed: list[str] = []

    @hookimpl
    def seedbed_doctor(self) -> list[DoctorCheck]:
        def start() -> str:
            self.fixed.append("redis")
            return "started redis"

        return [
            DoctorCheck("redis", "ok", "redis: found"),
            DoctorCheck("redis:server", "error", "redis: down", "start it", start),
        ]

    @hookimpl
    def seedbed_worktree_summary(
        self, worktrees: list[Path]
    ) -> dict[Path, dict[str, Any]]:
        return {worktrees[0]: {"redis_db": 3}}


def registry(*plugins: object) -> Registry:
    pm = pluggy.PluginManager("seedbed")
    pm.add_hookspecs(hookspecs)
    for plugin in plugins:
        pm.register(plugin)
    return Registry(pm, {})


def test_doctor_shows_and_fixes_a_plugins_checks() -> None:
    from seedbed.core.app import App
    from seedbed.plugins.lifecycle.diagnosis import apply_fixes, remaining
    from seedbed.plugins.lifecycle.doctor import check_plugins

    app = App(cast("Any", None), registry(RedisPlugin()))
    found = check_plugins(app)
    assert [(d.check, d.status, d.fixable) for d in found] == [
        ("redis", "ok", False),
        ("redis:server", "error", True),
    ]
    assert remaining(found) == 1
    apply_fixes(found)
    assert found[1].fixed and found[1].did == "started redis"
    assert found[1].as_dict()["status"] == "fail" and remaining(found) == 0


def test_worktree_summaries_are_collected_once_for_all_worktrees(
    tmp_path: Path,
) -> None:
    trees = [tmp_path / "main", tmp_path / "feat"]
    hook = registry(RedisPlugin()).pm.hook
    summaries = hook.seedbed_worktree_summary(common_dir=tmp_path, worktrees=trees)
    assert summaries == [{trees[0]: {"redis_db": 3}}]


def test_the_editors_written_record_satisfies_the_contract(tmp_path: Path) -> None:
    from seedbed.plugins.editors.files import Written

    written = Written(tmp_path / "x", "created")
    assert isinstance(written, WrittenFile)
    assert written.as_dict()["result"] == "created"
