"""Gates on the project shapes a real-project trial found them wrong on (issue 13).

Samples are built here (tests/factories/gates.py); environments are made by `seedbed
setup`, offline from a wheelhouse holding the real tools. A tool the project
does not install comes from seedbed's pinned tool environment, made once per
test session under SEEDBED_TOOLS_DIR (gates.clean_env) from the same
wheelhouse.

- a gate that cannot run says `error` with the fix, never `fail`;
- black/isort/flake8 projects are judged by black/isort/flake8;
- mypy from the tool environment sees the project's packages, checks a
  top-level module next to src/, honours the project's mypy config and a
  backend/ subproject's own config;
- the tests gate measures coverage with what the project has (or says it did
  not), runs only the touched tests at pre-commit;
- the secrets gate has no false positives on ordinary files.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import require
from tests.factories import gates as gs
from tests.factories.git import commit_all, git
from tests.plugins.gates.test_gates_units import AWS_KEY

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    require("uv")
    home = tmp_path_factory.mktemp("shapes-home")
    wheelhouse = gs.gate_wheelhouse(tmp_path_factory.mktemp("shapes-wheels"))
    return gs.seedbed_env(
        wheelhouse,
        home,
        SEEDBED_HOME=str(home / "seedbed-home"),
        UV_PYTHON_DOWNLOADS="never",
    )


def build(root: Path, env: dict[str, str], dev: str, setup: bool = True) -> Path:
    return gs.pinned_project(root, env, dev, setup_it=setup)


def reset(root: Path) -> None:
    git("reset", "-q", "--hard", "main", cwd=root)
    git("clean", "-fdq", cwd=root)  # ignored files (.venv) stay


@pytest.fixture(scope="module")
def bare_main(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    """pytest only: no ruff, mypy, pytest-cov or coverage in the project."""
    return build(tmp_path_factory.mktemp("bare") / "project", env, "pytest\n")


@pytest.fixture
def bare(bare_main: Path) -> Iterator[Path]:
    yield bare_main
    reset(bare_main)


def gate_json(root: Path, env: dict[str, str], *args: str) -> dict[str, dict]:
    out = subprocess.run(
        [str(BIN / "seedbed"), "gate", "--json", *args],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    data = json.loads(out.stdout)
    assert out.returncode == (0 if data["passed"] else 1), out.stderr
    return {g["name"]: g for g in data["gates"]}


# --- tools the project lacks ----------------------------------------------------


def test_missing_tools_come_from_the_pinned_tool_environment(
    bare: Path, env: dict[str, str]
) -> None:
    results = gate_json(bare, env, "--only", "format,lint,types")
    for name in ("format", "lint", "types"):
        assert results[name]["status"] == "pass", results[name]
        assert results[name]["tool"].endswith("(seedbed tools)")
        assert results[name]["tool"].startswith(env["SEEDBED_TOOLS_DIR"])
    assert "nothing configured: ruff by default" in results["lint"]["message"]
    # mypy from there sees the project's installed package (through
    # --python-executable): a wrong use of its API in tests is an error.
    (bare / "tests" / "test_wrong.py").write_text(
        'from my_project import add\n\n\ndef test_it() -> None:\n    add("a", 1)\n'
    )
    types = gate_json(bare, env, "--only", "types")["types"]
    assert types["status"] == "fail", types
    assert types["findings"] == [
        {"file": "tests/test_wrong.py", "line": 5, "kind": "arg-type"}
    ]


def test_a_top_level_module_next_to_src_is_type_checked(
    bare: Path, env: dict[str, str]
) -> None:
    (bare / "app.py").write_text("def main() -> int:\n    return 'no'\n")
    types = gate_json(bare, env, "--only", "types")["types"]
    assert types["status"] == "fail", types
    assert [f["file"] for f in types["findings"]] == ["app.py"]


def test_the_projects_mypy_config_decides_strictness_and_files(
    bare: Path, env: dict[str, str]
) -> None:
    (bare / "src" / "my_project" / "loose.py").write_text("def f(x):\n    return x\n")
    strict = gate_json(bare, env, "--only", "types")["types"]
    assert strict["findings"][0]["kind"] == "no-untyped-def"  # no config: strict
    with (bare / "pyproject.toml").open("a") as handle:
        handle.write('\n[tool.mypy]\nfiles = ["src"]\n')
    (bare / "app.py").write_text("X: int = 'outside the configured files'\n")
    relaxed = gate_json(bare, env, "--only", "types")["types"]
    assert relaxed["status"] == "pass", relaxed  # not strict; app.py not in files


def test_a_backend_subproject_is_checked_with_its_own_config(
    bare: Path, env: dict[str, str]
) -> None:
    backend = bare / "backend"
    (backend / "app").mkdir(parents=True)
    (backend / "app" / "__init__.py").write_text("")
    (backend / "app" / "main.py").write_text("def f() -> int:\n    return 'x'\n")
    (backend / "app" / "legacy.py").write_text("def g() -> int:\n    return 'x'\n")
    (backend / "pyproject.toml").write_text(
        '[tool.mypy]\nfiles = ["app"]\nexclude = ["app/legacy\\\\.py"]\n'
    )
    types = gate_json(bare, env, "--only", "types")["types"]
    assert types["status"] == "fail", types
    assert [f["file"] for f in types["findings"]] == ["backend/app/main.py"]
    assert "mypy in backend" in types["message"]


def test_black_isort_and_flake8_projects_are_judged_by_their_tools(
    bare: Path, env: dict[str, str]
) -> None:
    with (bare / "pyproject.toml").open("a") as handle:
        handle.write(
            '\n[tool.black]\nline-length = 100\n\n[tool.isort]\nprofile = "black"\n'
        )
    (bare / ".flake8").write_text("[flake8]\nmax-line-length = 100\n")
    # 95 columns: fine for black and flake8 at 100, too long for ruff's 88.
    long = 'VALUE = "' + "x" * 85 + '"\n'
    (bare / "src" / "my_project" / "long.py").write_text(long)
    clean = gate_json(bare, env, "--only", "format,lint")
    assert clean["format"]["status"] == "pass", clean["format"]
    assert clean["format"]["message"] == "formatted (black, isort)"
    assert "black" in clean["format"]["tool"] and "isort" in clean["format"]["tool"]
    assert clean["lint"]["status"] == "pass", clean["lint"]
    assert clean["lint"]["message"] == "no findings (flake8)"
    (bare / "src" / "my_project" / "ugly.py").write_text("import sys\nimport os\nx=1\n")
    dirty = gate_json(bare, env, "--only", "format,lint")
    kinds = {(f["file"], f["kind"]) for f in dirty["format"]["findings"]}
    assert ("src/my_project/ugly.py", "would reformat (black)") in kinds
    assert ("src/my_project/ugly.py", "imports not sorted (isort)") in kinds
    assert dirty["format"]["status"] == "fail"
    assert {f["kind"] for f in dirty["lint"]["findings"]} >= {"F401", "E225"}


def test_ruff_in_pre_commit_config_keeps_ruff(bare: Path, env: dict[str, str]) -> None:
    with (bare / "pyproject.toml").open("a") as handle:
        handle.write("\n[tool.black]\nline-length = 100\n")
    (bare / ".pre-commit-config.yaml").write_text(
        "repos:\n- repo: https://example.invalid/astral-sh/ruff-pre-commit\n"
        "  rev: v0.6.0\n  hooks:\n  - id: ruff\n  - id: ruff-format\n"
    )
    results = gate_json(bare, env, "--only", "format,lint")
    assert "ruff" in results["format"]["tool"]
    assert "ruff" in results["lint"]["tool"]


# --- the tests gate ------------------------------------------------------------------


def test_tests_without_coverage_tools_pass_with_coverage_not_measured(
    bare: Path, env: dict[str, str]
) -> None:
    result = gate_json(bare, env, "--only", "tests")["tests"]
    assert result["status"] == "pass", result
    assert result["figure"] is None
    assert "coverage not measured" in result["message"]
    # An explicit floor cannot be judged without a measurement: error, not fail.
    (bare / ".seedbed.toml").write_text("[gates]\ncoverage_floor = 50\n")
    floored = gate_json(bare, env, "--only", "tests")["tests"]
    assert floored["status"] == "error", floored
    assert "pytest-cov" in floored["message"]


def test_no_tests_collected_is_an_error_not_a_failure(
    bare: Path, env: dict[str, str]
) -> None:
    (bare / "tests" / "test_add.py").unlink()
    result = gate_json(bare, env, "--only", "tests")["tests"]
    assert result["status"] == "error", result
    assert result["message"] == "pytest found no tests to run"


def test_pre_commit_runs_only_the_tests_of_the_staged_change(
    bare: Path, env: dict[str, str]
) -> None:
    (bare / "tests" / "test_other.py").write_text(
        "def test_other() -> None:\n    assert False\n"
    )
    commit_all(bare, "an unrelated failing test")
    nothing = gate_json(bare, env, "--stage", "pre-commit", "--only", "tests")
    assert nothing["tests"]["status"] == "skip", nothing
    (bare / "src" / "my_project" / "add.py").write_text("ADDED = 1\n")
    (bare / "tests" / "test_add.py").write_text(gs.TEST_MODULE + "\n")
    git("add", "-A", cwd=bare)
    only = gate_json(bare, env, "--stage", "pre-commit", "--only", "tests")["tests"]
    assert only["status"] == "pass", only  # test_other.py did not run
    assert only["message"] == "1 test file(s) for the staged change passed"
    full = gate_json(bare, env, "--stage", "pre-push", "--only", "tests")["tests"]
    assert full["status"] == "fail", full


def test_coverage_run_measures_when_pytest_cov_is_absent(
    tmp_path: Path, env: dict[str, str]
) -> None:
    root = build(tmp_path / "cov", env, "pytest\ncoverage\n")
    result = gate_json(root, env, "--only", "tests")["tests"]
    assert result["status"] == "pass", result
    assert result["figure"] == 100.0


def test_pytest_missing_is_an_error_naming_the_fix(
    tmp_path: Path, env: dict[str, str]
) -> None:
    root = build(tmp_path / "nopytest", env, "")
    result = gate_json(root, env, "--only", "tests")["tests"]
    assert result["status"] == "error", result
    assert "pytest is not in the worktree's environment" in result["message"]
    assert "add pytest" in result["message"]


def test_a_missing_environment_is_an_error_for_the_gates_that_need_it(
    tmp_path: Path, env: dict[str, str]
) -> None:
    root = build(tmp_path / "nosync", env, "pytest\n", setup=False)
    (root / "manage.py").write_text("import sys\n")
    results = gate_json(root, env, "--only", "format,types,tests,migrations")
    assert results["format"]["status"] == "pass"  # ruff needs no environment
    for name in ("types", "tests", "migrations"):
        assert results[name]["status"] == "error", results[name]
        assert "seedbed setup" in results[name]["message"]
    assert "makemigrations" not in results["migrations"]["message"]


def test_migrations_without_django_installed_is_an_error(
    bare: Path, env: dict[str, str]
) -> None:
    (bare / "manage.py").write_text("import django\n")
    result = gate_json(bare, env, "--only", "migrations")["migrations"]
    assert result["status"] == "error", result
    assert "Django is not installed" in result["message"]
    assert "run `manage.py makemigrations`" not in result["message"]


# --- the lock gate -------------------------------------------------------------------


def test_lock_check_without_the_pinned_interpreter_is_an_error(
    tmp_path: Path, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.factories.projects import uv_project

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    root = uv_project(tmp_path / "uvp", Path(env["UV_FIND_LINKS"]))
    text = (root / "pyproject.toml").read_text()
    (root / "pyproject.toml").write_text(text.replace(">=3.8", ">=3.99"))
    result = gate_json(root, env, "--only", "lock")["lock"]
    assert result["status"] == "error", result
    assert "re-lock" not in result["message"]
    assert result["findings"] == []
    assert "3.99" in result["message"] + result["output"]


# --- secrets -------------------------------------------------------------------------

FROZEN = """\
repos:
- repo: https://example.invalid/pre-commit/pre-commit-hooks
  rev: 3f5c2a9b8e7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b  # frozen: v4.6.0
  hooks:
  - id: trailing-whitespace
"""
UV_LOCK_LINE = (
    'wheels = [{ url = "https://example.invalid/a.whl", hash = '
    '"sha256:9c2a4b7e1f0d3c5a8b6e9f2d1c4a7b0e3f6d9c2a5b8e1f4d7c0a3b6e9f2d5c8a" }]\n'
)
SEEDBED_KEYS = '[tool.seedbed.gates]\nsecrets_stage = "pre-commit"\n'
HASHED = (
    "idna==3.7 \\\n    --hash=sha256:"
    "82fee1fc78add43492d3a1898bfa6d8a904cc97d8427f683ed8e798d07761aa0\n"
)


def test_ordinary_files_raise_no_secrets_and_the_count_is_right(
    bare: Path, env: dict[str, str]
) -> None:
    (bare / ".pre-commit-config.yaml").write_text(FROZEN)
    (bare / "uv.lock").write_text(UV_LOCK_LINE)
    (bare / "requirements.txt").write_text(HASHED)
    (bare / "seedbed.toml").write_text(SEEDBED_KEYS)
    names = [".pre-commit-config.yaml", "uv.lock", "requirements.txt", "seedbed.toml"]
    clean = gate_json(bare, env, "--only", "secrets", *names)["secrets"]
    assert clean["status"] == "pass", clean
    # A real secret still counts, in the one file that holds it.
    (bare / "keys.py").write_text(f'A = "{AWS_KEY}"\nB = "{AWS_KEY[:-1]}Z"\n')
    dirty = gate_json(bare, env, "--only", "secrets", *names, "keys.py")["secrets"]
    assert dirty["status"] == "fail"
    assert dirty["message"].startswith("2 potential secret(s) in 1 file(s)")
    assert "seedbed secrets baseline" in dirty["message"]


def test_secrets_baseline_command_accepts_current_findings(
    bare: Path, env: dict[str, str]
) -> None:
    (bare / "keys.py").write_text(f'A = "{AWS_KEY}"\n')
    commit_all(bare, "a known key")
    assert gate_json(bare, env, "--only", "secrets", "keys.py")["secrets"][
        "status"
    ] == ("fail")
    out = subprocess.run(
        [str(BIN / "seedbed"), "secrets", "baseline", "--json"],
        cwd=bare,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["accepted"] == 1
    assert AWS_KEY not in (bare / ".secrets.baseline").read_text()
    assert gate_json(bare, env, "--only", "secrets", "keys.py")["secrets"][
        "status"
    ] == ("pass")


def test_seedbed_init_output_commits_through_its_own_hooks(
    bare: Path, env: dict[str, str]
) -> None:
    """Real pre-commit, local hooks running this seedbed: the commit adding
    what `seedbed init` wrote passes every pre-commit hook."""
    pc_env = {**env, "PRE_COMMIT_HOME": str(gs.PRE_COMMIT_HOME)}
    init = subprocess.run(
        [str(BIN / "seedbed"), "init", "--no-agents"],
        cwd=bare,
        env=pc_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert init.returncode == 0, init.stdout + init.stderr
    install = subprocess.run(
        [str(BIN / "pre-commit"), "install", "-t", "pre-commit"],
        cwd=bare,
        env=pc_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert install.returncode == 0, install.stderr
    git("add", "-A", cwd=bare)
    commit = subprocess.run(
        ["git", "commit", "-q", "-m", "add seedbed"],
        cwd=bare,
        env=pc_env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert commit.returncode == 0, commit.stdout + commit.stderr
    (bare / ".git" / "hooks" / "pre-commit").unlink()


def test_a_project_without_python_files_skips_the_code_gates(
    tmp_path: Path, env: dict[str, str]
) -> None:
    root = tmp_path / "nopy"
    root.mkdir()
    git("init", "-q", "-b", "main", cwd=root, env=env)
    (root / "environment.yml").write_text("name: x\ndependencies: [python=3.11]\n")
    git("add", "-A", cwd=root, env=env)
    git("commit", "-q", "-m", "conda", cwd=root, env=env)
    results = gate_json(root, env, "--only", "format,lint,types,tests")
    for name, result in results.items():
        assert result["status"] == "skip", (name, result)
        assert result["message"] == "no Python files"
