"""A hostile worktree path reaches `.env` harmlessly (issue 11, finding 4).

A path (so a worktree or branch name) can hold a backtick, `$(...)`, quotes and
spaces. `seedbed setup` of a real Flask project there writes a `.env` that
`set -a; . ./.env` sources without running anything, and whose DATABASE_URL
decodes back to the real database path. A `.env` symlink the branch tracks is
neither written through nor read.
"""

from __future__ import annotations

import subprocess
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from seedbed.core.errors import EXIT_SETUP

from tests.conftest import require, seedbed
from tests.factories.git import git

# The app reads DATABASE_URL, so seedbed writes one (issue 13: only then).
APP = (
    "import os\n\nfrom flask import Flask\n\napp = Flask(__name__)\n"
    'DATABASE_URL = os.environ.get("DATABASE_URL")\n'
)
HOSTILE = 'wt a`touch canary1`$(touch canary2)"q'


def flask_project(root: Path, **files: str) -> Path:
    root.mkdir(parents=True)
    git("init", "-q", "-b", "main", cwd=root)
    (root / "app.py").write_text(APP)
    (root / "requirements.txt").write_text("")
    for name, text in files.items():
        (root / name).write_text(text)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "sample", cwd=root)
    return root


def source(root: Path, *keys: str) -> list[str]:
    script = "set -a; . ./.env; printf '%s\\0' " + " ".join(f'"${k}"' for k in keys)
    out = subprocess.run(
        [require("dash"), "-c", script],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split("\0")[:-1]


def test_a_hostile_path_gives_a_env_that_runs_nothing(
    tmp_path: Path, offline: Path
) -> None:
    root = flask_project(tmp_path / HOSTILE)
    out = seedbed("setup", cwd=root)
    assert out.returncode == 0, out.stderr
    url, test_name = source(root, "DATABASE_URL", "TEST_DB_NAME")
    assert not (root / "canary1").exists() and not (root / "canary2").exists()
    assert not list(tmp_path.rglob("canary*"))
    database = unquote(urlsplit(url).path)[1:]
    assert database == str(root / ".seedbed" / "db.sqlite3")
    assert Path(database).is_file()
    assert test_name == str(root / ".seedbed" / "test-db.sqlite3")


def test_a_path_no_env_form_can_carry_is_one_clear_error(
    tmp_path: Path, offline: Path
) -> None:
    # A ' together with a backtick: sh needs double quotes for the ', where a
    # backtick would need a backslash python-dotenv keeps; setup refuses.
    root = flask_project(tmp_path / "it's `touch canary`")
    out = seedbed("setup", cwd=root)
    assert out.returncode == EXIT_SETUP, out.stderr
    # FLASK_APP (the app's path) is the first value refused; TEST_DB_NAME too.
    assert "the value of FLASK_APP holds ' together with `" in out.stderr
    assert "Traceback" not in out.stderr
    assert not (root / ".env").exists() and not list(tmp_path.rglob("canary"))


def test_a_tracked_env_symlink_out_of_the_worktree_is_not_followed(
    tmp_path: Path, offline: Path
) -> None:
    secret = tmp_path / "secret.env"
    secret.write_text("TOKEN=top-secret\n")
    root = flask_project(tmp_path / "p")
    (root / ".env").symlink_to("../secret.env")  # what a branch can track
    git("add", ".env", cwd=root)
    git("commit", "-q", "-m", "link", cwd=root)
    # A tracked .env is never written and never fails the setup (issue 13):
    # the worktree's values go to the processes seedbed runs instead.
    out = seedbed("setup", cwd=root)
    assert out.returncode == 0, out.stderr
    assert "tracked by git" in out.stderr and "Traceback" not in out.stderr
    run = seedbed("run", "--", "sh", "-c", 'printf %s "$FLASK_APP"', cwd=root)
    assert run.returncode == 0 and run.stdout == str(root / "app.py"), run.stderr
    assert secret.read_text() == "TOKEN=top-secret\n"
    assert (root / ".env").is_symlink()
    assert "top-secret" not in "".join(
        p.read_text(errors="replace")
        for p in root.rglob("*")
        if p.is_file() and not p.is_symlink()
    )


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_other_shells_source_it_the_same(
    tmp_path: Path, offline: Path, shell: str
) -> None:
    root = flask_project(tmp_path / HOSTILE)
    assert seedbed("setup", cwd=root).returncode == 0
    out = subprocess.run(
        [require(shell), "-c", 'set -a; . ./.env; printf %s "$DATABASE_URL"'],
        cwd=root,
        capture_output=True,
        text=True,
        check=True,
    )
    assert unquote(urlsplit(out.stdout).path)[1:] == str(
        root / ".seedbed" / "db.sqlite3"
    )
    assert not list(tmp_path.rglob("canary*"))


def test_a_tracked_flaskenv_symlink_out_of_the_worktree_is_not_read(
    tmp_path: Path, offline: Path
) -> None:
    (tmp_path / "secret.env").write_text("FLASK_APP=top-secret\n")
    root = flask_project(tmp_path / "p")
    (root / ".flaskenv").symlink_to("../secret.env")
    git("add", ".flaskenv", cwd=root)
    git("commit", "-q", "-m", "link", cwd=root)
    out = seedbed("setup", cwd=root)
    assert out.returncode == 3, out.stderr
    assert ".flaskenv is a symlink" in out.stderr and "Traceback" not in out.stderr
    assert "top-secret" not in out.stderr
    assert not (root / ".env").exists()
