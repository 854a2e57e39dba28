"""Sample projects for the quality gates, and this repository as a hook source.

Real wheels of the gate tools (ruff, mypy, pytest, pytest-cov, alembic) are
downloaded once into .cache/gate-wheels; samples install them offline from a
wheelhouse through `seedbed setup`, so each sample's environment is the
project's own, as it is for a user.

The hook source is a copy of this working tree (tracked and untracked,
non-ignored files) committed with fixed dates, so the same code gives the same
commit and pre-commit (PRE_COMMIT_HOME under .cache/) reuses its hook
environment across runs; pre-commit installs seedbed into it from a local
wheelhouse of seedbed's dependencies (.cache/hook-wheels), also offline.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

from tests.factories.git import commit_all, git
from tests.factories.projects import PYPROJECT, write_package
from tests.factories.wheels import make_wheelhouse

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / ".cache"
TOOL_WHEELS = CACHE / "gate-wheels"
HOOK_WHEELS = CACHE / "hook-wheels"
HOOK_SOURCE = CACHE / "gates-hook-source"
PRE_COMMIT_HOME = CACHE / "pre-commit"
GATE_TOOLS = ("ruff", "mypy", "pytest", "pytest-cov", "alembic")
# seedbed's pinned tool environment (plugins/gates/toolenv.py) is made from the
# same wheelhouse, once per test session (SEEDBED_TOOLS_DIR below, not per-test
# SEEDBED_HOME), so its pins are downloaded with the gate tools.
TOOLS_DIR = CACHE / "seedbed-tools"
# Run-time dependencies added to the hook source's copy of pyproject.toml when
# pyproject.toml does not list them yet (the gates need detect-secrets and
# PyYAML; core.worktreeinclude needs pathspec). A no-op once they are listed.
GATE_DEPENDENCIES = ("detect-secrets>=1.5", "PyYAML>=6", "pathspec>=0.12")
FIXED_DATE = "2024-01-01T00:00:00+00:00"


def _download(directory: Path, requirements: list[str]) -> Path:
    """pip download once per requirement list (a marker names its digest)."""
    digest = hashlib.sha256("\n".join(sorted(requirements)).encode()).hexdigest()
    marker = directory / f".done-{digest[:16]}"
    if marker.is_file():
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "-q",
            "--only-binary",
            ":all:",
            "-d",
            str(directory),
            *requirements,
        ],
        check=True,
        capture_output=True,
        env=clean_env(),
    )
    marker.write_text("\n".join(requirements) + "\n")
    return directory


def clean_env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_DIR", "GIT_INDEX", "GIT_WORK", "PIP_", "UV_"))
        and k != "VIRTUAL_ENV"
    }
    # The pinned tool environment is shared by every test of a session (and
    # kept between sessions under .cache/), as it is by every worktree of a user.
    env.setdefault("SEEDBED_TOOLS_DIR", str(TOOLS_DIR))
    env.update(extra)
    return env


def tool_wheels() -> Path:
    from seedbed.plugins.gates.toolenv import requirements

    return _download(TOOL_WHEELS, [*GATE_TOOLS, *requirements(), "coverage"])


def gate_wheelhouse(directory: Path) -> Path:
    """The tiny sample wheels plus the real gate tools, in one folder."""
    make_wheelhouse(directory)
    for wheel in tool_wheels().glob("*.whl"):
        target = directory / wheel.name
        if not target.exists():
            try:
                os.link(wheel, target)
            except OSError:
                shutil.copy(wheel, target)
    return directory


def offline(wheelhouse: Path, **extra: str) -> dict[str, str]:
    return clean_env(
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(wheelhouse),
        UV_NO_INDEX="1",
        UV_FIND_LINKS=str(wheelhouse),
        **extra,
    )


def seedbed_env(wheelhouse: Path, home: Path, **extra: str) -> dict[str, str]:
    """Where the gate tests run seedbed: offline from the gate wheelhouse, this
    venv's tools first, no user configuration, a git identity of its own."""
    return offline(
        wheelhouse,
        PATH=f"{Path(sys.executable).parent}:{clean_env()['PATH']}",
        SEEDBED_CONFIG=str(home / "none.toml"),
        GIT_CONFIG_GLOBAL=str(home / ".gitconfig"),
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@seedbed.invalid",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@seedbed.invalid",
        **extra,
    )


def pinned_project(
    root: Path, env: dict[str, str], dev: str, setup_it: bool = True
) -> Path:
    """gate_project with .python-version pinned to this interpreter, built with
    env in place (the helpers run git and uv in it), then set up unless told."""
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        gate_project(root, dev)
        (root / ".python-version").write_text(
            f"{sys.version_info[0]}.{sys.version_info[1]}\n"
        )
        commit_all(root, "pin python")
    finally:
        os.environ.clear()
        os.environ.update(saved)
    if setup_it:
        setup(root, env)
    return root


# --- this repository as a pre-commit hook source ----------------------------


def _hook_requirements() -> list[str]:
    data = tomllib.loads((REPO / "pyproject.toml").read_text())
    deps = list(data["project"]["dependencies"])
    names = {d.split(">")[0].split("=")[0].split("[")[0].strip().lower() for d in deps}
    deps += [d for d in GATE_DEPENDENCIES if d.split(">")[0].lower() not in names]
    return deps + list(data["build-system"]["requires"])


def hook_source() -> tuple[Path, str]:
    """(path, commit) of a committed copy of this working tree."""
    files = git("ls-files", "-co", "--exclude-standard", cwd=REPO).splitlines()
    if HOOK_SOURCE.exists():
        shutil.rmtree(HOOK_SOURCE)
    HOOK_SOURCE.mkdir(parents=True)
    for name in files:
        source = REPO / name
        if source.is_file():
            target = HOOK_SOURCE / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    _add_gate_dependencies(HOOK_SOURCE / "pyproject.toml")
    env = clean_env(
        GIT_AUTHOR_DATE=FIXED_DATE,
        GIT_COMMITTER_DATE=FIXED_DATE,
        GIT_AUTHOR_NAME="seedbed tests",
        GIT_AUTHOR_EMAIL="tests@seedbed.invalid",
        GIT_COMMITTER_NAME="seedbed tests",
        GIT_COMMITTER_EMAIL="tests@seedbed.invalid",
    )
    git("init", "-q", "-b", "main", cwd=HOOK_SOURCE, env=env)
    git("add", "-A", cwd=HOOK_SOURCE, env=env)
    git("commit", "-q", "-m", "seedbed under test", cwd=HOOK_SOURCE, env=env)
    return HOOK_SOURCE, git("rev-parse", "HEAD", cwd=HOOK_SOURCE, env=env)


def _add_gate_dependencies(pyproject: Path) -> None:
    text = pyproject.read_text()
    data = tomllib.loads(text)
    present = " ".join(data["project"]["dependencies"]).lower()
    missing = [d for d in GATE_DEPENDENCIES if d.split(">")[0].lower() not in present]
    if missing:
        added = "".join(f'  "{d}",\n' for d in missing)
        text = text.replace("dependencies = [\n", "dependencies = [\n" + added, 1)
        pyproject.write_text(text)


def precommit_env(**extra: str) -> dict[str, str]:
    """pre-commit with its hook environments cached, installing offline."""
    wheels = _download(HOOK_WHEELS, _hook_requirements())
    return clean_env(
        PRE_COMMIT_HOME=str(PRE_COMMIT_HOME),
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(wheels),
        **extra,
    )


def precommit_config(source: Path, rev: str, hooks: list[dict[str, object]]) -> str:
    import yaml

    return yaml.safe_dump(
        {"repos": [{"repo": str(source), "rev": rev, "hooks": hooks}]},
        sort_keys=False,
    )


# --- sample projects -----------------------------------------------------------

DEV_REQUIREMENTS = "ruff\nmypy\npytest\npytest-cov\n"

TYPED_MODULE = """\
def add(a: int, b: int) -> int:
    return a + b
"""

TEST_MODULE = """\
from my_project import add


def test_add() -> None:
    assert add(1, 2) == 3
"""


def gate_project(root: Path, dev_requirements: str = DEV_REQUIREMENTS) -> Path:
    """A pip project (src layout) whose dev requirements carry the gate tools;
    clean for every gate. Committed on main; no environment yet."""
    root.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", "main", cwd=root)
    write_package(root)
    (root / "src" / "my_project" / "__init__.py").write_text(TYPED_MODULE)
    (root / "src" / "my_project" / "py.typed").write_text("")
    (root / "tests").mkdir()
    (root / "tests" / "test_add.py").write_text(TEST_MODULE)
    (root / "requirements.txt").write_text("")
    (root / "requirements-dev.txt").write_text(dev_requirements)
    (root / "pyproject.toml").write_text(
        PYPROJECT.format(name="my-project", deps="", extra="")
    )
    (root / ".gitignore").write_text(".venv/\n.seedbed/\n.env\n")
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "sample gate project", cwd=root)
    return root


def coverage_module(covered: int, total: int = 50) -> tuple[str, str]:
    """(module, test) whose statement coverage is exactly (total + covered) /
    (2 * total): each function is a def (run at import) and a return."""
    module = "".join(f"def f{i}() -> int:\n    return {i}\n\n\n" for i in range(total))
    calls = "".join(f"    assert f{i}() == {i}\n" for i in range(covered))
    test = (
        f"from my_project import *  # noqa: F403\n\n\ndef test_some() -> None:\n{calls}"
    )
    return module.rstrip() + "\n", test


def setup(root: Path, env: dict[str, str]) -> None:
    out = subprocess.run(
        [str(Path(sys.executable).parent / "seedbed"), "setup"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    if out.returncode != 0:
        raise AssertionError(f"seedbed setup failed: {out.stdout}\n{out.stderr}")
