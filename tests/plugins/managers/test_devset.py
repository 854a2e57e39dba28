"""The development set a pip project gets (files, extras, groups, and why),
uv's interpreter download policy, and the conda hint's wording. No installs
here: tests/e2e/test_dev_sets.py installs for real."""

from __future__ import annotations

from pathlib import Path

import pytest
from seedbed.core.errors import ConfigError, EnvironmentProblem
from seedbed.plugins.managers import base, conda, devset, pip, uvpython

from tests.conftest import require
from tests.plugins.managers.test_managers_units import context, workspace


def files(root: Path, content: dict[str, str]) -> Path:
    for name, text in content.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_a_pointer_to_production_gives_way_to_the_dev_file(tmp_path: Path) -> None:
    files(
        tmp_path,
        {
            "requirements.txt": "-r requirements/production.txt\n",
            "requirements/base.txt": "django\n",
            "requirements/production.txt": "-r base.txt\nuwsgi\n",
            "requirements/local.txt": "-r ./base.txt\npytest\n",
            "requirements/development.txt": "-r base.txt\nruff\n",
        },
    )
    chosen = devset.choose(workspace(tmp_path), package=False)
    # development.txt comes before local.txt in the convention's order
    assert chosen.files == ("requirements/development.txt",)
    assert chosen.skipped == ("requirements/production.txt",)
    assert chosen.included == ("requirements/base.txt", "requirements/development.txt")
    assert not chosen.editable and chosen.source == "convention"


def test_a_pointer_to_a_base_the_dev_file_lacks_installs_the_base(
    tmp_path: Path,
) -> None:
    files(
        tmp_path,
        {
            "requirements.txt": "-r requirements/base.txt\n-r requirements/prod.txt\n",
            "requirements/base.txt": "django\n",
            "requirements/prod.txt": "gunicorn\n",
            "dev-requirements.txt": "pytest\n",
        },
    )
    chosen = devset.choose(workspace(tmp_path), package=False)
    assert chosen.files == ("requirements/base.txt", "dev-requirements.txt")
    assert chosen.skipped == ("requirements/prod.txt",)


def test_plain_requirements_and_requirements_dev_both_install(tmp_path: Path) -> None:
    files(tmp_path, {"requirements.txt": "django\n", "requirements-dev.txt": "x\n"})
    chosen = devset.choose(workspace(tmp_path), package=False)
    assert chosen.files == ("requirements.txt", "requirements-dev.txt")
    assert devset.choose(workspace(tmp_path, dev=False), False).files == (
        "requirements.txt",
    )


def test_dev_star_files_are_the_last_resort(tmp_path: Path) -> None:
    files(
        tmp_path,
        {"requirements/base.txt": "a\n", "requirements/dev-tools.txt": "-r base.txt\n"},
    )
    assert devset.choose(workspace(tmp_path), False).files == (
        "requirements/dev-tools.txt",
    )
    assert devset.choose(workspace(tmp_path, dev=False), False).files == (
        "requirements/base.txt",
    )


def test_a_dev_file_that_already_reads_requirements_txt(tmp_path: Path) -> None:
    files(
        tmp_path,
        {"requirements.txt": "a\n", "requirements-dev.txt": "-r requirements.txt\nb\n"},
    )
    chosen = devset.choose(workspace(tmp_path), False)
    assert chosen.files == ("requirements-dev.txt",)


GROUPS = """
[project]
name = "p"
version = "1"

[project.optional-dependencies]
tests = ["pytest"]
docs = ["sphinx"]

[dependency-groups]
dev = ["ruff>=0.5", {include-group = "typing"}]
typing = ["mypy"]
"""


def test_extras_and_groups_by_convention_and_expanded(tmp_path: Path) -> None:
    files(tmp_path, {"pyproject.toml": GROUPS})
    ws = workspace(tmp_path)
    chosen = devset.choose(ws, package=True)
    assert chosen.extras == ("tests",) and chosen.groups == ("dev",)
    assert devset.expand_groups(ws, ["dev"]) == ["ruff>=0.5", "mypy"]
    # uv's pip interface has --group; pip gets the expanded strings
    uv_steps = pip.MANAGER.setup_steps(context(ws, uv_path=require("uv")))
    install = next(s for s in uv_steps if s.name == "uv pip install").argv
    assert install[-4:] == ("-e", ".[tests]", "--group", "dev")
    pip_context = context(ws, uv_path=None)
    steps = pip.MANAGER.setup_steps(pip_context)
    install = next(s for s in steps if s.name == "pip install").argv
    assert install[-4:] == ("-e", ".[tests]", "ruff>=0.5", "mypy")
    assert steps[-1].name == "record install"


@pytest.mark.parametrize(
    ("groups", "match"),
    [
        ('dev = [{include-group = "dev"}]', "include cycle"),
        ('dev = ["-e ../x"]', "is not a requirement"),
        ('dev = [{include-group = "nope"}]', "no list named 'nope'"),
    ],
)
def test_bad_groups_name_the_file(tmp_path: Path, groups: str, match: str) -> None:
    files(tmp_path, {"pyproject.toml": f"[dependency-groups]\n{groups}\n"})
    with pytest.raises(ConfigError, match=match) as caught:
        devset.expand_groups(workspace(tmp_path), ["dev"])
    assert "pyproject.toml" in caught.value.message


def test_settings_override_the_convention(tmp_path: Path) -> None:
    files(
        tmp_path,
        {"pyproject.toml": GROUPS, "requirements/production.txt": "x\n"},
    )
    ws = workspace(tmp_path, dev_groups=["typing"], extras=["docs"])
    chosen = devset.choose(ws, package=True)
    assert chosen.source == "config" and chosen.files == ()
    assert chosen.groups == ("typing",) and chosen.extras == ("docs",)
    with pytest.raises(ConfigError, match="'nope' is not a group"):
        devset.choose(workspace(tmp_path, dev_groups=["nope"]), package=True)


def test_pip_detects_and_watches_a_requirements_folder(tmp_path: Path) -> None:
    files(
        tmp_path,
        {"requirements/base.txt": "a\n", "requirements/local.txt": "-r base.txt\n"},
    )
    ws = workspace(tmp_path)
    found = pip.MANAGER.detect(ws)
    assert found is not None and "requirements/local.txt" in found.evidence
    watch = pip.MANAGER.watch(ws)
    assert {"requirements/base.txt", "requirements/local.txt"} <= set(watch.paths)
    assert "requirements/*.txt" in watch.globs


def test_uv_download_policy_is_the_users(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UV_PYTHON_DOWNLOADS", raising=False)
    ws = workspace(tmp_path)
    assert base.uv_base_env(ws)["UV_PYTHON_DOWNLOADS"] == "never"  # the default
    monkeypatch.setenv("UV_PYTHON_DOWNLOADS", "automatic")
    assert "UV_PYTHON_DOWNLOADS" not in base.uv_base_env(ws)  # theirs passes
    monkeypatch.delenv("UV_PYTHON_DOWNLOADS")
    files(tmp_path, {"pyproject.toml": '[tool.uv]\npython-downloads = "manual"\n'})
    ws = workspace(tmp_path)
    assert base.python_downloads(ws) == "manual"
    assert "UV_PYTHON_DOWNLOADS" not in base.uv_base_env(ws)


def test_uv_describes_its_groups(tmp_path: Path) -> None:
    files(tmp_path, {"pyproject.toml": GROUPS, "uv.lock": ""})
    info = uvpython.describe(workspace(tmp_path))
    assert info["groups"] == ["dev"] and info["files"] == ["uv.lock"]
    assert uvpython.describe(workspace(tmp_path, dev=False))["groups"] == []


def test_missing_conda_hint_names_the_file_the_project_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    files(tmp_path, {"environment.yml": "dependencies: []\n"})
    with pytest.raises(EnvironmentProblem) as caught:
        conda.frontend(workspace(tmp_path))
    assert ".seedbed.toml" in caught.value.hint
    assert "tool.seedbed" not in caught.value.hint
    files(tmp_path, {"pyproject.toml": "[project]\nname = 'x'\n"})
    with pytest.raises(EnvironmentProblem) as caught:
        conda.frontend(workspace(tmp_path))
    assert "[tool.seedbed.conda]" in caught.value.hint
