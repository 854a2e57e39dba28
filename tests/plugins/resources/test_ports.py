"""The per-user port registry: stable blocks, never shared, busy ports skipped."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import socket
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import pytest
from seedbed.core.errors import EXIT_BUSY, EXIT_CONFIG, SeedbedError
from seedbed.plugins.resources import ports

from tests.factories.servers import free_range


def test_a_block_is_stable_and_keyed_by_worktree(tmp_path: Path) -> None:
    registry = ports.Registry(tmp_path / "home")
    low, high = free_range()
    first, new = registry.allocate(tmp_path / "a", (low, high), 10, "proj")
    assert new and first.start == low and first.size == 10
    again, new_again = registry.allocate(tmp_path / "a", (low, high), 10, "proj")
    assert again == first and not new_again
    other, _ = registry.allocate(tmp_path / "b", (low, high), 10, "proj")
    assert other.start == low + 10
    assert ports.Registry(tmp_path / "home").get(tmp_path / "a") == first
    data = json.loads((tmp_path / "home" / "ports.json").read_text())
    assert set(data["blocks"]) == {str(tmp_path / "a"), str(tmp_path / "b")}


def test_the_default_home_is_seedbed_home(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SEEDBED_HOME", str(tmp_path / "h"))
    assert ports.Registry().path == tmp_path / "h" / "ports.json"
    monkeypatch.delenv("SEEDBED_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert ports.Registry().path == tmp_path / "data" / "seedbed" / "ports.json"


def test_a_port_held_by_another_process_is_skipped(tmp_path: Path) -> None:
    low, high = free_range()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", low + 3))  # inside the first block
        holder.listen()
        assert not ports.port_free(low + 3)
        block, _ = ports.Registry(tmp_path).allocate(tmp_path / "a", (low, high), 10)
    assert block.start == low + 10
    assert ports.port_free(low + 3)  # released by its holder: free again


def test_release_frees_the_block_for_the_next_worktree(tmp_path: Path) -> None:
    registry = ports.Registry(tmp_path)
    low, high = free_range()
    first, _ = registry.allocate(tmp_path / "a", (low, high), 5)
    assert registry.release(tmp_path / "a") == first
    assert registry.release(tmp_path / "a") is None
    reused, _ = registry.allocate(tmp_path / "b", (low, high), 5)
    assert reused.start == first.start


def test_a_changed_block_size_reallocates(tmp_path: Path) -> None:
    registry = ports.Registry(tmp_path)
    low, high = free_range()
    small, _ = registry.allocate(tmp_path / "a", (low, high), 5)
    bigger, new = registry.allocate(tmp_path / "a", (low, high), 20)
    assert new and bigger.size == 20 and len(registry.blocks()) == 1
    assert small.size == 5


def test_an_exhausted_range_is_a_clear_error(tmp_path: Path) -> None:
    registry = ports.Registry(tmp_path)
    low, _ = free_range()
    registry.allocate(tmp_path / "a", (low, low + 9), 10)
    with pytest.raises(SeedbedError) as caught:
        registry.allocate(tmp_path / "b", (low, low + 9), 10)
    assert caught.value.exit_code == EXIT_BUSY
    assert "seedbed gc" in caught.value.hint
    assert registry.get(tmp_path / "b") is None


@pytest.mark.parametrize("text", ["8000", "9000-8000", "80-90", "a-b", "8000-70000"])
def test_a_malformed_range_is_a_config_error(text: str) -> None:
    with pytest.raises(SeedbedError) as caught:
        ports.parse_range(text)
    assert caught.value.exit_code == EXIT_CONFIG
    assert text in caught.value.message


def _allocate_in_a_process(args: tuple[str, str, int, int]) -> int:
    home, worktree, low, high = args
    block, _ = ports.Registry(Path(home)).allocate(Path(worktree), (low, high), 10)
    return block.start


def test_twenty_concurrent_allocations_get_twenty_distinct_blocks(
    tmp_path: Path,
) -> None:
    low, high = free_range(400)
    home = str(tmp_path / "home")
    jobs = [(home, str(tmp_path / f"wt{i}"), low, high) for i in range(20)]
    # Separate processes, as twenty `git worktree add` hooks would be.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(10, mp_context=context) as pool:
        starts = list(pool.map(_allocate_in_a_process, jobs))
    assert len(set(starts)) == 20
    blocks = ports.Registry(Path(home)).blocks()
    assert len(blocks) == 20
    for a, b in itertools.pairwise(blocks):
        assert a.end < b.start  # no overlap


def test_concurrent_threads_share_the_lock_too(tmp_path: Path) -> None:
    low, high = free_range(400)
    registry_home = tmp_path / "home"

    def allocate(i: int) -> int:
        block, _ = ports.Registry(registry_home).allocate(
            tmp_path / f"t{i}", (low, high), 10
        )
        return block.start

    with ThreadPoolExecutor(20) as pool:
        starts = list(pool.map(allocate, range(20)))
    assert len(set(starts)) == 20


def test_an_unreadable_registry_is_named(tmp_path: Path) -> None:
    (tmp_path / "ports.json").write_text("{not json")
    with pytest.raises(SeedbedError) as caught:
        ports.Registry(tmp_path).blocks()
    assert "ports.json" in caught.value.message
