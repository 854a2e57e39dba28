"""Editor files a setup creates are all template: written without fsync (a
crash that leaves one empty gets it filled again like a new one). A file that
was there holds the user's own values, merged: that write stays durable."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from seedbed.core.workspace import Workspace
from seedbed.plugins.editors import CONFIG_KEYS, vscode


@pytest.fixture
def fsynced(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files os.fsync is called on (the real call still happens)."""
    seen: list[str] = []
    real = os.fsync

    def noting(fd: int) -> None:
        seen.append(os.path.basename(os.readlink(f"/proc/self/fd/{fd}")))
        real(fd)

    monkeypatch.setattr(os, "fsync", noting)
    return seen


def test_created_without_fsync_merged_with_it(repo: Path, fsynced: list[str]) -> None:
    workspace = Workspace.discover(repo, CONFIG_KEYS)
    settings = repo / ".vscode" / "settings.json"
    assert vscode.write_settings(workspace).status == "created"
    assert fsynced == []
    settings.write_text("")  # what a crash may leave of it
    assert vscode.write_settings(workspace).status == "created"  # filled again
    assert fsynced == [] and "python.defaultInterpreterPath" in settings.read_text()
    settings.write_text('{"editor.rulers": [100]}\n')  # the user's own
    assert vscode.write_settings(workspace).status == "updated"
    assert len(fsynced) == 1 and fsynced[0].startswith(".settings.json.")
    assert '"editor.rulers": [100]' in settings.read_text()
