"""Real `pre-commit run` with this repository as the hook source.

The hook source is a committed copy of this working tree; pre-commit installs
seedbed into its own hook environment (once per code version, under
.cache/pre-commit) and the gates run inside each sample worktree's own
environment. Every gate gets a passing and a failing case.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require, worktree_add
from tests.e2e.test_gates_cli import (  # noqa: F401 (module fixtures)
    env,
    home,
    project,
)
from tests.factories import gates as gs
from tests.factories.git import git
from tests.plugins.gates.test_gates_units import (
    AWS_KEY,
    URL_PASSWORD,
    plant,
    write_alembic,
)

HOOKS = [
    {"id": hook}
    for hook in (
        "seedbed-format",
        "seedbed-lint",
        "seedbed-types",
        "seedbed-tests",
        "seedbed-secrets",
        "seedbed-lock",
        "seedbed-migrations",
        "seedbed-setup",
    )
]


@pytest.fixture(scope="module")
def pc_env(env: dict[str, str]) -> dict[str, str]:  # noqa: F811
    require("pre-commit")
    hook_env = gs.precommit_env()
    merged = dict(env)
    merged["PRE_COMMIT_HOME"] = hook_env["PRE_COMMIT_HOME"]
    # pip reads several find-links from one variable, split on spaces.
    merged["PIP_FIND_LINKS"] = f"{hook_env['PIP_FIND_LINKS']} {env['PIP_FIND_LINKS']}"
    return merged


@pytest.fixture(scope="module")
def hook_repo() -> tuple[Path, str]:
    return gs.hook_source()


def configure(root: Path, hook_repo: tuple[Path, str], environ: dict[str, str]) -> None:
    source, rev = hook_repo
    (root / ".pre-commit-config.yaml").write_text(
        gs.precommit_config(source, rev, HOOKS)
    )
    git("add", ".pre-commit-config.yaml", cwd=root)
    git(
        "commit",
        "-q",
        "--no-verify",
        "-m",
        "pre-commit config",
        cwd=root,
        env=environ,
    )
    out = precommit(root, environ, "install-hooks")
    assert out.returncode == 0, out.stdout + out.stderr


@pytest.fixture(scope="module")
def configured(
    project: Path,  # noqa: F811
    hook_repo: tuple[Path, str],
    pc_env: dict[str, str],
) -> Path:
    configure(project, hook_repo, pc_env)
    return project


@pytest.fixture
def repo_(configured: Path) -> Iterator[Path]:
    yield configured
    git("reset", "-q", "--hard", "main", cwd=configured)
    git("clean", "-fdq", cwd=configured)


def precommit(
    root: Path, environ: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["pre-commit", *args],
        cwd=root,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


def run_hook(
    root: Path, environ: dict[str, str], hook: str, *args: str
) -> subprocess.CompletedProcess[str]:
    return precommit(root, environ, "run", "--verbose", hook, *args)


def test_format_passes_and_fails(repo_: Path, pc_env: dict[str, str]) -> None:
    good = run_hook(repo_, pc_env, "seedbed-format", "--all-files")
    assert good.returncode == 0, good.stdout
    (repo_ / "src" / "my_project" / "ugly.py").write_text("x=1\n")
    bad = run_hook(repo_, pc_env, "seedbed-format", "--files", "src/my_project/ugly.py")
    assert (
        bad.returncode == 1 and "src/my_project/ugly.py: would reformat" in bad.stdout
    )


def test_lint_passes_and_fails(repo_: Path, pc_env: dict[str, str]) -> None:
    assert run_hook(repo_, pc_env, "seedbed-lint", "--all-files").returncode == 0
    (repo_ / "src" / "my_project" / "unused.py").write_text("import os\n")
    bad = run_hook(repo_, pc_env, "seedbed-lint", "--files", "src/my_project/unused.py")
    assert bad.returncode == 1 and "src/my_project/unused.py:1: F401" in bad.stdout


def test_types_pass_and_fail_at_pre_push(repo_: Path, pc_env: dict[str, str]) -> None:
    stage = ("--hook-stage", "pre-push", "--all-files")
    assert run_hook(repo_, pc_env, "seedbed-types", *stage).returncode == 0
    # Not a pre-commit hook by default: nothing runs at that stage.
    quiet = run_hook(repo_, pc_env, "seedbed-types", "--all-files")
    assert "No hook with id" in quiet.stdout or quiet.returncode != 0
    (repo_ / "src" / "my_project" / "loose.py").write_text("def f(x):\n    return x\n")
    git("add", "-A", cwd=repo_)
    bad = run_hook(repo_, pc_env, "seedbed-types", *stage)
    assert bad.returncode == 1 and "loose.py:1: no-untyped-def" in bad.stdout


@pytest.mark.parametrize(("covered", "code"), [(29, 1), (31, 0)])
def test_coverage_floor_at_pre_push(
    repo_: Path, pc_env: dict[str, str], covered: int, code: int
) -> None:
    module, test = gs.coverage_module(covered)
    (repo_ / "src" / "my_project" / "__init__.py").write_text(module)
    (repo_ / "tests" / "test_add.py").write_text(test)
    git("add", "-A", cwd=repo_)
    out = run_hook(
        repo_, pc_env, "seedbed-tests", "--hook-stage", "pre-push", "--all-files"
    )
    assert out.returncode == code, out.stdout
    assert f"coverage {79 if code else 81}.0%" in out.stdout


def test_secrets_in_staged_files_are_caught_not_echoed(
    repo_: Path, pc_env: dict[str, str]
) -> None:
    plant(repo_)
    git("add", "ordinary.py", cwd=repo_)
    clean = run_hook(repo_, pc_env, "seedbed-secrets")  # the staged files
    assert clean.returncode == 0, clean.stdout
    git("add", "aws.py", "id_rsa", "settings.py", cwd=repo_)
    out = run_hook(repo_, pc_env, "seedbed-secrets")
    assert out.returncode == 1
    for line in (
        "aws.py:1: AWS Access Key",
        "id_rsa:1: Private Key",
        "settings.py:1: Basic Auth Credentials",
    ):
        assert line in out.stdout
    assert "ordinary.py:" not in out.stdout
    assert AWS_KEY not in out.stdout + out.stderr
    assert URL_PASSWORD not in out.stdout + out.stderr


def test_migrations_pass_with_one_alembic_head_and_fail_with_two(
    repo_: Path, pc_env: dict[str, str]
) -> None:
    write_alembic(repo_, {"a1": None, "b2": "a1"})
    git("add", "-A", cwd=repo_)
    assert run_hook(repo_, pc_env, "seedbed-migrations", "--all-files").returncode == 0
    write_alembic(repo_, {"c3": "a1"})
    git("add", "-A", cwd=repo_)
    out = run_hook(repo_, pc_env, "seedbed-migrations", "--all-files")
    assert out.returncode == 1 and "Alembic has 2 heads (b2, c3)" in out.stdout


def test_lock_passes_then_fails_when_pyproject_drifts(
    tmp_path: Path,
    pc_env: dict[str, str],
    hook_repo: tuple[Path, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.factories.projects import uv_project

    for name, value in pc_env.items():
        monkeypatch.setenv(name, value)
    root = uv_project(tmp_path / "uvp", Path(pc_env["UV_FIND_LINKS"]))
    configure(root, hook_repo, pc_env)
    assert run_hook(root, pc_env, "seedbed-lock", "--all-files").returncode == 0
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(
        text.replace('"tinybeta"', '"tinybeta", "tinygamma"')
    )
    git("add", "-A", cwd=root)
    out = run_hook(root, pc_env, "seedbed-lock", "--all-files")
    assert out.returncode == 1 and "does not match pyproject.toml" in out.stdout


def commit(
    root: Path, environ: dict[str, str], message: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "commit", "-q", "-m", message],
        cwd=root,
        env=environ,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


def test_hooks_installed_once_work_in_every_worktree(
    repo_: Path, pc_env: dict[str, str]
) -> None:
    """Installed from a linked worktree that is then removed: the hooks live in
    the common git dir, so every other worktree (old and new) keeps them, and a
    new worktree gets its environment from the post-checkout hook."""
    origin = repo_.parent / "installer"
    assert worktree_add(repo_, origin, "installer").returncode == 0
    install = precommit(
        origin, pc_env, "install", "-t", "pre-commit", "-t", "post-checkout"
    )
    assert install.returncode == 0, install.stdout + install.stderr
    removed = subprocess.run(
        ["git", "worktree", "remove", "--force", str(origin)],
        cwd=repo_,
        env=pc_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert removed.returncode == 0, removed.stderr
    fresh = repo_.parent / "fresh"
    try:
        added = subprocess.run(
            ["git", "worktree", "add", str(fresh), "-b", "fresh"],
            cwd=repo_,
            env=pc_env,
            capture_output=True,
            text=True,
            check=False,
            timeout=900,
        )
        assert added.returncode == 0, added.stderr
        assert (fresh / ".venv" / "bin" / "ruff").is_file(), added.stderr
        for root in (fresh, repo_):
            (root / "src" / "my_project" / "unused.py").write_text("import os\n")
            git("add", "-A", cwd=root)
            blocked = commit(root, pc_env, "unused import")
            assert blocked.returncode == 1, blocked.stdout
            # git shows the hook's output on stderr.
            assert "src/my_project/unused.py:1: F401" in blocked.stderr
            (root / "src" / "my_project" / "unused.py").write_text(
                "import os\n\nHOME = os.sep\n"
            )
            git("add", "-A", cwd=root)
            ok = commit(root, pc_env, "fixed")
            assert ok.returncode == 0, ok.stdout + ok.stderr
    finally:
        precommit(repo_, pc_env, "uninstall", "-t", "pre-commit", "-t", "post-checkout")
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(fresh)],
            cwd=repo_,
            capture_output=True,
            check=False,
        )
        subprocess.run(
            ["git", "branch", "-D", "fresh", "installer"],
            cwd=repo_,
            capture_output=True,
            check=False,
        )
