"""`seedbed report …`: finding nu, checking the store, settings, and the command
line end to end with real `nu` (the figures themselves are tested in
tests/e2e/reports/; the HTML page in tests/e2e/test_report_html.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner, Result
from seedbed.core.errors import EXIT_ENVIRONMENT, EXIT_NOT_FOUND, SeedbedError
from seedbed.core.metrics import store_path
from seedbed.plugins import reports
from seedbed.plugins.reports import nu, store

from tests.conftest import require
from tests.factories.git import git
from tests.factories.metrics import empty_store, newer_schema_store, record_runs, run

NOW = time.time()
SEEDBED = str(Path(sys.executable).parent / "seedbed")


def executable(path: Path, text: str = "#!/bin/sh\nexit 0\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)
    return path


def cli() -> click.Group:
    """A fresh root group with only this plugin's commands."""

    @click.group()
    def root() -> None:
        pass

    reports.seedbed_register_commands(root)
    return root


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli(), list(args), standalone_mode=False)


def slow_step_store(path: Path) -> Path:
    """Ten 1 s runs, then one of 2 s: a 2x slowdown."""
    records = [
        run("step", "uv sync", 1.0, NOW - 600 + i * 60, manager="uv", installer="uv")
        for i in range(10)
    ]
    records.append(run("step", "uv sync", 2.0, NOW, manager="uv", installer="uv"))
    return record_runs(path, records)


# ---------------------------------------------------------------------------
# finding nu
# ---------------------------------------------------------------------------


@pytest.fixture
def no_nu(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No nu anywhere: empty PATH, an empty checkout, an empty home."""
    monkeypatch.delenv("SEEDBED_NU", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(nu, "CHECKOUT_TOOLS", tmp_path / "checkout" / ".tools")


def test_missing_nu_says_how_to_install(no_nu: None) -> None:
    with pytest.raises(SeedbedError) as caught:
        nu.find_nu()
    assert caught.value.exit_code == EXIT_ENVIRONMENT
    assert caught.value.message == "Nushell (nu) is not installed"
    assert (
        "npm install --prefix ~/.local/share/seedbed/tools nushell@0.108.0"
        in caught.value.hint
    )


def test_nu_found_in_order(
    no_nu: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home_nu = executable(
        tmp_path / "home/.local/share/seedbed/tools/node_modules/.bin/nu"
    )
    assert nu.find_nu() == home_nu
    checkout_nu = executable(tmp_path / "checkout/.tools/bin/nu")
    assert nu.find_nu() == checkout_nu
    path_nu = executable(tmp_path / "empty-bin" / "nu")
    assert nu.find_nu() == path_nu
    chosen = executable(tmp_path / "chosen" / "nu")
    monkeypatch.setenv("SEEDBED_NU", str(chosen))
    assert nu.find_nu() == chosen


def test_seedbed_nu_that_is_not_executable(
    no_nu: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDBED_NU", str(tmp_path / "missing-nu"))
    with pytest.raises(SeedbedError, match=r"SEEDBED_NU is .*not an executable"):
        nu.find_nu()


def test_pinned_version_matches_the_installer() -> None:
    installer = Path(nu.__file__).parents[2] / "tests/setup/nushell.sh"
    assert f"NUSHELL_VERSION={nu.NUSHELL_VERSION}" in installer.read_text()


def test_pinned_version_is_the_one_tested() -> None:
    done = subprocess.run(
        [require("nu"), "--version"], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == nu.NUSHELL_VERSION


# ---------------------------------------------------------------------------
# stores the reports cannot read: checked before nu runs
# ---------------------------------------------------------------------------


def test_missing_store(tmp_path: Path) -> None:
    with pytest.raises(SeedbedError) as caught:
        store.check_store(tmp_path / "metrics.db")
    assert caught.value.exit_code == EXIT_NOT_FOUND
    assert caught.value.message == f"no metrics store at {tmp_path / 'metrics.db'}"
    assert "seedbed setup" in caught.value.hint


def test_empty_store(tmp_path: Path) -> None:
    db = empty_store(tmp_path / "metrics.db")
    with pytest.raises(SeedbedError) as caught:
        store.check_store(db)
    assert caught.value.exit_code == EXIT_NOT_FOUND
    assert caught.value.message == f"no runs recorded yet in {db}"


def test_store_from_a_newer_schema(tmp_path: Path) -> None:
    db = newer_schema_store(tmp_path / "metrics.db", version=3)
    with pytest.raises(SeedbedError) as caught:
        store.check_store(db)
    assert caught.value.exit_code == EXIT_ENVIRONMENT
    assert caught.value.message == (
        f"{db} has schema version 3; this seedbed reads version 1"
    )
    assert caught.value.hint.startswith("upgrade seedbed")


def test_file_that_is_not_a_store(tmp_path: Path) -> None:
    other = tmp_path / "notes.db"
    other.write_text("not sqlite at all " * 100)
    with pytest.raises(SeedbedError, match="is not a seedbed metrics store"):
        store.check_store(other)


def test_checking_never_writes_the_store(tmp_path: Path) -> None:
    db = slow_step_store(tmp_path / "metrics.db")
    before = db.stat().st_mtime_ns
    store.check_store(db)
    assert db.stat().st_mtime_ns == before


# ---------------------------------------------------------------------------
# settings
# ---------------------------------------------------------------------------


def test_config_keys_live_in_the_reports_section() -> None:
    keys = {key.name: key for key in reports.seedbed_config_keys()}
    assert keys["slowdown_factor"].default == 1.5
    assert keys["memory_alert_percent"].default == 90.0
    assert {key.section for key in keys.values()} == {"reports"}
    assert set(keys) == set(reports.ALERT_FLAGS)
    # A slowdown needs a floor in seconds too; failures have their own rate.
    assert keys["slowdown_min_seconds"].default == 1.0
    assert keys["failure_alert_percent"].default == 50.0
    assert keys["pids_alert_percent"].default == 90.0


def test_alerts_take_the_floor_from_config(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require("nu")
    slow_step_store(store_path(repo / ".git"))  # 1 s slower than its median
    monkeypatch.chdir(repo)
    (repo / "pyproject.toml").write_text(
        "[tool.seedbed.reports]\nslowdown_min_seconds = 1.5\n"
    )
    assert json_output(invoke("report", "alerts", "--json")) == []
    [alert] = json_output(invoke("report", "alerts", "--min-seconds", "0.5", "--json"))
    assert alert["alert"] == "slowdown"


def test_target_reads_the_repository_store_and_settings(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(
        "[tool.seedbed.reports]\nslowdown_factor = 3.0\n"
    )
    target = store.resolve_target(None, str(repo))
    assert target.db == store_path(repo / ".git")
    assert target.settings["slowdown_factor"] == 3.0
    assert target.settings["rolling_window"] == 20


def test_target_outside_a_repository_needs_db(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    target = store.resolve_target(str(tmp_path / "m.db"), None)
    assert target.settings["slowdown_factor"] == 1.5
    with pytest.raises(SeedbedError, match="not inside a git repository"):
        store.resolve_target(None, None)


# ---------------------------------------------------------------------------
# the command line, with real nu
# ---------------------------------------------------------------------------


def json_output(result: Result) -> Any:
    """The list inside the one JSON object (the JSON contract wraps lists)."""
    assert result.exception is None, result.output
    value = json.loads(result.output)
    assert isinstance(value, dict) and len(value) == 1, value
    return next(iter(value.values()))


def test_report_json(tmp_path: Path) -> None:
    require("nu")
    db = slow_step_store(tmp_path / "metrics.db")
    [row] = json_output(invoke("report", "report", "--db", str(db), "--json"))
    assert (row["name"], row["runs"], row["median_seconds"]) == ("uv sync", 11, 1.0)
    # `seedbed report` alone is `seedbed report report`, options included.
    assert json_output(invoke("report", "--db", str(db), "--json")) == [row]


def test_report_text(tmp_path: Path) -> None:
    require("nu")
    db = slow_step_store(tmp_path / "metrics.db")
    result = invoke("report", "--db", str(db))
    assert result.exception is None, result.output
    assert "uv sync" in result.output and "median" in result.output


def test_alerts_take_their_thresholds_from_config(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require("nu")
    slow_step_store(store_path(repo / ".git"))
    monkeypatch.chdir(repo)
    [alert] = json_output(invoke("report", "alerts", "--json"))
    assert (alert["alert"], alert["threshold"]) == ("slowdown", 1.5)
    (repo / "pyproject.toml").write_text(
        "[tool.seedbed.reports]\nslowdown_factor = 3.0\n"
    )
    assert json_output(invoke("report", "alerts", "--json")) == []
    # The option beats the setting.
    [alert] = json_output(invoke("report", "alerts", "--factor", "1.5", "--json"))
    assert alert["value"] == 2.0


def test_filters_and_commands_pass_through(tmp_path: Path) -> None:
    require("nu")
    db = slow_step_store(tmp_path / "metrics.db")
    assert (
        json_output(
            invoke("report", "report", "--db", str(db), "--worktree", "other", "--json")
        )
        == []
    )
    [trend] = json_output(
        invoke("report", "perf", "--db", str(db), "--kind", "step", "--json")
    )
    assert trend["name"] == "uv sync"
    assert json_output(invoke("report", "optimize", "--db", str(db), "--json")) == []


def test_module_path_is_the_shipped_module() -> None:
    result = invoke("report", "module")
    path = Path(result.output.strip())
    assert path.name == "seedbed.nu" and path.is_file()
    assert "export use parts/figures.nu *" in path.read_text()


def test_bad_duration_is_a_usage_error(tmp_path: Path) -> None:
    result = invoke("report", "--db", str(tmp_path / "m.db"), "--since", "7 days")
    assert isinstance(result.exception, click.BadParameter)
    assert "write e.g. 30min, 12hr, 7day, 2wk" in str(result.exception)


def test_store_problems_are_seedbed_errors(tmp_path: Path) -> None:
    result = invoke("report", "alerts", "--db", str(tmp_path / "nowhere.db"))
    assert isinstance(result.exception, SeedbedError)
    assert result.exception.exit_code == EXIT_NOT_FOUND


def test_missing_nu_through_the_command(no_nu: None, tmp_path: Path) -> None:
    db = slow_step_store(tmp_path / "metrics.db")
    result = invoke("report", "--db", str(db))
    assert isinstance(result.exception, SeedbedError)
    assert result.exception.exit_code == EXIT_ENVIRONMENT


def test_nu_errors_become_seedbed_errors() -> None:
    error = nu._nu_failed(
        "report",
        1,
        "Error: no runs recorded yet in /x/metrics.db\n"
        "    Diagnostic severity: error\n"
        "diagnostic help: runs are recorded by `seedbed setup`\n",
    )
    assert error.message == "no runs recorded yet in /x/metrics.db"
    assert error.hint == "runs are recorded by `seedbed setup`"
    assert error.exit_code == 1


def test_nu_exit_codes_pass_through() -> None:
    """cli.nu exits 10 for nothing to read (no such workspace), 6 for the
    environment; anything else is a plain failure."""
    for code, expected in ((10, EXIT_NOT_FOUND), (6, EXIT_ENVIRONMENT), (2, 1)):
        error = nu._nu_failed("monitor", code, "Error: no container workspace\n")
        assert error.exit_code == expected


def test_the_installed_seedbed_renders_errors_as_json(tmp_path: Path) -> None:
    """The real console script: exit code and JSON error from the core's CLI."""
    db = newer_schema_store(tmp_path / "metrics.db")
    done = subprocess.run(
        [SEEDBED, "report", "alerts", "--db", str(db), "--json"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert done.returncode == EXIT_ENVIRONMENT, done.stderr
    assert "schema version 99" in json.loads(done.stdout)["error"]


def test_the_installed_seedbed_runs_a_report(repo: Path) -> None:
    require("nu")
    slow_step_store(store_path(repo / ".git"))
    linked = repo.parent / "linked"
    git("worktree", "add", "-q", str(linked), "-b", "feat", cwd=repo)
    done = subprocess.run(
        [SEEDBED, "report", "alerts", "--json"],
        capture_output=True,
        text=True,
        cwd=linked,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert [a["alert"] for a in json.loads(done.stdout)["alerts"]] == ["slowdown"]


def test_monitor_through_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    require("nu")
    pod = {
        "name": "feat",
        "status": "running",
        "cpu_percent": 5.0,
        "memory_bytes": 900,
        "memory_limit_bytes": 1000,
        "memory_percent": 90.0,
        "pids": 3,
        "pids_limit": 100,
    }
    fake = executable(
        tmp_path / "bin" / "seedbed",
        f"#!/bin/sh\necho '{json.dumps([pod])}'\n",
    )
    monkeypatch.setenv("SEEDBED_BIN", str(fake))
    result = invoke(
        "report",
        "monitor",
        "-w",
        "feat",
        "--count",
        "2",
        "--interval",
        "10ms",
        "--json",
    )
    assert result.exception is None, result.output
    lines = capfd.readouterr().out.splitlines()  # nu writes to the terminal itself
    assert [json.loads(line)["memory_percent"] for line in lines] == [90.0, 90.0]


def test_seedbed_bin_is_this_seedbed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SEEDBED_BIN", raising=False)
    monkeypatch.setattr(sys, "argv", ["/opt/tools/bin/seedbed", "report"])
    assert nu.nu_env()["SEEDBED_BIN"] == str(Path("/opt/tools/bin/seedbed").resolve())
    monkeypatch.setattr(sys, "argv", ["pytest"])
    assert "SEEDBED_BIN" not in nu.nu_env()
    assert os.environ.get("SEEDBED_BIN") is None
