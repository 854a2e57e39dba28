"""Port blocks follow a linked worktree across `git worktree move` (real git)."""

from __future__ import annotations

import json
from pathlib import Path

from seedbed.plugins.resources import gc, ports

from tests.factories.git import git
from tests.factories.servers import free_range


def test_a_moved_worktree_keeps_its_block(repo: Path, tmp_path: Path) -> None:
    registry = ports.Registry(tmp_path / "home")
    span = free_range(200)
    old = tmp_path / "wt-old"
    git("worktree", "add", "-q", str(old), "-b", "feature", cwd=repo)
    block, new = registry.allocate(old, span, 10, "project")
    main_block, _ = registry.allocate(repo, span, 10, "project")
    assert new and block.admin_dir.endswith("worktrees/wt-old")
    moved = tmp_path / "elsewhere" / "wt-new"
    moved.parent.mkdir()
    git("worktree", "move", str(old), str(moved), cwd=repo)
    # Found at the new path before any setup ran there (ls, gc, serve).
    assert registry.get(moved) == ports.Block(
        **{**block.__dict__, "worktree": str(moved)}
    )
    assert registry.get(old) is None or registry.get(old).worktree == str(moved)
    # The next setup gets the same block, without probing, and no new key.
    again, new_again = registry.allocate(moved, span, 10, "project")
    assert (again.start, new_again) == (block.start, False)
    keys = set(json.loads(registry.path.read_text())["blocks"])
    assert keys == {block.admin_dir, str(repo)}
    registry_home = tmp_path / "home"
    assert registry_home.is_dir()
    assert main_block.start != block.start


def test_gc_after_a_move_keeps_the_block(
    repo: Path, tmp_path: Path, monkeypatch: object
) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    home = tmp_path / "home"
    monkeypatch.setenv("SEEDBED_HOME", str(home))
    registry = ports.Registry(home)
    span = free_range(200)
    old = tmp_path / "wt-a"
    git("worktree", "add", "-q", str(old), "-b", "a", cwd=repo)
    common = Path(
        git("rev-parse", "--path-format=absolute", "--git-common-dir", cwd=repo)
    )
    block, _ = registry.allocate(old, span, 10, "project", common)
    moved = tmp_path / "wt-a-moved"
    git("worktree", "move", str(old), str(moved), cwd=repo)
    actions = gc.release_ports(common, {str(repo), str(moved)}, dry_run=False)
    assert actions == []
    assert registry.get(moved) is not None
    # Removed with git: the next gc releases it (by its current path).
    git("worktree", "remove", str(moved), cwd=repo)
    actions = gc.release_ports(common, {str(repo)}, dry_run=False)
    assert [a.worktree for a in actions] == [str(moved)]
    assert registry.blocks() == []
    assert block.start >= span[0]


def test_a_block_keyed_by_path_is_rekeyed(repo: Path, tmp_path: Path) -> None:
    """Registries written before admin-dir keys keep their blocks."""
    home = tmp_path / "home"
    tree = tmp_path / "wt-legacy"
    git("worktree", "add", "-q", str(tree), "-b", "legacy", cwd=repo)
    span = free_range(200)
    home.mkdir()
    legacy = {"start": span[0], "size": 10, "worktree": str(tree)}
    (home / "ports.json").write_text(
        json.dumps({"version": 1, "blocks": {str(tree): legacy}})
    )
    registry = ports.Registry(home)
    block, new = registry.allocate(tree, span, 10)
    assert (block.start, new) == (span[0], False)
    keys = set(json.loads(registry.path.read_text())["blocks"])
    assert keys == {ports.admin_dir(tree)}
