from __future__ import annotations

import sys
from pathlib import Path

import pytest
from seedbed.core import interpreters
from seedbed.core.errors import EXIT_ENVIRONMENT, ConfigError, EnvironmentProblem

CURRENT = "{}.{}".format(*sys.version_info[:2])


def test_python_version_file_is_honoured(tmp_path: Path) -> None:
    (tmp_path / ".python-version").write_text(f"{CURRENT}\n")
    request = interpreters.request_for(tmp_path, "", {})
    found = interpreters.find(request)
    assert found.short == CURRENT
    assert request.origin.endswith(".python-version")


def test_requires_python_is_honoured(tmp_path: Path) -> None:
    pyproject = {"project": {"requires-python": f">={CURRENT}"}}
    found = interpreters.find(interpreters.request_for(tmp_path, "", pyproject))
    assert tuple(map(int, found.version.split(".")[:2])) >= sys.version_info[:2]


def test_config_wins_over_files(tmp_path: Path) -> None:
    (tmp_path / ".python-version").write_text("2.1\n")
    request = interpreters.request_for(tmp_path, CURRENT, {})
    assert request.origin == "config key 'python'"


def test_missing_interpreter_names_what_was_wanted_and_found(tmp_path: Path) -> None:
    (tmp_path / ".python-version").write_text("3.99\n")
    with pytest.raises(EnvironmentProblem) as caught:
        interpreters.find(interpreters.request_for(tmp_path, "", {}))
    message = caught.value.message
    assert "3.99" in message and ".python-version" in message and "found:" in message
    assert CURRENT in message
    assert caught.value.exit_code == EXIT_ENVIRONMENT


def test_nonsense_version_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a Python version"):
        interpreters.request_for(tmp_path, "latest please", {})


def test_pyenv_shims_on_path_mean_the_users_global_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shim re-dispatches on the cwd, so seedbed takes pyenv's global version."""
    root = tmp_path / "pyenv"
    (root / "shims").mkdir(parents=True)
    bin_dir = root / "versions" / "9.9.9" / "bin"
    bin_dir.mkdir(parents=True)
    base = Path(sys.base_prefix) / "bin" / "python3"
    (bin_dir / "python3").symlink_to(base)
    (root / "version").write_text("9.9.9\n")
    monkeypatch.setenv("PYENV_ROOT", str(root))
    monkeypatch.delenv("PYENV_VERSION", raising=False)
    monkeypatch.setenv("PATH", f"{root / 'shims'}:/usr/bin:/bin")
    found = interpreters.find(interpreters.request_for(tmp_path, "", {}))
    assert found.path == bin_dir / "python3"
