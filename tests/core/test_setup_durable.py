"""Which writes a setup makes durable (fsync before the rename) and why a
setup's own state files need not be: a crash may leave such a file empty or
torn, and every reader takes that as "not ready" (the ready marker is sealed
by its hash in the git dir), so the next setup simply runs again."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from seedbed.core import files, state
from seedbed.core.setup import run_setup

from tests.conftest import require
from tests.core.setup_helpers import make_app
from tests.factories.projects import uv_project


@pytest.fixture
def project(tmp_path: Path, offline: Path) -> Path:
    require("uv")
    return uv_project(tmp_path / "proj", offline)


@pytest.fixture
def fsynced(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files os.fsync is called on (the real call still happens)."""
    seen: list[str] = []
    real = os.fsync

    def noting(fd: int) -> None:
        seen.append(os.readlink(f"/proc/self/fd/{fd}"))
        real(fd)

    monkeypatch.setattr(os, "fsync", noting)
    return seen


def test_durable_is_the_default_and_false_skips_only_the_fsync(
    tmp_path: Path, fsynced: list[str]
) -> None:
    durable, quick = tmp_path / "durable.json", tmp_path / "quick.json"
    files.write_json_atomic(durable, {"a": 1}, mode=0o640)
    files.write_json_atomic(quick, {"a": 1}, mode=0o640, durable=False)
    assert durable.read_text() == quick.read_text() == '{\n  "a": 1\n}\n'
    assert (quick.stat().st_mode & 0o777) == 0o640
    assert len(fsynced) == 1 and fsynced[0].startswith(str(tmp_path / ".durable"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["durable.json", "quick.json"]


def test_a_lock_change_setup_fsyncs_none_of_its_state_files(
    project: Path, fsynced: list[str]
) -> None:
    assert run_setup(make_app(project)).ok
    fsynced.clear()
    lock = project / "uv.lock"
    lock.write_text(lock.read_text() + "\n")  # a changed lock: a real re-sync
    outcome = run_setup(make_app(project), "checkout")
    assert outcome.ok and not outcome.skipped, outcome.error
    assert state.is_in_sync(project)
    ours = [p for p in fsynced if str(project) in p]
    assert ours == [], ours


@pytest.mark.parametrize("torn", [b"", b"\0" * 64, b'{"fingerprint": "'])
def test_a_torn_marker_is_not_ready_and_the_next_setup_runs(
    project: Path, torn: bytes
) -> None:
    """What a crash may leave of a marker written without fsync."""
    assert run_setup(make_app(project)).ok
    marker = project / ".seedbed" / state.READY
    marker.write_bytes(torn)
    assert state.read_ready(project) is None
    assert not state.is_in_sync(project)
    again = run_setup(make_app(project), "checkout")
    assert again.ok and not again.skipped, again.error
    assert state.read_ready(project) is not None and state.is_in_sync(project)


def test_a_torn_running_record_does_not_stop_the_next_setup(project: Path) -> None:
    """last.json and step-running.json are not durable either: a garbled one
    is read as none (no leftover to stop, no attempt to report)."""
    assert run_setup(make_app(project)).ok
    folder = project / ".seedbed"
    (folder / state.LAST).write_bytes(b"\0" * 16)
    (folder / "step-running.json").write_bytes(b"")
    assert state.read_json(folder / state.LAST) is None
    outcome = run_setup(make_app(project), "manual", recreate=True)
    assert outcome.ok, outcome.error
    assert state.read_json(folder / state.LAST) is not None
