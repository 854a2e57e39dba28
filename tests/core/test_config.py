from __future__ import annotations

from pathlib import Path

import pytest
from seedbed.core import config as configuration
from seedbed.core.errors import EXIT_CONFIG, ConfigError
from seedbed.core.types import ConfigKey
from seedbed.plugins.managers import pip

# A plugin's top-level keys (the pip manager's `installer`, `requirements`).
PIP_KEYS = tuple(pip.seedbed_config_keys())


def load(root: Path, keys: tuple[ConfigKey, ...] = PIP_KEYS) -> configuration.Config:
    return configuration.validate(configuration.load_sources(root), keys)


def test_defaults_when_nothing_is_configured(tmp_path: Path) -> None:
    config = load(tmp_path)
    assert config["manager"] == "auto"
    assert config["env_dir"] == ".venv"
    assert config["dev"] is True


def test_precedence_user_then_pyproject_then_local_then_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = tmp_path / "user.toml"
    user.write_text('installer = "pip"\nenv_dir = ".env-user"\nbackground = true\n')
    monkeypatch.setenv("SEEDBED_CONFIG", str(user))
    (tmp_path / "pyproject.toml").write_text(
        '[tool.seedbed]\nenv_dir = ".venv-project"\nmanager = "uv"\n'
    )
    (tmp_path / ".seedbed.toml").write_text('manager = "pip"\n')
    monkeypatch.setenv("SEEDBED_BACKGROUND", "false")
    config = load(tmp_path)
    assert config["installer"] == "pip"
    assert config["env_dir"] == ".venv-project"
    assert config["manager"] == "pip"
    assert config["background"] is False
    assert config.origins["manager"].endswith(".seedbed.toml")


def test_malformed_toml_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.seedbed]\nmanager = \n")
    with pytest.raises(ConfigError) as caught:
        load(tmp_path)
    assert "pyproject.toml" in caught.value.message
    assert "line 2" in caught.value.message
    assert caught.value.exit_code == EXIT_CONFIG


def test_unknown_key_names_file_key_and_the_known_ones(tmp_path: Path) -> None:
    (tmp_path / ".seedbed.toml").write_text('manger = "uv"\n')
    with pytest.raises(ConfigError) as caught:
        load(tmp_path)
    assert ".seedbed.toml" in caught.value.message
    assert "'manger'" in caught.value.message
    assert "manager" in caught.value.hint


def test_wrong_type_says_what_was_expected(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.seedbed]\ndev = "yes"\n')
    with pytest.raises(ConfigError, match="key 'dev': expected true or false"):
        load(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.seedbed]\ninstaller = "conda"\n')
    with pytest.raises(ConfigError, match=r"one of 'auto', 'uv', 'pip'"):
        load(tmp_path)


def test_plugin_keys_read_their_environment_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / ".seedbed.toml").write_text('installer = "uv"\n')
    monkeypatch.setenv("SEEDBED_INSTALLER", "pip")
    monkeypatch.setenv("SEEDBED_REQUIREMENTS", "a.txt, b.txt")
    config = load(tmp_path)
    assert config["installer"] == "pip"
    assert config["requirements"] == ["a.txt", "b.txt"]
    assert config.origins["installer"] == "environment"
    monkeypatch.setenv("SEEDBED_INSTALLER", "conda")
    with pytest.raises(ConfigError, match=r"\$SEEDBED_INSTALLER"):
        load(tmp_path)


def test_a_plugin_key_is_unknown_without_its_plugin(tmp_path: Path) -> None:
    (tmp_path / ".seedbed.toml").write_text('installer = "pip"\n')
    with pytest.raises(ConfigError, match="unknown key 'installer'"):
        load(tmp_path, ())


def test_bad_environment_value_names_the_variable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDBED_STEP_TIMEOUT", "soon")
    with pytest.raises(ConfigError, match=r"\$SEEDBED_STEP_TIMEOUT"):
        load(tmp_path)


def test_plugin_sections_are_validated_with_plugin_keys(tmp_path: Path) -> None:
    keys = (ConfigKey("memory", "str", "1g", "memory", section="pod"),)
    (tmp_path / ".seedbed.toml").write_text('[pod]\nmemory = "2g"\n')
    assert load(tmp_path, keys).section("pod")["memory"] == "2g"
    (tmp_path / ".seedbed.toml").write_text("[pod]\nmemroy = 1\n")
    with pytest.raises(ConfigError, match=r"unknown key 'pod\.memroy'"):
        load(tmp_path, keys)


def test_disabled_plugins_read_before_plugins_load(tmp_path: Path) -> None:
    (tmp_path / ".seedbed.toml").write_text('disable_plugins = ["pip"]\n')
    sources = configuration.load_sources(tmp_path)
    assert configuration.disabled_plugins(sources) == {"pip"}


def test_an_unknown_key_names_the_closest_known_one(tmp_path: Path) -> None:
    (tmp_path / ".seedbed.toml").write_text('env_dri = ".venv"\n')
    with pytest.raises(ConfigError, match=r"did you mean 'env_dir'\?") as caught:
        load(tmp_path)
    assert "unknown key 'env_dri'" in caught.value.message
    (tmp_path / ".seedbed.toml").write_text("[pod]\nmemroy = 1\n")
    keys = (ConfigKey("memory", "str", "1g", "memory", section="pod"),)
    with pytest.raises(ConfigError, match=r"did you mean 'pod\.memory'\?"):
        load(tmp_path, keys)
    # Nothing close: no guess, the known keys in the hint.
    (tmp_path / ".seedbed.toml").write_text("zzzz = 1\n")
    with pytest.raises(ConfigError) as far:
        load(tmp_path)
    assert "did you mean" not in far.value.message
    assert "env_dir" in far.value.hint


def test_every_value_knows_its_kind_of_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = tmp_path / "user.toml"
    user.write_text("background = true\n")
    monkeypatch.setenv("SEEDBED_CONFIG", str(user))
    (tmp_path / "pyproject.toml").write_text('[tool.seedbed]\nenv_dir = "e"\n')
    (tmp_path / ".seedbed.toml").write_text('manager = "pip"\n')
    monkeypatch.setenv("SEEDBED_STEP_TIMEOUT", "60")
    config = load(tmp_path)
    assert config.kinds == {
        "background": "user",
        "env_dir": "pyproject",
        "manager": "seedbed.toml",
        "step_timeout": "environment",
    }
    assert "dev" not in config.kinds  # a default
