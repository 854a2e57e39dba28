from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from seedbed.core import plugins
from seedbed.core.errors import ConfigError, SeedbedError

from tests.conftest import seedbed


def test_builtins_register_through_entry_points() -> None:
    pm = plugins.build()
    names = {name for name, _ in pm.list_name_plugin()}
    assert {"uv", "pip"} <= names
    registry = plugins.Registry.load(pm)
    assert {"uv", "pip"} <= set(registry.managers)


def test_a_plugin_can_be_blocked_by_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("SEEDBED_DISABLE_PLUGINS", "pip")
    registry = plugins.Registry.load(plugins.build())
    assert "pip" not in registry.managers
    assert "uv" in registry.managers


def test_unknown_manager_lists_the_known_ones() -> None:
    registry = plugins.Registry.load(plugins.build())
    with pytest.raises(ConfigError) as caught:
        registry.manager("hatch")
    assert "'hatch'" in caught.value.message
    assert "pip" in caught.value.hint and "uv" in caught.value.hint


def _fake_dist(directory: Path, name: str, module_text: str) -> Path:
    """A third-party plugin installed as pip would: a dist-info with entry points."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{name}.py").write_text(module_text)
    info = directory / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text(f"[seedbed]\n{name} = {name}\n")
    return directory


def test_two_plugins_with_one_manager_name_are_an_error_naming_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code = (
        "import pluggy\n"
        "from seedbed.plugins.managers.uv import UvManager\n"
        "hookimpl = pluggy.HookimplMarker('seedbed')\n"
        "@hookimpl\n"
        "def seedbed_managers():\n"
        "    return [UvManager()]\n"
    )
    directory = _fake_dist(tmp_path / "site", "otheruv", code)
    monkeypatch.syspath_prepend(str(directory))
    with pytest.raises(SeedbedError) as caught:
        plugins.Registry.load(plugins.build())
    assert "'uv'" in caught.value.message and "'otheruv'" in caught.value.message
    sys.modules.pop("otheruv", None)


def test_plugins_json_lists_plugins_and_hooks(tmp_path: Path) -> None:
    out = seedbed("plugins", "--json", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    listed = {p["name"]: p for p in json.loads(out.stdout)["plugins"]}
    assert "seedbed_managers" in listed["uv"]["hooks"]
    assert listed["uv"]["distribution"].startswith("seedbed")


def test_plugins_json_shows_a_blocked_plugin(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()  # not needed: config comes from the environment
    import os

    env = {**os.environ, "SEEDBED_DISABLE_PLUGINS": "pip"}
    out = seedbed("plugins", "--json", cwd=tmp_path, env=env)
    listed = {p["name"]: p for p in json.loads(out.stdout)["plugins"]}
    assert listed["pip"]["blocked"] is True
