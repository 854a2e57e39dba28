"""Tracked editor files are never modified and never excluded (real git, the
real `seedbed editor` command)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.conftest import seedbed, worktree_add
from tests.factories.git import git

TEAM_SETTINGS = '{\n  "editor.tabSize": 2,\n\t"files.eol": "\\n"\n}\n'
TEAM_LAUNCH = '{"version": "0.2.0", "configurations": []}\n'
TEAM_EXTENSIONS = '{"recommendations": ["team.one"]}\n'
TRACKED = {
    ".vscode/settings.json": TEAM_SETTINGS,
    ".vscode/launch.json": TEAM_LAUNCH,
    ".vscode/extensions.json": TEAM_EXTENSIONS,
}


def project(repo: Path) -> str:
    """The repo with a pyproject, an old branch without .vscode, then the
    team's committed .vscode files on main; the old branch's name."""
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0"\n')
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "project", cwd=repo)
    git("branch", "old", cwd=repo)
    (repo / ".vscode").mkdir()
    for name, text in TRACKED.items():
        (repo / name).write_text(text)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "team editor files", cwd=repo)
    return "old"


def editor(where: Path) -> dict[str, dict[str, str]]:
    out = seedbed("editor", "--json", cwd=where)
    assert out.returncode == 0, out.stdout + out.stderr
    files = json.loads(out.stdout)["files"]
    return {str(Path(f["path"]).relative_to(where)): f for f in files}


def exclude_lines(repo: Path) -> list[str]:
    path = repo / ".git" / "info" / "exclude"
    return path.read_text().splitlines() if path.is_file() else []


def status(where: Path) -> str:
    return git("status", "--porcelain", cwd=where)


def test_tracked_vscode_files_stay_byte_for_byte_in_a_new_worktree(
    repo: Path, tmp_path: Path
) -> None:
    project(repo)
    linked = tmp_path / "feature"
    assert worktree_add(repo, linked, "feature").returncode == 0
    results = editor(linked)
    assert results[".vscode/settings.json"]["result"] == "tracked"
    assert results[".vscode/extensions.json"]["result"] == "tracked"
    for name, text in TRACKED.items():
        assert (linked / name).read_text() == text
    assert status(linked) == ""
    assert not any(".vscode" in line for line in exclude_lines(repo))


def test_a_file_another_branch_tracks_is_not_created_untracked(
    repo: Path, tmp_path: Path
) -> None:
    old = project(repo)
    linked = tmp_path / "old-work"
    out = subprocess.run(
        ["git", "worktree", "add", str(linked), old],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    results = editor(linked)
    settings = results[".vscode/settings.json"]
    assert settings["result"] == "tracked" and "branch main" in settings["note"]
    assert not (linked / ".vscode" / "settings.json").exists()
    assert status(linked) == ""
    assert not any(".vscode" in line for line in exclude_lines(repo))


def test_an_old_exclude_line_for_a_tracked_file_is_removed(repo: Path) -> None:
    project(repo)
    exclude = repo / ".git" / "info" / "exclude"
    exclude.write_text(
        "# git's own comment\n# seedbed: per-worktree state\n/.venv/\n"
        "/.vscode/settings.json\n/.vscode/launch.json\n"
    )
    editor(repo)
    assert exclude.read_text() == (
        "# git's own comment\n# seedbed: per-worktree state\n/.venv/\n"
    )
    (repo / ".vscode" / "settings.json").write_text('{"editor.tabSize": 4}\n')
    added = subprocess.run(
        ["git", "add", ".vscode/settings.json"],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert added.returncode == 0, added.stderr
