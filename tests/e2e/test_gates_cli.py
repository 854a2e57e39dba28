"""`seedbed gate` by hand against real sample projects with real environments.

One sample per module (its environment made by `seedbed setup`, offline from a
wheelhouse holding the real ruff, mypy, pytest, pytest-cov and alembic); each
test changes files and the fixture puts the worktree back afterwards.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from seedbed.core.metrics import MetricsStore, store_path

from tests.conftest import require, worktree_add
from tests.factories import gates as gs
from tests.factories.git import git
from tests.plugins.gates.test_gates_units import (
    AWS_KEY,
    URL_PASSWORD,
    plant,
    write_alembic,
)

BIN = Path(sys.executable).parent
DEV = gs.DEV_REQUIREMENTS + "alembic\n"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("gate-home")


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, home: Path) -> dict[str, str]:
    require("uv")
    wheelhouse = gs.gate_wheelhouse(tmp_path_factory.mktemp("gate-wheels"))
    return gs.seedbed_env(wheelhouse, home)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    return gs.pinned_project(tmp_path_factory.mktemp("gates") / "project", env, DEV)


@pytest.fixture
def sample(project: Path) -> Iterator[Path]:
    yield project
    git("reset", "-q", "--hard", "main", cwd=project)
    git("clean", "-fdq", cwd=project)  # ignored files (.venv) stay


def gate(
    root: Path, env: dict[str, str], *args: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "seedbed"), "gate", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )


def gate_json(root: Path, env: dict[str, str], *args: str) -> dict[str, dict]:
    out = gate(root, env, "--json", *args)
    data = json.loads(out.stdout)
    assert out.returncode == (0 if data["passed"] else 1)
    return {g["name"]: g for g in data["gates"]}


def test_a_clean_project_passes_every_gate_and_is_recorded(
    sample: Path, env: dict[str, str]
) -> None:
    # The audit gate needs an advisory database: an empty one (no advisories).
    (sample / "advisories").mkdir()
    (sample / ".seedbed.toml").write_text('[audit]\ndatabase = "advisories"\n')
    out = gate(sample, env)
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["gate", "result", "seconds", "figure"]
    assert "100.0% coverage" in out.stdout
    results = gate_json(sample, env)
    assert results["format"]["tool"].endswith("(environment)")  # the project's ruff
    assert results["types"]["tool"].startswith(str(sample / ".venv"))
    rows = MetricsStore(store_path(sample / ".git")).rows(kind="gate")
    assert {r["name"] for r in rows} >= {"format", "lint", "types", "tests", "secrets"}
    tests_rows = [r for r in rows if r["name"] == "tests"]
    assert tests_rows[-1]["figure"] == 100.0 and tests_rows[-1]["ok"]


def test_stage_selects_fast_gates_and_only_names_one(
    sample: Path, env: dict[str, str]
) -> None:
    fast = gate_json(sample, env, "--stage", "pre-commit")
    assert set(fast) == {"format", "lint", "secrets", "lock", "migrations"}
    slow = gate_json(sample, env, "--stage", "pre-push")
    assert set(slow) == {"types", "tests", "audit"}
    assert set(gate_json(sample, env, "--only", "lint,format")) == {"lint", "format"}
    (sample / ".seedbed.toml").write_text('[gates]\ntypes_stage = "pre-commit"\n')
    assert "types" in gate_json(sample, env, "--stage", "pre-commit")


def test_format_and_lint_fail_with_file_and_line(
    sample: Path, env: dict[str, str]
) -> None:
    (sample / "src" / "my_project" / "ugly.py").write_text("x=1\n")
    (sample / "src" / "my_project" / "unused.py").write_text("import os\n")
    results = gate_json(sample, env, "--only", "format,lint")
    assert not results["format"]["passed"]
    assert {"file": "src/my_project/ugly.py", "line": 0, "kind": "would reformat"} in (
        results["format"]["findings"]
    )
    assert results["lint"]["findings"] == [
        {"file": "src/my_project/unused.py", "line": 1, "kind": "F401"}
    ]
    # FILES limit them: the clean module passes.
    clean = gate_json(
        sample, env, "--only", "format,lint", "src/my_project/__init__.py"
    )
    assert clean["format"]["passed"] and clean["lint"]["passed"]


def test_line_length_is_88_unless_the_project_says_otherwise(
    sample: Path, env: dict[str, str]
) -> None:
    args = "alpha=1, beta=2, gamma=3, delta=4, epsilon=5, zeta=6, eta=7, theta=8"
    line = f"VALUE = dict({args}, iota=99)\n"  # 92 columns: split at 88, not 100
    (sample / "src" / "my_project" / "long.py").write_text(line)
    assert not gate_json(sample, env, "--only", "format")["format"]["passed"]
    with (sample / "pyproject.toml").open("a") as handle:
        handle.write("\n[tool.ruff]\nline-length = 100\n")
    assert gate_json(sample, env, "--only", "format")["format"]["passed"]


def test_types_are_strict_by_default_and_configurable(
    sample: Path, env: dict[str, str]
) -> None:
    (sample / "src" / "my_project" / "loose.py").write_text("def f(x):\n    return x\n")
    strict = gate_json(sample, env, "--only", "types")["types"]
    assert not strict["passed"]
    assert strict["findings"][0]["file"] == "src/my_project/loose.py"
    assert strict["findings"][0]["kind"] == "no-untyped-def"
    (sample / ".seedbed.toml").write_text("[gates]\nmypy_strict = false\n")
    assert gate_json(sample, env, "--only", "types")["types"]["passed"]


@pytest.mark.parametrize(("covered", "passed"), [(29, False), (31, True)])
def test_coverage_floor(
    sample: Path, env: dict[str, str], covered: int, passed: bool
) -> None:
    module, test = gs.coverage_module(covered)
    (sample / "src" / "my_project" / "__init__.py").write_text(module)
    (sample / "tests" / "test_add.py").write_text(test)
    result = gate_json(sample, env, "--only", "tests")["tests"]
    assert result["figure"] == (79.0 if covered == 29 else 81.0)
    assert result["passed"] is passed
    out = gate(sample, env, "--only", "tests")
    assert f"{result['figure']:.1f}% coverage" in out.stdout


def test_failing_tests_fail_the_gate(sample: Path, env: dict[str, str]) -> None:
    (sample / "tests" / "test_bad.py").write_text(
        "def test_bad() -> None:\n    assert False\n"
    )
    result = gate_json(sample, env, "--only", "tests")["tests"]
    assert not result["passed"]
    assert result["findings"] == [
        {"file": "tests/test_bad.py", "line": 0, "kind": "failed: test_bad"}
    ]


def test_secrets_in_staged_and_worktreeinclude_files(
    sample: Path, env: dict[str, str]
) -> None:
    plant(sample)
    git("add", "aws.py", "id_rsa", "settings.py", "ordinary.py", cwd=sample)
    (sample / ".worktreeinclude").write_text(".env\n")
    (sample / ".env").write_text(
        f"DATABASE_URL=mysql://root:{URL_PASSWORD}@localhost/db\n"
    )
    out = gate(sample, env, "--only", "secrets")
    assert out.returncode == 1
    assert "aws.py:1: AWS Access Key" in out.stderr
    assert "id_rsa:1: Private Key" in out.stderr
    assert "settings.py:1: Basic Auth Credentials" in out.stderr
    assert ".env:1: Basic Auth Credentials" in out.stderr  # copied to every worktree
    assert "ordinary.py" not in out.stderr
    shown = (
        out.stdout
        + out.stderr
        + gate(sample, env, "--json", "--only", "secrets").stdout
    )
    assert AWS_KEY not in shown and URL_PASSWORD not in shown
    rows = MetricsStore(store_path(sample / ".git")).rows(kind="gate")
    assert AWS_KEY not in json.dumps(rows) and URL_PASSWORD not in json.dumps(rows)
    # An ordinary file alone passes.
    (sample / ".env").unlink()
    assert gate(sample, env, "--only", "secrets", "ordinary.py").returncode == 0


def test_secrets_baseline_accepts_known_findings(
    sample: Path, env: dict[str, str]
) -> None:
    plant(sample)
    scan = subprocess.run(
        [str(BIN / "detect-secrets"), "scan", "aws.py"],
        cwd=sample,
        capture_output=True,
        text=True,
        check=True,
    )
    (sample / ".secrets.baseline").write_text(scan.stdout)
    assert gate(sample, env, "--only", "secrets", "aws.py").returncode == 0
    assert (
        gate(sample, env, "--only", "secrets", "aws.py", "settings.py").returncode == 1
    )


def test_alembic_heads(sample: Path, env: dict[str, str]) -> None:
    write_alembic(sample, {"a1": None, "b2": "a1"})
    one = gate_json(sample, env, "--only", "migrations")["migrations"]
    assert one["passed"] and one["tool"].endswith("alembic (environment)")
    write_alembic(sample, {"c3": "a1"})
    two = gate_json(sample, env, "--only", "migrations")["migrations"]
    assert not two["passed"]
    assert {f["kind"] for f in two["findings"]} == {
        "alembic head b2",
        "alembic head c3",
    }
    assert "alembic merge heads" in two["message"]


def test_lock_drift_fails(
    tmp_path: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.factories.projects import uv_project

    wheelhouse = Path(env["UV_FIND_LINKS"])
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    root = uv_project(tmp_path / "uvp", wheelhouse)
    agrees = gate_json(root, env, "--only", "lock")["lock"]
    assert agrees["passed"] and not agrees["skipped"]
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(
        text.replace('"tinybeta"', '"tinybeta", "tinygamma"')
    )
    drifted = gate_json(root, env, "--only", "lock")["lock"]
    assert not drifted["passed"]
    assert "does not match pyproject.toml" in drifted["message"]


def test_mypy_cache_is_shared_and_safe_across_worktrees(
    sample: Path, env: dict[str, str]
) -> None:
    """Same module, different content in two worktrees, one cache: each run
    reports its own worktree's truth, in turn and at once."""
    require("git")
    other = sample.parent / "other"
    out = worktree_add(sample, other, "other")
    assert out.returncode == 0, out.stderr
    try:
        gs.setup(other, env)
        broken = "def add(a: int, b: int) -> int:\n    return str(a + b)\n"
        (other / "src" / "my_project" / "__init__.py").write_text(broken)
        cache = sample / ".git" / "seedbed" / "cache" / "mypy"
        for _ in range(2):
            assert gate_json(sample, env, "--only", "types")["types"]["passed"]
            assert not gate_json(other, env, "--only", "types")["types"]["passed"]
        assert any(cache.rglob("*")), "mypy wrote its cache under the common dir"
        with ThreadPoolExecutor(4) as pool:
            runs = [
                pool.submit(gate_json, root, env, "--only", "types")
                for root in (sample, other, sample, other)
            ]
            verdicts = [r.result()["types"]["passed"] for r in runs]
        assert verdicts == [True, False, True, False]
    finally:
        subprocess.run(
            ["git", "worktree", "remove", "--force", str(other)],
            cwd=sample,
            check=False,
            capture_output=True,
        )


def test_init_writes_hooks_and_defaults_once(sample: Path, env: dict[str, str]) -> None:
    import tomllib

    import yaml

    first = subprocess.run(
        [str(BIN / "seedbed"), "init", "--json"],
        cwd=sample,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert first.returncode == 0, first.stderr
    actions = [c["action"] for c in json.loads(first.stdout)["changes"]]
    assert actions == ["created", "updated"]
    config = yaml.safe_load((sample / ".pre-commit-config.yaml").read_text())
    assert config["repos"][0]["repo"] == "local"
    seedbed = tomllib.loads((sample / "pyproject.toml").read_text())["tool"]["seedbed"]
    assert seedbed["gates"]["coverage_floor"] == 80.0
    again = subprocess.run(
        [str(BIN / "seedbed"), "init", "--json"],
        cwd=sample,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert [c["action"] for c in json.loads(again.stdout)["changes"]] == [
        "unchanged",
        "unchanged",
    ]
    # The written defaults are valid configuration: the gates still run.
    assert gate(sample, env, "--only", "lint").returncode == 0
