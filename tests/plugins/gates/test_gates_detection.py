"""Which formatter and linter a project configures, the false-positive filters
of the secrets gate, and the pinned tool environment's location (no processes
beyond git)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from seedbed.core.types import Finding
from seedbed.core.workspace import Workspace
from seedbed.plugins.gates import secret_filters, styles, toolenv


def workspace(root: Path, files: dict[str, str]) -> Workspace:
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return Workspace.discover(root)


BLACK_REPO = "repos:\n- repo: https://example.invalid/psf/black\n  rev: 24.1.0\n"


@pytest.mark.parametrize(
    ("files", "formatter", "isort", "linter"),
    [
        ({}, "ruff", False, "ruff"),
        ({"pyproject.toml": "[tool.ruff]\nline-length = 100\n"}, "ruff", False, "ruff"),
        ({"ruff.toml": ""}, "ruff", False, "ruff"),
        ({"pyproject.toml": "[tool.black]\n[tool.isort]\n"}, "black", True, "ruff"),
        ({"setup.cfg": "[flake8]\nmax-line-length = 99\n"}, "ruff", False, "flake8"),
        ({"tox.ini": "[flake8]\n[isort]\n"}, "ruff", False, "flake8"),
        ({".flake8": "[flake8]\n"}, "ruff", False, "flake8"),
        (
            {".pre-commit-config.yaml": BLACK_REPO + "  hooks:\n  - id: black\n"},
            "black",
            False,
            "ruff",
        ),
        ({"requirements-dev.txt": "black==24.1\nflake8\n"}, "black", False, "flake8"),
        (
            {"pyproject.toml": '[dependency-groups]\ndev = ["ruff>=0.6", "black"]\n'},
            "black",
            False,
            "ruff",
        ),
        (
            {"pyproject.toml": "[tool.black]\n[tool.ruff.format]\n"},
            "ruff",
            False,
            "ruff",
        ),
        (
            {"requirements/local.txt": "-r base.txt\nflake8==7\n"},
            "ruff",
            False,
            "flake8",
        ),
    ],
)
def test_detects_the_configured_formatter_and_linter(
    tmp_path: Path, files: dict[str, str], formatter: str, isort: bool, linter: str
) -> None:
    chosen = styles.detect(workspace(tmp_path / "p", files))
    assert (chosen.formatter, chosen.isort, chosen.linter) == (formatter, isort, linter)


@pytest.mark.parametrize(
    ("name", "text", "kind", "dropped"),
    [
        (
            ".pre-commit-config.yaml",
            "  rev: 3f5c2a9b8e7d6c5b4a3f2e1d0c9b8a7f\n",
            "Hex High Entropy String",
            True,
        ),
        (
            ".pre-commit-config.yaml",
            "  token: 3f5c2a9b8e7d6c5b4a3f2e1d0c9b8a7f\n",
            "Hex High Entropy String",
            False,
        ),
        ("uv.lock", "anything\n", "Hex High Entropy String", True),
        ("uv.lock", "anything\n", "Basic Auth Credentials", False),
        (
            "requirements.txt",
            "  --hash=sha256:" + "ab" * 32 + "\n",
            "Hex High Entropy String",
            True,
        ),
        ("pyproject.toml", 'secrets_stage = "pre-commit"\n', "Secret Keyword", True),
        ("pyproject.toml", 'secret_key = "pre-commit"\n', "Secret Keyword", False),
    ],
)
def test_false_positive_filters_are_narrow(
    tmp_path: Path, name: str, text: str, kind: str, dropped: bool
) -> None:
    (tmp_path / name).write_text(text)
    finding = Finding(name, 1, kind)
    assert secret_filters.is_false_positive(tmp_path, finding) is dropped


def test_tool_environment_lives_under_the_configured_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(toolenv.TOOLS_DIR_VARIABLE, str(tmp_path / "tools"))
    first = toolenv.env_dir()
    assert first.parent == tmp_path / "tools"
    monkeypatch.setitem(toolenv.PINS, "ruff", "0.0.1")
    assert toolenv.env_dir() != first  # new pins, new environment
    monkeypatch.delenv(toolenv.TOOLS_DIR_VARIABLE)
    monkeypatch.setenv("SEEDBED_HOME", str(tmp_path / "home"))
    assert toolenv.env_dir().parent == tmp_path / "home" / "tools"


def test_readiness_says_when_gates_cannot_run(tmp_path: Path) -> None:
    from seedbed.core.types import GateContext
    from seedbed.plugins.gates.readiness import check

    found = check(GateContext(workspace(tmp_path / "p", {}), None))
    by_check = {r.check: r for r in found}
    assert by_check["gates:environment"].status == "error"
    assert by_check["gates:environment"].fix == "seedbed setup"
    assert by_check["gates:tools"].status in ("ok", "info")  # uv is here


def test_the_project_pins_of_its_pre_commit_config_choose_the_tool_versions(
    tmp_path: Path,
) -> None:
    """A project that pins ruff in its pre-commit config is judged by that ruff,
    not by seedbed's: another version selects and formats differently."""

    (tmp_path / ".pre-commit-config.yaml").write_text(
        "repos:\n"
        "- repo: https://github.com/astral-sh/ruff-pre-commit\n"
        "  rev: v0.15.4\n"
        "  hooks: [{id: ruff}]\n"
        "- repo: https://github.com/psf/black-pre-commit-mirror\n"
        "  rev: 24.1.0\n"
        "  hooks: [{id: black}]\n"
        "- repo: https://github.com/pycqa/flake8\n"
        "  rev: 3f2a6b1c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a\n"  # frozen SHA: no version
        "  hooks: [{id: flake8}]\n"
    )
    pins = toolenv.project_pins(tmp_path)
    assert pins["ruff"] == "0.15.4" and pins["black"] == "24.1.0"
    assert pins["flake8"] == toolenv.PINS["flake8"]
    assert toolenv.env_dir(pins) != toolenv.env_dir()
    (tmp_path / ".pre-commit-config.yaml").write_text(": not yaml [")
    assert toolenv.project_pins(tmp_path) == toolenv.PINS
