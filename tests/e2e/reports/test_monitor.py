"""`seedbed report monitor`, against a stand-in `seedbed pod stats --json`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from seedbed.core.errors import EXIT_NOT_FOUND

from tests.e2e.reports.common import CLI, nu

POD = {
    "name": "feat",
    "status": "running",
    "cpu_percent": 12.5,
    "memory_bytes": 512 * 1024 * 1024,
    "memory_limit_bytes": 1024 * 1024 * 1024,
    "memory_percent": 50.0,
    "pids": 12,
    "pids_limit": 256,
}
SEEDBED = str(Path(sys.executable).parent / "seedbed")


def stand_in(tmp_path: Path, wrapped: bool) -> Path:
    """A `seedbed` whose `pod stats --json` counts its calls in cpu_percent;
    wrapped: the list inside {"pods": [...]} (the JSON contract)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    script = bin_dir / "seedbed"
    output = "{'pods': pods}" if wrapped else "pods"
    script.write_text(
        f"#!{sys.executable}\n"
        "import json, pathlib, sys\n"
        f"calls = pathlib.Path({str(calls)!r})\n"
        "count = int(calls.read_text()) + 1 if calls.exists() else 1\n"
        "calls.write_text(str(count))\n"
        "if sys.argv[1:] != ['pod', 'stats', '--json']:\n"
        "    sys.exit(2)\n"
        f"pods = [{POD!r}, dict({POD!r}, name='other')]\n"
        "pods[0]['cpu_percent'] = 10.0 * count\n"
        f"print(json.dumps({output}))\n"
    )
    script.chmod(0o755)
    return script


@pytest.fixture(params=[False, True], ids=["list", "wrapped"])
def fake_seedbed(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    script = stand_in(tmp_path, request.param)
    monkeypatch.setenv("PATH", f"{script.parent}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("SEEDBED_BIN", raising=False)
    return script


def monitor(*flags: str) -> subprocess.CompletedProcess[str]:
    return nu(str(CLI), "monitor", "--interval", "10ms", *flags)


def test_monitor_refreshes_count_times_as_json(fake_seedbed: Path) -> None:
    done = monitor("--workspace", "feat", "--count", "3", "--json")
    assert done.returncode == 0, done.stderr
    samples = [json.loads(line) for line in done.stdout.splitlines()]
    assert [s["cpu_percent"] for s in samples] == [10.0, 20.0, 30.0]
    assert {s["name"] for s in samples} == {"feat"}
    assert samples[0]["memory_percent"] == 50.0
    assert samples[0]["at"].endswith("+00:00") or samples[0]["at"][-6] in "+-"


def test_monitor_table_shows_bars(fake_seedbed: Path) -> None:
    done = monitor("--workspace", "feat", "--count", "1")
    assert done.returncode == 0, done.stderr
    assert "██████████░░░░░░░░░░ 50.0%" in done.stdout  # memory
    assert "12 of 256 (5%)" in done.stdout


def test_monitor_unknown_workspace_exits_10(fake_seedbed: Path) -> None:
    done = monitor("--workspace", "nope", "--count", "1")
    assert done.returncode == EXIT_NOT_FOUND
    assert "no container workspace named nope" in done.stderr


def test_seedbed_report_monitor_nosuch_exits_10(fake_seedbed: Path) -> None:
    """As the README says: `seedbed report monitor -w nosuch` exits 10."""
    done = subprocess.run(
        [SEEDBED, "report", "monitor", "-w", "nosuch", "--count", "1"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={**os.environ, "SEEDBED_BIN": str(fake_seedbed)},
    )
    assert done.returncode == EXIT_NOT_FOUND, done.stderr
    assert "no container workspace named nosuch" in done.stderr


def test_monitor_reports_a_failing_pod_stats(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "seedbed"
    broken.write_text("#!/bin/sh\necho 'docker is not running' >&2\nexit 9\n")
    broken.chmod(0o755)
    monkeypatch.setenv("SEEDBED_BIN", str(broken))
    done = monitor("--workspace", "feat", "--count", "1")
    assert done.returncode == 1
    assert "failed (exit 9): docker is not running" in done.stderr
