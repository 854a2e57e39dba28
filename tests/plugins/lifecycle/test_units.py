"""Lifecycle pieces that need no whole repository: parsing, classifying, sizes,
the moved-environment check, and the shell integration in real shells."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from seedbed.plugins.lifecycle import conflicts, shell_init, worktrees

from tests.conftest import require

PORCELAIN = """\
worktree /src/app
HEAD 1111111111111111111111111111111111111111
branch refs/heads/main

worktree /src/app-feat
HEAD 2222222222222222222222222222222222222222
branch refs/heads/feat/x
locked

worktree /src/app-gone
HEAD 3333333333333333333333333333333333333333
detached
prunable gitdir file points to non-existent location
"""


def test_porcelain() -> None:
    main, feat, gone = worktrees.parse_porcelain(PORCELAIN)
    assert main.main and main.branch == "main" and not main.locked
    assert feat.branch == "feat/x" and feat.locked and not feat.main
    assert gone.branch == "" and gone.prunable and gone.gone


@pytest.mark.parametrize(
    "path, expected",
    [
        ("requirements.txt", ("dependencies", "requirements.txt")),
        ("requirements-dev.txt", ("dependencies", "requirements-dev.txt")),
        ("requirements/base.in", ("dependencies", "requirements/base.in")),
        ("pyproject.toml", ("dependencies", "pyproject.toml")),
        ("uv.lock", ("dependencies", "uv.lock")),
        ("poetry.lock", ("dependencies", "poetry.lock")),
        ("shop/migrations/0005_price.py", ("django-migrations", "shop/migrations")),
        ("alembic/versions/ab12_add.py", ("alembic-migrations", "alembic/versions")),
        (
            "migrations/versions/ab12_add.py",
            ("alembic-migrations", "migrations/versions"),
        ),
        ("shop/migrations/__init__.py", None),
        ("shop/models.py", None),
        ("docs/versions/x.py", None),
    ],
)
def test_classify(path: str, expected: tuple[str, str] | None) -> None:
    assert conflicts.classify(path) == expected


def test_disk_usage_counts_hardlinks_once(tmp_path: Path) -> None:
    (tmp_path / "a").write_bytes(b"x" * 100_000)
    os.link(tmp_path / "a", tmp_path / "b")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c").write_bytes(b"y" * 50_000)
    (tmp_path / "link").symlink_to("/usr")  # never followed
    size = worktrees.disk_usage(tmp_path)
    assert 150_000 <= size < 250_000


def _prompt(shell: list[str], script: str, cwd: Path) -> str:
    out = subprocess.run(
        [*shell, script], cwd=cwd, capture_output=True, text=True, check=True
    )
    return out.stdout


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_posix_shells(shell: str, repo: Path, tmp_path: Path) -> None:
    require(shell)  # tests/setup/shells.sh installs zsh
    rc = tmp_path / "rc"
    rc.write_text(shell_init.script(shell))
    body = (
        f". {rc}\n"
        'false; seedbed_prompt; echo " status=$?"\n'
        # A marker seedbed did not seal is not "ready" (nothing is activated).
        "mkdir -p .seedbed && touch .seedbed/ready.json\n"
        "_seedbed_hook; seedbed_prompt; echo\n"
        'rm .seedbed/ready.json; echo \'{"status": "failed"}\' > .seedbed/last.json\n'
        "_seedbed_hook 2>/dev/null; seedbed_prompt; echo\n"
        'cd /; _seedbed_hook; seedbed_prompt; echo "outside"\n'
    )
    if shell == "bash":
        body = "shopt -s expand_aliases\n" + body + "alias py-test\n"
    out = _prompt([shell, "-c"], body, repo)
    lines = out.splitlines()
    assert lines[0] == " status=1"  # nothing printed yet, exit status kept
    assert lines[1] == ""
    assert lines[2] == "[seedbed:failed] "
    assert lines[3] == "outside"
    if shell == "bash":
        assert "seedbed run -- python -m pytest" in lines[4]


def fake_seedbed(directory: Path) -> dict[str, str]:
    """A `seedbed` that prints its arguments, first on PATH."""
    directory.mkdir()
    fake = directory / "seedbed"
    fake.write_text('#!/bin/sh\necho "seedbed $*"\n')
    fake.chmod(0o755)
    return {**os.environ, "PATH": f"{directory}{os.pathsep}{os.environ['PATH']}"}


def test_nushell(repo: Path, tmp_path: Path) -> None:
    nu = require("nu")
    module = tmp_path / "seedbed.nu"
    module.write_text(shell_init.script("nu"))
    (repo / ".seedbed").mkdir()
    (repo / ".seedbed" / "last.json").write_text('{"status": "failed"}')
    script = (
        f"source {module}; seedbed-hook; print (seedbed-prompt); py-test -k fast --lf"
    )
    out = subprocess.run(
        [nu, "--no-config-file", "-c", script],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
        env=fake_seedbed(tmp_path / "bin"),
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        "[seedbed:failed]",
        "seedbed run -- python -m pytest -k fast --lf",
    ]


def test_bash_alias_passes_arguments(tmp_path: Path) -> None:
    rc = tmp_path / "rc"
    rc.write_text(shell_init.script("bash"))
    out = subprocess.run(
        ["bash", "-c", f"shopt -s expand_aliases\n. {rc}\npy-lint --fix src\n"],
        capture_output=True,
        text=True,
        check=True,
        env=fake_seedbed(tmp_path / "bin"),
    )
    assert out.stdout == "seedbed run -- ruff check --fix src\n"
