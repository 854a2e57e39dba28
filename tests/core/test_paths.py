"""core.paths: configured paths and repository content stay inside a folder.

Property-based: whatever relative text and whatever symlinks a tree holds,
`confine` returns a path inside the folder or raises ConfigError (exit 3).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seedbed.core.config import Source, validate
from seedbed.core.errors import ConfigError
from seedbed.core.paths import confine, inside, relative_setting, symlink_on_the_way
from seedbed.core.types import ConfigKey
from seedbed.plugins.managers.pip import seedbed_config_keys as pip_keys

PARTS = st.sampled_from(["..", ".", "a", "b", "in", "out", "loop", "", "~", "x y"])
RELATIVE = st.lists(PARTS, min_size=0, max_size=6).map("/".join)
PREFIX = st.sampled_from(["", "/", "./", "~/", "//"])


def hostile_tree(base: Path) -> Path:
    """A folder with symlinks pointing in, out, up and in a loop."""
    folder = base / "root"
    (folder / "in").mkdir(parents=True)
    (base / "elsewhere").mkdir()
    (folder / "a").symlink_to(base / "elsewhere")  # absolute, out
    (folder / "b").symlink_to("../elsewhere")  # relative, out
    (folder / "in" / "out").symlink_to("../..")  # climbs out
    (folder / "in" / "a").symlink_to("..")  # back to the folder itself
    (folder / "loop").symlink_to("loop")
    return folder


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=PREFIX, relative=RELATIVE)
def test_confine_never_returns_a_path_outside(prefix: str, relative: str) -> None:
    with tempfile.TemporaryDirectory() as base:
        folder = hostile_tree(Path(base))
        try:
            path = confine(folder, prefix + relative, "test.toml", "key")
        except ConfigError as exc:
            assert exc.exit_code == 3
            assert "test.toml" in str(exc) and "'key'" in str(exc)
            return
        real = os.path.realpath(path)
        assert real.startswith(os.path.realpath(folder) + os.sep)


@given(text=st.text(max_size=30))
def test_relative_setting_accepts_only_text_inside(text: str) -> None:
    try:
        value = relative_setting(text, "f", "k")
    except ConfigError:
        return
    parts = Path(value).parts
    assert value and not value.startswith(("/", "~"))
    assert ".." not in parts and "\0" not in value and "\n" not in value


@pytest.mark.parametrize(
    "value", ["/abs/dir", ".", "./", "..", "../sibling", "a/../..", "", "~/x", "a\0b"]
)
def test_env_dir_refused_at_validation(value: str) -> None:
    with pytest.raises(ConfigError) as caught:
        validate([Source("/r/.seedbed.toml", {"env_dir": value})])
    assert caught.value.exit_code == 3
    assert "/r/.seedbed.toml: key 'env_dir': expected a path" in str(caught.value)


def test_paths_are_normalised() -> None:
    config = validate(
        [Source("s", {"env_dir": "./.venv/", "requirements": ["./r.txt"]})], pip_keys()
    )
    assert config["env_dir"] == ".venv" and config["requirements"] == ["r.txt"]


def test_requirement_entry_leaving_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"key 'requirements'.*leaves the worktree"):
        source = Source("s", {"requirements": ["ok.txt", "../outside.txt"]})
        validate([source], pip_keys())


def test_env_variable_is_validated_too(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ConfigError, match=r"\$SEEDBED_ENV_DIR.*is absolute"):
        validate([Source("environment", {"env_dir": "/tmp/x"})])


@pytest.mark.parametrize("value", [-5, 0])
def test_step_timeout_must_be_positive(value: int) -> None:
    with pytest.raises(ConfigError) as caught:
        validate([Source("s.toml", {"step_timeout": value})])
    assert "key 'step_timeout': expected an integer of at least 1" in str(caught.value)


def test_minimum_and_maximum_on_any_key() -> None:
    key = ConfigKey("share", "int", 50, "doc", section="x", minimum=0, maximum=100)
    assert validate([Source("s", {"x": {"share": 100}})], [key]).section("x") == {
        "share": 100
    }
    with pytest.raises(ConfigError, match=r"'x\.share': expected an integer from 0 to"):
        validate([Source("s", {"x": {"share": 101}})], [key])


def test_pod_limits_refused_at_validation() -> None:
    from seedbed.plugins.pods.settings import CONFIG_KEYS

    for name, value in [("pids", 0), ("cpus", -1.0), ("memory_warn_percent", 120)]:
        with pytest.raises(ConfigError, match=f"'pod.{name}'"):
            validate([Source("s", {"pod": {name: value}})], CONFIG_KEYS)


def test_inside_resolves_symlinks(tmp_path: Path) -> None:
    folder = hostile_tree(tmp_path)
    assert inside(folder / "in" / "new.txt", folder)
    assert inside(folder / "in" / "a" / "in", folder)
    assert not inside(folder / "a" / "x", folder)
    assert not inside(folder / "in" / "out", folder)


def test_symlink_on_the_way(tmp_path: Path) -> None:
    folder = hostile_tree(tmp_path)
    assert symlink_on_the_way(folder, "in/new/file") == ""
    assert symlink_on_the_way(folder, "b/file") == "b"
    # Even a link pointing back inside counts: writes must not depend on it.
    assert symlink_on_the_way(folder, "in/a/x") == "in/a"
