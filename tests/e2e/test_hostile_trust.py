"""The trust model against real git, real hooks and real installs: a checkout
acts only on a seedbed configuration the user trusted, and runs nothing else."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.conftest import BIN, require, seedbed
from tests.factories.git import git
from tests.factories.projects import pip_project

SEEDBED_LINE = "is not trusted; nothing was run. Review it, then run: seedbed trust"


def add(main: Path, path: Path, *args: str, env: dict[str, str] | None = None) -> str:
    """`git worktree add PATH ARGS…`; returns stderr (the hook's output)."""
    out = subprocess.run(
        ["git", "worktree", "add", str(path), *args],
        cwd=main,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    return out.stderr


def branch_with(main: Path, branch: str, files: dict[str, str]) -> None:
    """Commit files on a new branch, as someone else's pushed branch would be
    (made in a scratch worktree with the hooks skipped, then removed)."""
    scratch = main.parent / f"scratch-{branch}"
    env = {**os.environ, "SEEDBED_SKIP": "1"}
    add(main, scratch, "-q", "-b", branch, env=env)
    for name, text in files.items():
        (scratch / name).write_text(text)
    git("add", "-A", cwd=scratch)
    git("commit", "-qm", f"{branch}: {', '.join(files)}", cwd=scratch)
    git("worktree", "remove", "--force", str(scratch), cwd=main)


def tree_digest(*folders: Path, skip: tuple[Path, ...] = ()) -> dict[str, str]:
    """Every file under folders (name -> content hash), except skipped paths
    and git's own bookkeeping of the new worktree and branch."""
    git_own = ("worktrees", "logs", "refs", "index", "ORIG_HEAD", "packed-refs")
    found: dict[str, str] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if any(path == s or s in path.parents for s in skip):
                continue
            parts = path.relative_to(folder).parts
            if ".git" in parts and parts[parts.index(".git") + 1 :][:1] in [
                (name,) for name in git_own
            ]:
                continue  # git's record of the new worktree and branch
            if path.is_file() and not path.is_symlink():
                found[str(path)] = hashlib.sha256(path.read_bytes()).hexdigest()
            else:
                found[str(path)] = "link" if path.is_symlink() else "dir"
    return found


def untouched(worktree: Path) -> None:
    """No environment, no state, no copied file: only what git checked out."""
    assert not (worktree / ".venv").exists()
    assert not (worktree / ".seedbed").exists()
    extra = git("status", "--porcelain", "--ignored", cwd=worktree)
    assert extra == "", extra


def ready(worktree: Path) -> dict:
    out = seedbed("status", "--json", cwd=worktree)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


@pytest.fixture
def main(tmp_path: Path, offline: Path) -> Path:
    """A pip project whose own config is committed before the hooks go in."""
    require("uv")
    root = pip_project(tmp_path / "proj")
    with (root / "pyproject.toml").open("a") as handle:
        handle.write("\n[tool.seedbed]\ndev = true\n")
    (root / ".gitignore").write_text(".env\n")
    git("add", "-A", cwd=root)
    git("commit", "-qm", "seedbed config", cwd=root)
    (root / ".env").write_text("SECRET=main\n")  # ignored: a copy candidate
    out = seedbed("hooks", "install", "--json", cwd=root)
    assert out.returncode == 0, out.stderr
    trust = json.loads(out.stdout)["trust"]
    assert trust["recorded"] and trust["files"] == ["pyproject.toml [tool.seedbed]"]
    return root


HOSTILE = {
    ".seedbed.toml": "background = true\n",
    ".worktreeinclude": ".env\n",
}


def test_an_untrusted_branch_config_runs_nothing_on_checkout(
    main: Path, tmp_path: Path
) -> None:
    branch_with(main, "evil", HOSTILE)
    wt = tmp_path / "wt"
    home = Path(os.environ["SEEDBED_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    before = tree_digest(tmp_path, home, skip=(wt,))
    stderr = add(main, wt, "-b", "review", "evil")
    assert before == tree_digest(tmp_path, home, skip=(wt,))
    lines = [line for line in stderr.splitlines() if line.startswith("seedbed")]
    assert len(lines) == 1, stderr
    assert ".seedbed.toml, .worktreeinclude" in lines[0]
    assert SEEDBED_LINE in lines[0]
    untouched(wt)  # no venv, no ready marker, .env not copied, no background

    # Reviewed and trusted: `seedbed setup` now sets it up; a second checkout of
    # the same configuration is set up by the hook without asking again.
    out = seedbed("trust", cwd=wt)
    assert out.returncode == 0, out.stderr
    assert ".seedbed.toml: added background = true" in out.stdout
    assert ".worktreeinclude: added line: .env" in out.stdout
    assert "seedbed setup" in out.stdout
    assert seedbed("setup", cwd=wt).returncode == 0
    assert ready(wt)["status"] == "ready"
    assert (wt / ".env").read_text() == "SECRET=main\n"


def test_a_changed_tool_seedbed_table_needs_trust_a_dependency_change_does_not(
    main: Path, tmp_path: Path
) -> None:
    text = (main / "pyproject.toml").read_text()
    branch_with(main, "tool", {"pyproject.toml": text.replace("true", "false")})
    flipped = tmp_path / "flipped"
    stderr = add(main, flipped, "-b", "flipped", "tool")
    assert "configuration (pyproject.toml [tool.seedbed]) is not trusted" in stderr
    untouched(flipped)

    # Only dependencies change: the seedbed table is as trusted, so it is set up.
    deps = text.replace("dependencies = []", 'dependencies = ["tinyalpha"]')
    assert deps != text
    branch_with(main, "deps", {"pyproject.toml": deps})
    wt = tmp_path / "deps"
    stderr = add(main, wt, "-b", "with-deps", "deps")
    assert "not trusted" not in stderr and "ready" in stderr, stderr
    assert ready(wt)["status"] == "ready"
    python = wt / ".venv" / "bin" / "python"
    assert (
        subprocess.run([python, "-c", "import tinyalpha"], check=False).returncode == 0
    )


def test_a_branch_with_the_trusted_config_is_set_up(main: Path, tmp_path: Path) -> None:
    branch_with(main, "same", {"NOTES.md": "only docs\n"})
    wt = tmp_path / "same"
    stderr = add(main, wt, "-b", "same-wt", "same")
    assert "not trusted" not in stderr
    assert ready(wt)["status"] == "ready"


@pytest.mark.parametrize(
    "how",
    [
        {"env": {"SEEDBED_SKIP": "1"}, "git": []},
        {"env": {}, "git": ["-c", "core.hooksPath=/dev/null"]},
    ],
    ids=["SEEDBED_SKIP", "hooksPath-dev-null"],
)
def test_checking_out_without_running_anything(
    main: Path, tmp_path: Path, how: dict
) -> None:
    branch_with(main, "evil", HOSTILE)
    wt = tmp_path / "wt"
    before = tree_digest(tmp_path, skip=(wt,))
    out = subprocess.run(
        ["git", *how["git"], "worktree", "add", str(wt), "-b", "look", "evil"],
        cwd=main,
        capture_output=True,
        text=True,
        env={**os.environ, **how["env"]},
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert "seedbed" not in out.stderr
    assert before == tree_digest(tmp_path, skip=(wt,))
    untouched(wt)


def test_the_pre_commit_framework_route_checks_trust(
    main: Path, tmp_path: Path
) -> None:
    branch_with(main, "evil", HOSTILE)
    wt = tmp_path / "wt"
    add(main, wt, "-q", "-b", "look", "evil", env={**os.environ, "SEEDBED_SKIP": "1"})
    # What pre-commit's post-checkout stage runs for a `seedbed-setup` hook.
    env = {**os.environ, "PRE_COMMIT_FROM_REF": "0" * 40, "PRE_COMMIT_TO_REF": "x"}
    out = subprocess.run(
        [str(BIN / "seedbed"), "hook", "pre-commit"],
        cwd=wt,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert out.returncode == 0
    assert out.stderr.count("\n") == 1 and SEEDBED_LINE in out.stderr
    untouched(wt)


def test_a_damaged_trust_file_trusts_nothing_and_says_so(
    main: Path, tmp_path: Path
) -> None:
    store = main / ".git" / "seedbed" / "trust.json"
    store.write_text('{"records": [{"digest": 5}]')
    branch_with(main, "same", {"NOTES.md": "only docs\n"})
    wt = tmp_path / "wt"
    stderr = add(main, wt, "-b", "same-wt", "same")
    assert "trust.json: damaged" in stderr and "Traceback" not in stderr
    assert "nothing was run" in stderr
    untouched(wt)
    shown = seedbed("trust", "--show", "--json", cwd=wt)
    assert shown.returncode == 0
    assert "damaged" in json.loads(shown.stdout)["problem"]
    out = seedbed("trust", cwd=wt)
    assert out.returncode == 0 and "Traceback" not in out.stderr
    assert (store.parent / "trust.json.damaged").exists()
    assert json.loads(store.read_text())["records"][0]["how"] == "seedbed trust"
