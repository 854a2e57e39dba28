"""The cached entry-point list (core/entrypoints): a setup registers plugins
without scanning every distribution, and any install or removal is seen."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
import time
import zipfile
from pathlib import Path

import pytest
from seedbed.core import entrypoints, plugins

from tests.factories.wheels import _record_line

PLUGINS = ("plugins", "--json")
HOOK = (
    "from seedbed.core.hookspecs import hookimpl\n\n"
    "@hookimpl\n"
    "def seedbed_run_env(workspace):\n"
    "    return {'TINYPLUG': '1'}\n"
)


def _plugin_wheel(directory: Path) -> Path:
    """A third-party plugin distribution, as a build backend would make it."""
    info = "tinyplug-1.0.dist-info"
    files = {
        "tinyplug.py": HOOK.encode(),
        f"{info}/METADATA": b"Metadata-Version: 2.1\nName: tinyplug\nVersion: 1.0\n",
        f"{info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: seedbed-tests\n"
            b"Root-Is-Purelib: true\nTag: py3-none-any\n"
        ),
        f"{info}/entry_points.txt": b"[seedbed]\ntinyplug = tinyplug\n",
    }
    record = [_record_line(name, data) for name, data in files.items()]
    files[f"{info}/RECORD"] = ("\n".join([*record, f"{info}/RECORD,,"]) + "\n").encode()
    directory.mkdir(parents=True, exist_ok=True)
    wheel = directory / "tinyplug-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return wheel


def _settle(*folders: Path) -> None:
    """Date folders an hour back: an environment installed a while ago (a
    folder changed within the last seconds is never cached, see RACY_SECONDS)."""
    past = time.time() - 3600
    for folder in folders:
        os.utime(folder, (past, past))


def _listed(python: Path, cwd: Path) -> tuple[dict[str, dict[str, object]], str]:
    out = subprocess.run(
        [str(python), "-P", "-X", "importtime", "-m", "seedbed.core", *PLUGINS],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    found = {p["name"]: p for p in json.loads(out.stdout)["plugins"]}
    return found, out.stderr


def test_a_plugin_installed_after_the_list_was_cached_is_seen(tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True
    )
    site = Path(
        sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)})
    )
    # seedbed and its dependencies come from the test's own environment.
    (site / "seedbed-tests.pth").write_text(sysconfig.get_path("purelib") + "\n")
    python = venv / "bin" / "python"
    _settle(site, venv / "bin")
    cache = Path(os.environ["SEEDBED_HOME"]) / "cache"

    before, _ = _listed(python, tmp_path)
    assert "uv" in before and "tinyplug" not in before
    assert len(list(cache.glob("entry-points-*.json"))) == 1
    again, imports = _listed(python, tmp_path)
    assert again == before
    # served from the cache: no distribution was read
    assert not re.search(r"\|\s+importlib\.metadata$", imports, re.MULTILINE)

    pip = [sys.executable, "-m", "pip", "--python", str(python), "-q"]
    wheel = _plugin_wheel(tmp_path / "dist")
    subprocess.run([*pip, "install", "--no-index", "--no-deps", str(wheel)], check=True)
    after, _ = _listed(python, tmp_path)
    assert after["tinyplug"]["distribution"] == "tinyplug 1.0"
    assert after["tinyplug"]["hooks"] == ["seedbed_run_env"]
    assert {k: v for k, v in after.items() if k != "tinyplug"} == before

    _settle(site)
    subprocess.run([*pip, "uninstall", "-y", "tinyplug"], check=True)
    removed, _ = _listed(python, tmp_path)
    assert removed == before


def test_a_cached_module_that_is_gone_means_a_fresh_scan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))  # a new import path: a new cache
    _settle(tmp_path)
    real, cached = entrypoints.listed(plugins.GROUP)
    assert not cached
    path = entrypoints._cache_file(plugins.GROUP)
    data = json.loads(path.read_text())
    data["entries"].append(["ghost", "ghost_plugin_gone", "ghost", "1.0"])
    path.write_text(json.dumps(data))

    pm = plugins.build()
    assert pm.get_plugin("ghost") is None and pm.get_plugin("uv") is not None
    assert entrypoints.listed(plugins.GROUP) == (real, True)


def test_the_cached_list_loads_what_the_scan_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.syspath_prepend(str(tmp_path))
    _settle(tmp_path)
    scanned, _ = entrypoints.listed(plugins.GROUP)
    cached, from_cache = entrypoints.listed(plugins.GROUP)
    assert from_cache and cached == scanned == entrypoints.scan(plugins.GROUP)
    module = sys.modules[plugins.build().get_plugin("uv").__name__]
    assert next(e for e in cached if e.name == "uv").load() is module
