"""files.user_dir answers as platformdirs does (it skips importing it on Linux)."""

from __future__ import annotations

from pathlib import Path

import platformdirs
import pytest
from seedbed.core import files

KINDS = {
    "data": platformdirs.user_data_dir,
    "state": platformdirs.user_state_dir,
    "config": platformdirs.user_config_dir,
    "cache": platformdirs.user_cache_dir,
}


@pytest.mark.parametrize(
    "variables",
    [
        {},
        {"XDG_DATA_HOME": "/x/data", "XDG_STATE_HOME": "/x/state"},
        {"XDG_CONFIG_HOME": "/x/config", "XDG_CACHE_HOME": "/x/cache"},
        {"XDG_CACHE_HOME": "relative/cache", "XDG_DATA_HOME": ""},
        {"HOME": "relative-home"},
    ],
)
def test_user_dir_matches_platformdirs(
    variables: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SEEDBED_HOME", raising=False)
    for name in ("DATA", "STATE", "CONFIG", "CACHE"):
        monkeypatch.delenv(f"XDG_{name}_HOME", raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    for kind, finder in KINDS.items():
        assert files.user_dir(kind) == Path(finder("seedbed", appauthor=False)), kind


def test_seedbed_home_holds_everything(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDBED_HOME", str(tmp_path))
    assert files.user_dir("data") == tmp_path == files.user_dir("state")
    assert files.user_dir("cache") == tmp_path / "cache"
