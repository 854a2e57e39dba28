"""seedbed removes only the environments it made (core.ownership), stops the
step a killed seedbed left running (runner.stop_leftover), and reads paths
written by uv and git exactly (quotes, newlines)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from seedbed.core import ownership, runner
from seedbed.core.errors import SetupError
from seedbed.core.gitfacts import GitFacts
from seedbed.plugins.managers import repair

from tests.factories.git import git


def folder_with(path: Path, name: str = "keep.txt") -> Path:
    path.mkdir(parents=True)
    (path / name).write_text("the user's\n")
    return path


def test_a_folder_seedbed_did_not_make_is_never_removed(tmp_path: Path) -> None:
    env = folder_with(tmp_path / "wt" / ".venv")
    with pytest.raises(SetupError) as caught:
        ownership.remove(tmp_path / "wt", env)
    assert caught.value.exit_code == 5
    assert str(env) in caught.value.message
    assert "move it away or set env_dir" in caught.value.hint
    assert (env / "keep.txt").is_file()


def test_a_link_is_never_removed_through(tmp_path: Path) -> None:
    outside = folder_with(tmp_path / "outside")
    (tmp_path / "wt").mkdir()
    link = tmp_path / "wt" / ".venv"
    link.symlink_to(outside)
    ownership.write_mark(tmp_path / "wt", outside)  # a mark on the far side
    with pytest.raises(SetupError, match="is a link"):
        ownership.remove(tmp_path / "wt", link)
    assert link.is_symlink() and (outside / "keep.txt").is_file()


def test_a_marked_folder_is_removed_and_a_copy_of_it_is_not(tmp_path: Path) -> None:
    root = tmp_path / "wt"
    env = folder_with(root / ".venv")
    ownership.write_mark(root, env)
    copy = root / "copy"
    shutil.copytree(env, copy)  # the mark travels, the inode does not
    assert ownership.marked(env) and not ownership.marked(copy)
    ownership.remove(root, env)
    assert not env.exists()
    with pytest.raises(SetupError):
        ownership.remove(root, copy)


def test_a_pending_creation_is_ours_until_it_finishes(tmp_path: Path) -> None:
    root = tmp_path / "wt"
    env = root / ".venv"
    ownership.begin_creation(root, env)
    assert ownership.pending(root, env)
    folder_with(env)  # what a killed creation step left
    assert ownership.owned(root, env)
    ownership.finish_creation(root, env)
    assert not ownership.pending(root, env) and ownership.marked(env)


def test_a_creation_record_a_branch_brings_does_not_count(tmp_path: Path) -> None:
    root = tmp_path / "wt"
    env = folder_with(root / "src")
    record = root / ".seedbed" / ownership.CREATING
    record.parent.mkdir()
    info = os.stat(record.parent)
    record.write_text(json.dumps({"env": str(env), "dev": info.st_dev, "ino": 1}))
    assert not ownership.pending(root, env)
    with pytest.raises(SetupError):
        ownership.remove(root, env)
    assert (env / "keep.txt").is_file()


def test_the_worktree_itself_is_never_an_environment(tmp_path: Path) -> None:
    root = folder_with(tmp_path / "wt")
    (root / "here").symlink_to(".")
    with pytest.raises(SetupError):
        ownership.check_place(root, root / "here")


def _sleeper(tmp_path: Path) -> tuple[subprocess.Popen[bytes], Path]:
    """A real step group (a shell and its child) recorded as runner does."""
    proc = subprocess.Popen(
        ["sh", "-c", "sleep 60 & sleep 60; wait"], start_new_session=True
    )
    track = tmp_path / "step-running.json"
    runner._record_group(track, proc.pid, ["sh", "-c", "sleep"])
    return proc, track


def test_a_leftover_step_group_is_stopped(tmp_path: Path) -> None:
    proc, track = _sleeper(tmp_path)
    time.sleep(0.2)
    assert len(runner.group_members(proc.pid)) >= 2
    said = runner.stop_leftover(track)
    proc.wait(timeout=10)
    assert "process group" in said
    assert runner.group_members(proc.pid) == []
    assert not track.exists()


def test_a_reused_pid_is_left_alone(tmp_path: Path) -> None:
    proc, track = _sleeper(tmp_path)
    data = json.loads(track.read_text())
    data["start"] = (data["start"] or 0) + 1  # another process's start time
    track.write_text(json.dumps(data))
    try:
        assert runner.stop_leftover(track) == ""
        assert proc.poll() is None
    finally:
        os.killpg(proc.pid, 9)
        proc.wait()


@pytest.mark.parametrize(
    ("written", "path"),
    [
        ("VIRTUAL_ENV='/tmp/it'\"'\"'s/.venv'", "/tmp/it's/.venv"),  # uv
        ('VIRTUAL_ENV="/tmp/it\'s/.venv"', "/tmp/it's/.venv"),  # python -m venv
        ('VIRTUAL_ENV="/tmp/a"b/.venv"', '/tmp/a"b/.venv'),
        ("VIRTUAL_ENV='/tmp/with space/.venv'", "/tmp/with space/.venv"),
    ],
)
def test_activate_paths_are_read_as_sh_reads_them(
    tmp_path: Path, written: str, path: str
) -> None:
    activate = tmp_path / "activate"
    activate.write_text(f"# comment\n{written}\nexport VIRTUAL_ENV\n")
    assert repair._activate_path(activate) == path


def test_a_newline_in_the_worktree_path_is_one_clear_error(tmp_path: Path) -> None:
    root = tmp_path / "new\nline"
    root.mkdir()
    git("init", "-q", "-b", "main", cwd=root)
    with pytest.raises(SetupError, match="newline"):
        GitFacts.read(root)
    plain = tmp_path / "plain"
    plain.mkdir()
    git("init", "-q", "-b", "main", cwd=plain)
    facts = GitFacts.read(plain)
    assert facts is not None and facts.root == plain and facts.branch == "main"


def test_record_of_a_running_step_goes_when_it_ends(tmp_path: Path) -> None:
    track = tmp_path / "step-running.json"
    result = runner.run_argv(
        "probe",
        # The record is written just after the child starts: wait for it.
        [
            sys.executable,
            "-c",
            "import os, time\n"
            "end = time.time() + 10\n"
            f"while not os.path.exists({str(track)!r}) and time.time() < end:\n"
            "    time.sleep(0.01)\n"
            f"print(os.path.exists({str(track)!r}))",
        ],
        track=track,
    )
    assert result.ok and result.output_tail.strip() == "True"
    assert not track.exists()
