""".worktreeinclude: gitignore syntax, ignored files only, copy never
overwrite, never an environment; through a real `git worktree add`."""

from __future__ import annotations

import subprocess
from pathlib import Path

from seedbed.core import worktreeinclude

from tests.conftest import require, seedbed, worktree_add
from tests.factories.git import git
from tests.factories.projects import pip_project


def make_main(tmp_path: Path) -> Path:
    main = tmp_path / "proj"
    main.mkdir()
    git("init", "-q", "-b", "main", cwd=main)
    (main / ".gitignore").write_text(
        ".env*\n*.local\nconfig/secrets/\nbuild/\nnode_modules/\n.venv/\nlogs/\n"
    )
    (main / ".worktreeinclude").write_text(
        "# copy these\n.env\n.env.*\n!.env.huge\n*.local\nconfig/secrets/\n"
        "/logs/keep.log\n.venv\nnode_modules/\n"
    )
    (main / "tracked.local").write_text("tracked\n")
    git("add", "-A", cwd=main)
    git("add", "-f", "tracked.local", cwd=main)
    git("commit", "-qm", "init", cwd=main)
    (main / ".env").write_text("SECRET=1\n")
    (main / ".env.test").write_text("T=1\n")
    (main / ".env.huge").write_text("not me\n")
    (main / "app.local").write_text("local\n")
    (main / "sub").mkdir()
    (main / "sub" / "x.local").write_text("deep\n")
    (main / "config" / "secrets").mkdir(parents=True)
    (main / "config" / "secrets" / "key.pem").write_text("pem\n")
    (main / "build").mkdir()
    (main / "build" / "out.local").write_text("build output\n")
    (main / "logs").mkdir()
    (main / "logs" / "keep.log").write_text("keep\n")
    (main / "logs" / "drop.log").write_text("drop\n")
    venv = main / ".venv"
    venv.mkdir()
    (venv / "pyvenv.cfg").write_text("home = /usr\n")
    (venv / "a.local").write_text("env\n")
    (main / "node_modules" / "pkg").mkdir(parents=True)
    (main / "node_modules" / "pkg" / "pyvenv.cfg").write_text("")  # env-like
    (main / "node_modules" / "top.js").write_text("js\n")
    return main


def test_copies_listed_ignored_files_and_nothing_else(tmp_path: Path) -> None:
    main = make_main(tmp_path)
    new = tmp_path / "new"
    git("worktree", "add", "-q", str(new), "-b", "new", cwd=main)
    (new / ".env.test").write_text("MINE\n")  # already there: never overwritten
    done = worktreeinclude.apply(new, main / ".git")
    assert set(done.copied) == {
        ".env",
        "app.local",
        "sub/x.local",
        "config/secrets/key.pem",
        "logs/keep.log",
        "node_modules/top.js",
    }
    assert done.skipped == (".env.test",)
    assert (new / ".env.test").read_text() == "MINE\n"
    assert (new / ".env").read_text() == "SECRET=1\n"
    assert not (new / ".env.huge").exists()  # negated
    assert not (new / "logs" / "drop.log").exists()
    assert not (new / ".venv").exists()  # never an environment
    assert not (new / "node_modules" / "pkg").exists()
    assert not (new / "build" / "out.local").exists()  # not named, not walked
    assert (new / "tracked.local").read_text() == "tracked\n"  # from git
    again = worktreeinclude.apply(new, main / ".git")
    assert again.copied == ()


def test_without_the_file_nothing_is_copied(tmp_path: Path) -> None:
    main = make_main(tmp_path)
    (main / ".worktreeinclude").unlink()
    git("commit", "-qam", "drop include", cwd=main)
    new = tmp_path / "new"
    git("worktree", "add", "-q", str(new), "-b", "new", cwd=main)
    assert worktreeinclude.apply(new, main / ".git").copied == ()
    assert worktreeinclude.apply(main, main / ".git").copied == ()  # main itself


def test_worktree_add_copies_env_files(tmp_path: Path, offline: Path) -> None:
    require("uv")
    main = pip_project(tmp_path / "proj")
    (main / ".gitignore").write_text(".env\n")
    (main / ".worktreeinclude").write_text(".env\n")
    git("add", "-A", cwd=main)
    git("commit", "-qm", "include", cwd=main)
    (main / ".env").write_text("DATABASE_URL=sqlite://\n")
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    feat = tmp_path / "feat"
    out = worktree_add(main, feat, "feat")
    assert out.returncode == 0, out.stderr
    assert (feat / ".env").read_text() == "DATABASE_URL=sqlite://\n"
    status = subprocess.run(
        ["git", "status", "--porcelain"],
        cwd=feat,
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == ""
