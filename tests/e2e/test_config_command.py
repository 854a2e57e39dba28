"""`seedbed config`: every value with its source; the shipped JSON Schema is
current and works in an editor's TOML checker (taplo, tests/setup/taplo.sh)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from seedbed.core import schema
from seedbed.core.assets import asset_dir

from tests.conftest import REPO, STRICT, TOOLS_BIN, seedbed, unavailable

TAPLO = TOOLS_BIN / "taplo"
SHIPPED = REPO / "templates" / "schema" / "seedbed.schema.json"


def configured(repo: Path, tmp_path: Path) -> dict[str, str]:
    """One value from each source; the environment the command runs with."""
    user = tmp_path / "user.toml"
    user.write_text("background = true\n")
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "0"\n\n[tool.seedbed]\nenv_dir = "env"\n'
        '\n[tool.seedbed.pod]\nmemory = "3g"\n'
    )
    (repo / ".seedbed.toml").write_text('manager = "pip"\n')
    return {**os.environ, "SEEDBED_CONFIG": str(user), "SEEDBED_STEP_TIMEOUT": "60"}


def test_config_shows_each_value_and_its_source(repo: Path, tmp_path: Path) -> None:
    env = configured(repo, tmp_path)
    out = seedbed("config", "--json", cwd=repo, env=env)
    assert out.returncode == 0, out.stdout + out.stderr
    shown: dict[str, Any] = json.loads(out.stdout)
    assert set(shown) == {"worktree", "files", "keys"}
    keys = {row["key"]: row for row in shown["keys"]}
    assert (keys["background"]["value"], keys["background"]["source"]) == (True, "user")
    assert keys["background"]["origin"] == str(tmp_path / "user.toml")
    assert (keys["env_dir"]["value"], keys["env_dir"]["source"]) == ("env", "pyproject")
    assert (keys["manager"]["value"], keys["manager"]["source"]) == (
        "pip",
        "seedbed.toml",
    )
    assert keys["step_timeout"] == {
        **keys["step_timeout"],
        "value": 60,
        "source": "environment",
        "origin": "SEEDBED_STEP_TIMEOUT",
    }
    assert (keys["dev"]["value"], keys["dev"]["source"]) == (True, "default")
    # Plugin sections are included, with their sources.
    assert (keys["pod.memory"]["value"], keys["pod.memory"]["source"]) == (
        "3g",
        "pyproject",
    )
    assert keys["editors.devcontainer"]["source"] == "default"
    assert [f["source"] for f in shown["files"]] == [
        "user",
        "pyproject",
        "seedbed.toml",
    ]
    assert all(f["exists"] for f in shown["files"])

    text = seedbed("config", cwd=repo, env=env)
    assert text.returncode == 0, text.stderr
    line = next(row for row in text.stdout.splitlines() if row.startswith("pod.memory"))
    assert '"3g"' in line and "pyproject" in line


def test_a_typo_gets_the_closest_key(repo: Path) -> None:
    (repo / ".seedbed.toml").write_text('env_dri = ".venv"\n[pod]\nmemroy = "1g"\n')
    out = seedbed("config", cwd=repo)
    assert out.returncode == 3, out.stdout + out.stderr  # a configuration error
    assert "unknown key 'env_dri'; did you mean 'env_dir'?" in out.stderr


def test_the_shipped_schema_is_current() -> None:
    current = schema.render(schema.config_schema(schema.builtin_keys()))
    assert SHIPPED.read_text() == current, (
        "regenerate: python -m seedbed.core.schema"
        " > templates/schema/seedbed.schema.json"
    )
    assert asset_dir("templates").joinpath(*schema.SHIPPED).read_text() == current


@pytest.fixture(scope="session")
def taplo() -> Path:
    if not TAPLO.exists() and STRICT:
        setup = REPO / "tests" / "setup" / "taplo.sh"
        subprocess.run(["sh", str(setup)], stdin=subprocess.DEVNULL, check=False)
    if not TAPLO.exists():
        unavailable("taplo is missing: run tests/setup/taplo.sh")
    return TAPLO


def check(
    taplo: Path, where: Path, name: str, *extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(taplo), "check", *extra, name],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_editors_check_seedbed_toml_with_the_schema_line(
    taplo: Path, tmp_path: Path
) -> None:
    good = f'#:schema {SHIPPED}\nenv_dir = ".venv"\n[pod]\nmemory = "2g"\n'
    (tmp_path / ".seedbed.toml").write_text(good)
    assert check(taplo, tmp_path, ".seedbed.toml").returncode == 0
    bad = f'#:schema {SHIPPED}\nenv_dri = ".venv"\n[pod]\ncpus = "many"\n'
    (tmp_path / ".seedbed.toml").write_text(bad)
    refused = check(taplo, tmp_path, ".seedbed.toml")
    assert refused.returncode != 0
    assert "env_dri" in refused.stderr + refused.stdout


def test_the_pyproject_schema_checks_tool_seedbed(
    taplo: Path, repo: Path, tmp_path: Path
) -> None:
    made = seedbed("config", "--schema", "--pyproject", cwd=repo)
    assert made.returncode == 0, made.stderr
    path = tmp_path / "pyproject.schema.json"
    path.write_text(made.stdout)
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.seedbed]\nmanager = "uv"\n'
        "[tool.ruff]\nline-length = 100\n"
    )
    schema_url = path.as_uri()
    ok = check(taplo, tmp_path, "pyproject.toml", "--schema", schema_url)
    assert ok.returncode == 0, ok.stderr
    (tmp_path / "pyproject.toml").write_text('[tool.seedbed]\nmanagr = "uv"\n')
    refused = check(taplo, tmp_path, "pyproject.toml", "--schema", schema_url)
    assert refused.returncode != 0 and "managr" in refused.stderr + refused.stdout


def test_a_taplo_rule_associates_the_schema(taplo: Path, tmp_path: Path) -> None:
    (tmp_path / ".taplo.toml").write_text(
        '[[rule]]\ninclude = ["**/.seedbed.toml"]\n\n'
        f'[rule.schema]\npath = "{SHIPPED}"\n'
    )
    (tmp_path / ".seedbed.toml").write_text('env_dir = ".venv"\n')
    assert check(taplo, tmp_path, ".seedbed.toml").returncode == 0
    (tmp_path / ".seedbed.toml").write_text("step_timeout = 0\n")  # minimum 1
    assert check(taplo, tmp_path, ".seedbed.toml").returncode != 0
