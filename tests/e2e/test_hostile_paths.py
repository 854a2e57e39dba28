"""Paths from configuration or repository content stay inside the worktree.

Each test commits hostile content on a branch (with git plumbing, so no hook
and no working tree is involved), checks it out with a real `git worktree add`
(hooks installed), then runs `seedbed setup` there (explicit consent: it must
still refuse). Every file around the new worktree is hashed before and after:
nothing outside it may change.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path

import pytest
from seedbed.core import worktreeinclude

from tests.conftest import seedbed
from tests.factories.git import git
from tests.factories.projects import pip_project


def git_out(*args: str, cwd: Path, env: dict[str, str], data: str = "") -> str:
    out = subprocess.run(
        ["git", *args],
        cwd=cwd,
        input=data,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return out.stdout.strip()


def branch_with(
    main: Path,
    branch: str,
    files: dict[str, str] | None = None,
    links: dict[str, str] | None = None,
) -> None:
    """A branch on top of HEAD that adds files and symlinks (name -> target),
    committed through a scratch index: the working tree is not touched."""
    index = main.parent / f"index-{branch}"
    env = {**os.environ, "GIT_INDEX_FILE": str(index)}
    git_out("read-tree", "HEAD", cwd=main, env=env)
    entries = [("100644", n, t) for n, t in (files or {}).items()]
    entries += [("120000", n, t) for n, t in (links or {}).items()]
    for mode, name, text in entries:
        blob = git_out("hash-object", "-w", "--stdin", cwd=main, env=env, data=text)
        git_out(
            "update-index", "--add", "--cacheinfo", f"{mode},{blob},{name}",
            cwd=main, env=env,
        )  # fmt: skip
    tree = git_out("write-tree", cwd=main, env=env)
    commit = git_out("commit-tree", tree, "-p", "HEAD", "-m", branch, cwd=main, env=env)
    git_out("update-ref", f"refs/heads/{branch}", commit, cwd=main, env=env)
    index.unlink()


def snapshot(folder: Path, *skip: Path) -> dict[str, str]:
    """Every entry under folder: file content hashes, link texts, folders."""
    found: dict[str, str] = {}
    for current, dirs, names in os.walk(folder):
        here = Path(current)
        dirs[:] = [d for d in dirs if here / d not in skip]
        for name in [*dirs, *names]:
            path = here / name
            key = str(path.relative_to(folder))
            if path.is_symlink():
                found[key] = "link:" + os.readlink(path)
            elif path.is_dir():
                found[key] = "dir"
            else:
                found[key] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


@pytest.fixture
def main(tmp_path: Path, offline: Path) -> Path:
    root = pip_project(tmp_path / "proj")
    (root / ".gitignore").write_text(".env\nsecrets/\n")
    (root / ".worktreeinclude").write_text(".env\nsecrets/\n")
    git("add", "-A", cwd=root)
    git("commit", "-qm", "ignore and include", cwd=root)
    assert seedbed("hooks", "install", cwd=root).returncode == 0
    return root


def checkout(main: Path, wt: Path, branch: str) -> subprocess.CompletedProcess[str]:
    out = subprocess.run(
        ["git", "worktree", "add", str(wt), branch],
        cwd=main,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr  # a checkout itself never fails
    return out


def hostile_setup(
    main: Path, tmp_path: Path, files: dict[str, str], links: dict[str, str]
) -> tuple[subprocess.CompletedProcess[str], Path, dict[str, str]]:
    """Check out a hostile branch and run `seedbed setup` in it; the setup's
    result, the worktree and the snapshot taken before."""
    branch_with(main, "hostile", files, links)
    wt = tmp_path / "wt"
    skip = (wt, main / ".git")
    before = snapshot(tmp_path, *skip)
    checkout(main, wt, "hostile")
    out = seedbed("setup", cwd=wt)
    assert snapshot(tmp_path, *skip) == before
    return out, wt, before


def victim(tmp_path: Path) -> Path:
    folder = tmp_path / "victim"
    folder.mkdir()
    (folder / "precious.txt").write_text("keep me\n")
    return folder


@pytest.mark.parametrize("kind", ["absolute", ".", "..", "../sibling", "empty"])
def test_env_dir_outside_is_refused(main: Path, tmp_path: Path, kind: str) -> None:
    target = victim(tmp_path)
    value = {
        "absolute": str(target),
        ".": ".",
        "..": "..",
        "../sibling": "../victim",
        "empty": "",
    }[kind]
    config = {".seedbed.toml": f"env_dir = {value!r}\n"}
    out, wt, _ = hostile_setup(main, tmp_path, config, {})
    assert out.returncode == 3, out.stderr
    assert ".seedbed.toml" in out.stderr and "'env_dir'" in out.stderr
    assert (target / "precious.txt").read_text() == "keep me\n"
    assert (wt / ".git").is_file() and (wt / "requirements.txt").is_file()
    assert not (wt / ".venv").exists()


def test_requirements_leaving_by_text_is_refused(main: Path, tmp_path: Path) -> None:
    (tmp_path / "outside.txt").write_text("tinybeta\n")
    config = {".seedbed.toml": 'requirements = ["../outside.txt"]\n'}
    out, wt, _ = hostile_setup(main, tmp_path, config, {})
    assert out.returncode == 3, out.stderr
    assert ".seedbed.toml" in out.stderr and "'requirements'" in out.stderr
    assert not (wt / ".venv").exists()


def test_configured_requirement_symlinked_outside_is_refused(
    main: Path, tmp_path: Path
) -> None:
    (tmp_path / "outside.txt").write_text("tinybeta\n")
    config = {".seedbed.toml": 'requirements = ["reqs.txt"]\n'}
    links = {"reqs.txt": str(tmp_path / "outside.txt")}
    out, wt, _ = hostile_setup(main, tmp_path, config, links)
    assert out.returncode == 3, out.stderr
    assert "'requirements'" in out.stderr and "leads out" in out.stderr
    assert not (wt / ".venv").exists()


def test_default_requirement_file_symlinked_outside_is_refused(
    main: Path, tmp_path: Path
) -> None:
    """No configuration change (nothing to trust): the hook acts, and refuses."""
    (tmp_path / "outside.txt").write_text("tinybeta\n")
    git("rm", "-q", "--cached", "requirements-dev.txt", cwd=main)
    git("commit", "-qm", "one requirements file", cwd=main)
    branch_with(main, "hostile", links={"requirements.txt": "../outside.txt"})
    wt = tmp_path / "wt"
    skip = (wt, main / ".git")
    before = snapshot(tmp_path, *skip)
    hook = checkout(main, wt, "hostile")
    assert "leads out" in hook.stderr, hook.stderr
    out = seedbed("setup", cwd=wt)
    assert out.returncode == 3, out.stderr
    assert "requirements.txt" in out.stderr and "'requirements'" in out.stderr
    assert snapshot(tmp_path, *skip) == before


def test_include_through_requirement_file_leaving_is_refused(
    main: Path, tmp_path: Path
) -> None:
    (tmp_path / "outside.txt").write_text("tinybeta\n")
    files = {"requirements.txt": "-r ../outside.txt\n"}
    branch_with(main, "hostile", files)
    wt = tmp_path / "wt"
    skip = (wt, main / ".git")
    before = snapshot(tmp_path, *skip)
    checkout(main, wt, "hostile")
    out = seedbed("setup", cwd=wt)
    assert out.returncode == 3, out.stderr
    assert "../outside.txt" in out.stderr
    assert snapshot(tmp_path, *skip) == before


def test_worktreeinclude_never_writes_through_a_tracked_symlink(
    main: Path, tmp_path: Path
) -> None:
    """Finding 3: the main worktree's ignored secrets/key, a branch tracking
    `secrets -> outside` and `.env -> outside/.env`."""
    (main / "secrets").mkdir()
    (main / "secrets" / "key").write_text("SECRET KEY\n")
    (main / ".env").write_text("TOKEN=secret\n")
    outside = tmp_path / "outside"
    outside.mkdir()
    links = {"secrets": str(outside), ".env": str(outside / ".env")}
    branch_with(main, "hostile", links=links)
    wt = tmp_path / "wt"
    skip = (wt, main / ".git")
    before = snapshot(tmp_path, *skip)
    hook = checkout(main, wt, "hostile")  # the configuration is trusted: it acts
    assert "worktreeinclude: failed (exit 3)" in hook.stderr, hook.stderr
    out = seedbed("setup", cwd=wt)
    # The step's ConfigError (3) fails the setup (5: "setup failed").
    assert out.returncode in (3, 5), out.stderr
    assert ".worktreeinclude: not copied" in out.stderr
    assert "secrets/key: secrets is a symlink" in out.stderr
    assert snapshot(tmp_path, *skip) == before
    assert list(outside.iterdir()) == []
    done = worktreeinclude.copy(wt, main / ".git")
    assert done.copied == ()
    assert any(r.startswith("secrets/key: secrets is a symlink") for r in done.refused)


def test_worktreeinclude_copies_safe_links_only(main: Path, tmp_path: Path) -> None:
    """A source symlink is copied as a link only when it is relative and stays
    inside the new worktree; a symlinked .worktreeinclude is not read."""
    (main / ".gitignore").write_text(".env\nsecrets/\n*.local\n")
    (main / ".worktreeinclude").write_text(".env\nsecrets/\n*.local\n")
    git("add", "-A", cwd=main)
    git("commit", "-qm", "locals", cwd=main)
    (main / "secrets").mkdir()
    (main / "secrets" / "key").write_text("k\n")
    (main / "near.local").symlink_to("secrets/key")
    (main / "far.local").symlink_to("/etc/hostname")
    (main / "up.local").symlink_to("../../x")
    (main / "fifo.local").unlink(missing_ok=True)
    os.mkfifo(main / "fifo.local")
    wt = tmp_path / "wt"
    git("worktree", "add", "-q", str(wt), "-b", "plain", cwd=main)
    for name in ("near.local", "far.local", "up.local", "secrets"):
        (wt / name).unlink(missing_ok=True)
        if (wt / name).is_dir():
            (wt / name / "key").unlink(missing_ok=True)
            (wt / name).rmdir()
    done = worktreeinclude.copy(wt, main / ".git")
    assert set(done.copied) >= {"near.local", "secrets/key"}
    assert os.readlink(wt / "near.local") == "secrets/key"
    refused = {r.split(":")[0] for r in done.refused}
    assert refused == {"far.local", "up.local"}
    assert not (wt / "fifo.local").exists()  # git lists no FIFO; never copied
    assert not (wt / "far.local").is_symlink() and not (wt / "up.local").is_symlink()


def test_symlinked_worktreeinclude_is_not_read(main: Path, tmp_path: Path) -> None:
    patterns = tmp_path / "patterns"
    patterns.write_text("*\n")
    (main / ".worktreeinclude").unlink()
    (main / ".worktreeinclude").symlink_to(patterns)
    assert worktreeinclude.read_patterns(tmp_path / "none", main) is None


def test_vscode_symlinked_outside_is_never_written(main: Path, tmp_path: Path) -> None:
    outside = tmp_path / "shared-editor"
    outside.mkdir()
    (outside / "settings.json").write_text('{"mine": true}\n')
    branch_with(main, "hostile", links={".vscode": str(outside)})
    wt = tmp_path / "wt"
    skip = (wt, main / ".git")
    before = snapshot(tmp_path, *skip)
    hook = checkout(main, wt, "hostile")
    out = seedbed("setup", cwd=wt)
    assert out.returncode == 0, out.stderr
    assert "leads out of the worktree" in hook.stderr + out.stderr
    assert snapshot(tmp_path, *skip) == before
    assert sorted(p.name for p in outside.iterdir()) == ["settings.json"]


@pytest.mark.parametrize("value", [-5, 0])
def test_bad_step_timeout_is_refused_and_the_env_kept(
    main: Path, tmp_path: Path, value: int
) -> None:
    wt = tmp_path / "wt"
    git("worktree", "add", "-q", str(wt), "-b", "feat", cwd=main)
    assert seedbed("setup", cwd=wt).returncode == 0
    marker = (wt / ".venv" / "pyvenv.cfg").read_text()
    (wt / ".seedbed.toml").write_text(f"step_timeout = {value}\n")
    out = seedbed("setup", "--recreate", cwd=wt)
    assert out.returncode == 3, out.stderr
    assert "'step_timeout'" in out.stderr and "at least 1" in out.stderr
    assert (wt / ".venv" / "pyvenv.cfg").read_text() == marker
