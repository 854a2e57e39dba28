"""The health check starts the environment's python only when the facts are
not known: a venv whose python is an interpreter a probe already saw run
(unchanged since) and whose pyvenv.cfg names that interpreter's folder."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from seedbed.core import interpreter_cache
from seedbed.plugins.managers import base


@pytest.fixture
def venv(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SEEDBED_HOME", str(tmp_path / "home"))
    environment = tmp_path / "env"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(environment)], check=True
    )
    return environment


def test_a_probed_venv_is_then_known(venv: Path) -> None:
    python = base.env_python(venv)
    assert interpreter_cache.known(python) is None
    assert not base._known_venv(python, venv)
    assert base.python_health(python, venv) is None  # asked the interpreter
    version = "{}.{}.{}".format(*sys.version_info[:3])
    assert interpreter_cache.known(python) == version  # the base's answer, kept
    assert base._known_venv(python, venv)
    assert base.venv_health(venv) is None


def test_a_stale_home_or_no_pyvenv_cfg_is_not_taken_on_trust(venv: Path) -> None:
    python = base.env_python(venv)
    assert base.python_health(python, venv) is None
    config = venv / "pyvenv.cfg"
    text = config.read_text()
    config.write_text(
        "".join(
            "home = /nowhere/bin\n" if line.startswith("home") else line + "\n"
            for line in text.splitlines()
        )
    )
    assert not base._known_venv(python, venv)
    config.unlink()
    assert not base._known_venv(python, venv)
    assert "pyvenv.cfg" in (base.venv_health(venv) or "")
