"""What git says about the editor files, asked once for them all: one
`git ls-files` for every file, and one branch look-up (for-each-ref, then one
cat-file) for those missing here; a real git behind a logging wrapper."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from seedbed.core.plugins import build
from seedbed.core.workspace import Workspace
from seedbed.plugins.editors import CONFIG_KEYS, apply, files

from tests.factories.git import git


@pytest.fixture
def git_calls(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A `git` first on PATH that notes its arguments, then runs the real one."""
    real = shutil.which("git")
    assert real is not None
    folder = tmp_path / "logging-bin"
    folder.mkdir()
    log = tmp_path / "git-calls.log"
    wrapper = folder / "git"
    wrapper.write_text(f'#!/bin/sh\necho "$1" >> "{log}"\nexec "{real}" "$@"\n')
    wrapper.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    return log


def calls(log: Path) -> list[str]:
    return log.read_text().split() if log.is_file() else []


def test_one_question_answers_every_file(repo: Path, git_calls: Path) -> None:
    (repo / ".vscode").mkdir()
    (repo / ".vscode" / "settings.json").write_text("{}\n")
    (repo / ".devcontainer").mkdir()
    (repo / ".devcontainer" / "devcontainer.json").write_text("{}\n")
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "team files", cwd=repo)
    git("checkout", "-q", "-b", "other", cwd=repo)
    (repo / ".vscode" / "launch.json").write_text("{}\n")
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "launch on a branch", cwd=repo)
    git("checkout", "-q", "main", cwd=repo)
    git_calls.unlink(missing_ok=True)

    asked = (
        ".vscode/settings.json",
        ".vscode/extensions.json",
        ".vscode/launch.json",
        ".devcontainer",  # a folder git tracks files in counts as tracked
    )
    facts = files.tracking(repo, asked)
    assert facts.tracked == {".vscode/settings.json", ".devcontainer"}
    assert facts.branch(".vscode/launch.json") == "other"
    assert facts.branch(".vscode/extensions.json") == ""
    assert calls(git_calls) == ["ls-files", "for-each-ref", "cat-file"]
    # The answers are the same as asking one file at a time.
    assert files.tracked(repo, ".vscode/settings.json")
    assert not files.tracked(repo, ".vscode/extensions.json")
    assert files.tracked_on(repo, ".vscode/launch.json") == "other"


def test_nothing_missing_asks_no_branch(repo: Path, git_calls: Path) -> None:
    (repo / ".vscode").mkdir()
    (repo / ".vscode" / "settings.json").write_text("{}\n")
    files.tracking(repo, [".vscode/settings.json"])
    assert calls(git_calls) == ["ls-files"]
    assert files.tracking(repo, []).tracked == frozenset()
    assert calls(git_calls) == ["ls-files"]


def test_the_editor_step_asks_git_three_times_at_most(
    repo: Path, git_calls: Path
) -> None:
    """settings, extensions, launch and the devcontainer file, written and
    excluded: one ls-files, and one branch look-up for the missing ones."""
    (repo / ".seedbed.toml").write_text("[editors]\ndevcontainer = true\n")
    workspace = Workspace.discover(repo, CONFIG_KEYS)
    pm = build(())
    git_calls.unlink(missing_ok=True)
    written = apply(workspace, pm, vscode=True, devcontainer=True)
    assert {w.status for w in written} == {"created"}
    assert (repo / ".devcontainer" / "devcontainer.json").is_file()
    made = calls(git_calls)
    assert made.count("ls-files") == 1, made
    assert made.count("cat-file") <= 1 and made.count("for-each-ref") <= 1, made
    exclude = (repo / ".git" / "info" / "exclude").read_text()
    assert "/.vscode/settings.json" in exclude


def test_files_all_there_ask_no_branch_even_when_others_are_missing(
    repo: Path, git_calls: Path
) -> None:
    """The branch look-up waits for a question about a missing file: a setup
    whose editor files exist (launch.json needs a server, the devcontainer
    file is off) runs ls-files only."""
    workspace = Workspace.discover(repo, CONFIG_KEYS)
    pm = build(())
    apply(workspace, pm, vscode=True, devcontainer=False)  # the first setup
    git_calls.unlink(missing_ok=True)
    written = apply(workspace, pm, vscode=True, devcontainer=False)
    assert {w.status for w in written} == {"unchanged"}
    assert calls(git_calls) == ["ls-files"]
    facts = files.tracking(repo, [".vscode/launch.json", ".devcontainer"])
    assert calls(git_calls) == ["ls-files", "ls-files"]
    assert facts.branch(".vscode/launch.json") == ""  # now asked, once
    assert facts.branch(".devcontainer") == ""
    assert calls(git_calls) == ["ls-files", "ls-files", "for-each-ref", "cat-file"]
