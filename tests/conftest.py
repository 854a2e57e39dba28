"""Shared test plumbing: real tools, isolated user state, the strict flag.

Fixtures live here; the helpers that build things live in tests/factories/.

SEEDBED_STRICT=1 (set by .ci/run) turns a missing real tool into a failure:
in CI a skipped real-component test is a failure, not a pass.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest
from hypothesis import settings

from tests.factories import pods
from tests.factories.git import git

if TYPE_CHECKING:
    from tests.factories.postgres import PostgresServer

REPO = Path(__file__).resolve().parent.parent
TOOLS_BIN = REPO / ".tools" / "bin"
STRICT = os.environ.get("SEEDBED_STRICT") == "1"

# Property tests judge behaviour, not speed: a per-example deadline fails them on a
# loaded 2-core machine (speed is measured in benchmarks/).
settings.register_profile("seedbed", deadline=None)
settings.load_profile("seedbed")


def unavailable(message: str) -> NoReturn:
    """A real component is missing: skip locally, fail under strict."""
    if STRICT:
        pytest.fail(message)
    pytest.skip(message)


def require(tool: str) -> str:
    """The path of a real tool the test drives; skip locally, fail under strict."""
    found = shutil.which(tool)
    if found:
        return found
    unavailable(f"{tool} is not installed (the test command installs it: see README)")


@pytest.fixture(autouse=True)
def isolated_user(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Keep the real user's seedbed config and git config out of every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("SEEDBED_CONFIG", str(home / "seedbed-config.toml"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("SEEDBED_HOME", str(home / "seedbed-home"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for name, value in {
        "GIT_AUTHOR_NAME": "seedbed tests",
        "GIT_AUTHOR_EMAIL": "tests@seedbed.invalid",
        "GIT_COMMITTER_NAME": "seedbed tests",
        "GIT_COMMITTER_EMAIL": "tests@seedbed.invalid",
    }.items():
        monkeypatch.setenv(name, value)
    for name in (
        "SEEDBED_DISABLE_PLUGINS",
        "SEEDBED_MANAGER",
        "SEEDBED_TRACE",
        "VIRTUAL_ENV",
    ):
        monkeypatch.delenv(name, raising=False)
    if TOOLS_BIN.is_dir():
        monkeypatch.setenv("PATH", f"{TOOLS_BIN}{os.pathsep}{os.environ['PATH']}")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A fresh git repository with one commit on branch main."""
    root = tmp_path / "project"
    root.mkdir()
    git("init", "-q", "-b", "main", cwd=root)
    (root / "README.md").write_text("sample\n")
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "init", cwd=root)
    return root


BIN = Path(sys.executable).parent


@pytest.fixture(autouse=True)
def seedbed_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Hooks find `seedbed` on PATH, as they do for a user with it installed."""
    monkeypatch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ['PATH']}")


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from tests.factories.wheels import make_wheelhouse

    return make_wheelhouse(tmp_path_factory.mktemp("wheelhouse"))


@pytest.fixture
def offline(wheelhouse: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Installs come from the local wheelhouse only (fast, no index)."""
    from tests.factories.wheels import offline_env

    for name, value in offline_env(wheelhouse).items():
        monkeypatch.setenv(name, value)
    return wheelhouse


def seedbed(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the real `seedbed` command."""
    return subprocess.run(
        [str(BIN / "seedbed"), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=env,
        timeout=timeout,
        check=False,
    )


def worktree_add(
    main: Path, path: Path, branch: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    """`git worktree add`, retried on git 2.39's occasional commondir race.

    A failed attempt may leave the branch (and a half-registered worktree)
    behind: the retry clears the worktree and checks the existing branch out
    rather than creating it again."""
    create: tuple[str, ...] = ("-b",)
    for _ in range(5):
        out = subprocess.run(
            ["git", "worktree", "add", *extra, str(path), *create, branch],
            cwd=main,
            capture_output=True,
            text=True,
            check=False,
        )
        if out.returncode == 0 or "commondir" not in out.stderr:
            return out
        for argv in (
            ["git", "worktree", "remove", "--force", str(path)],
            ["git", "worktree", "prune"],
        ):
            subprocess.run(argv, cwd=main, check=False, capture_output=True)
        shutil.rmtree(path, ignore_errors=True)
        exists = subprocess.run(
            ["git", "rev-parse", "--verify", "--quiet", f"refs/heads/{branch}"],
            cwd=main,
            capture_output=True,
            check=False,
        )
        create = () if exists.returncode == 0 else ("-b",)
    return out


@pytest.fixture(scope="session")
def index(wheelhouse: Path) -> Iterator[str]:
    """The wheelhouse as a simple index on localhost (poetry needs one)."""
    from tests.factories.servers import serve
    from tests.factories.wheels import write_simple_index

    write_simple_index(wheelhouse)
    url, server = serve(wheelhouse)
    yield url
    server.shutdown()  # type: ignore[attr-defined]


@pytest.fixture
def pg() -> PostgresServer:
    """The session's real PostgreSQL server (started on first use)."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        unavailable("psycopg is not installed beside seedbed")
    from tests.factories.postgres import postgres_server

    server = postgres_server()
    if server is None:
        unavailable("PostgreSQL is not installed (tests/setup/postgres.sh installs it)")
    return server


@pytest.fixture(scope="session")
def engine() -> Any:
    """A client of the real engine; skip locally, fail under strict."""
    problem = pods.engine_problem()
    if problem and STRICT and os.geteuid() == 0:
        subprocess.run(
            ["sh", str(pods.SETUP_SCRIPT)], stdin=subprocess.DEVNULL, check=False
        )
        problem = pods.engine_problem()
    if problem:
        unavailable(f"{problem}: run tests/setup/docker.sh (as root)")
    import docker

    return docker.from_env(timeout=60)
