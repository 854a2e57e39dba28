"""pip reuse installs the sibling's exact set offline first, and goes to the
index only for what uv's cache lacks: here one package cleaned from the cache
(`uv cache clean NAME`), the others still there. Real uv, a local index."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import require, seedbed, worktree_add
from tests.e2e.test_speed_paths import counted_index, steps_of
from tests.factories.metrics import metric_rows
from tests.factories.projects import pip_project

__all__ = ["counted_index"]  # the fixture, used by name below


def test_offline_reuse_falls_back_online_when_one_wheel_left_the_cache(
    tmp_path: Path,
    counted_index: tuple[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    require("uv")
    url, seen = counted_index
    for name in ("UV_NO_INDEX", "UV_FIND_LINKS", "PIP_NO_INDEX", "PIP_FIND_LINKS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("UV_INDEX_URL", url)
    monkeypatch.setenv("PIP_INDEX_URL", url)
    monkeypatch.setenv("UV_CACHE_DIR", str(tmp_path / "uv-cache"))
    main = pip_project(tmp_path / "proj", "tinybeta\ntinydev\n", None, package=False)
    first = seedbed("setup", cwd=main)
    assert first.returncode == 0, first.stdout + first.stderr

    # Every file cached: the reuse sends nothing to the index.
    seen.clear()
    feat = tmp_path / "feat"
    assert worktree_add(main, feat, "feat").returncode == 0
    out = seedbed("setup", cwd=feat)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "uv pip install (sibling's set)" in steps_of(feat)
    assert seen == [], f"offline reuse asked the index: {seen}"

    # One package gone from the cache: offline fails, the online install
    # fetches it, and the worktree is still built from the sibling's set.
    subprocess.run(["uv", "cache", "clean", "tinydev"], check=True)
    other = tmp_path / "other"
    assert worktree_add(main, other, "other").returncode == 0
    out = seedbed("setup", cwd=other)
    assert out.returncode == 0, out.stdout + out.stderr
    assert any("tinydev" in path for path in seen), seen
    row = [r for r in metric_rows(main) if r["worktree_path"] == str(other)][-1]
    assert row["detail"].get("reuse") == "ok", row["detail"]
    assert row["detail"].get("reused_from") == str(main)
    python = other / ".venv" / "bin" / "python"
    subprocess.run([str(python), "-c", "import tinybeta, tinydev"], check=True)
