"""The audit gate end to end, with real uv, real pip and a real HTTP server.

A small OSV database (tests/plugins/audit/samples.py: one advisory by range,
one by explicit versions, one withdrawn, one fixed before the installed
version, one for another ecosystem) is zipped like OSV's PyPI/all.zip and
served on 127.0.0.1 for `seedbed audit update --url`. The audited packages are
wheels the tests write, installed by `seedbed setup` into a uv environment and
into a venv filled by pip (offline, --find-links). Every bad input ends in an
`error:` result with the fix: never a pass, never a traceback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import seedbed
from tests.factories.git import commit_file, git
from tests.factories.metrics import metric_rows
from tests.factories.projects import pip_project, uv_project
from tests.factories.servers import serve
from tests.factories.wheels import offline_env
from tests.plugins.audit.samples import (
    EXPECTED,
    REQUIREMENTS,
    audit_wheelhouse,
    plugin_path,
    write_zip,
)

HOOK = "import sys; from seedbed.plugins.audit.gate import main; sys.exit(main())"


@pytest.fixture(scope="module")
def house(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return audit_wheelhouse(tmp_path_factory.mktemp("audit-wheelhouse"))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The served folder: all.zip (the sample database), junk.zip (not a zip)."""
    folder = tmp_path_factory.mktemp("osv-server")
    write_zip(folder / "all.zip")
    (folder / "junk.zip").write_bytes(b"<html>a captive portal</html>")
    url, handle = serve(folder)
    yield url, folder
    handle.shutdown()  # type: ignore[attr-defined]


@pytest.fixture
def env(house: Path, tmp_path: Path) -> dict[str, str]:
    """The child's environment: offline installs, and the audit plugin."""
    values = {**os.environ, **offline_env(house)}
    values["PYTHONPATH"] = str(plugin_path(tmp_path / "plugin"))
    return values


def data_dir() -> Path:
    return Path(os.environ["SEEDBED_HOME"]) / "audit"


def run(*args: str, cwd: Path, env: dict[str, str]) -> tuple[int, dict]:
    out = seedbed(*args, "--json", cwd=cwd, env=env)
    assert "Traceback" not in out.stderr, out.stderr
    assert out.stdout, out.stderr
    return out.returncode, json.loads(out.stdout)


def gate(root: Path, env: dict[str, str]) -> dict:
    code, data = run("gate", "--only", "audit", cwd=root, env=env)
    assert code == (0 if data["passed"] else 1)
    (result,) = data["gates"]
    return result


def update(url: str, env: dict[str, str], cwd: Path) -> dict:
    code, data = run("audit", "update", "--url", f"{url}/all.zip", cwd=cwd, env=env)
    assert code == 0, data
    return data


def uv_sample(root: Path, house: Path, env: dict[str, str]) -> Path:
    main = uv_project(root, house, deps=REQUIREMENTS)
    out = seedbed("setup", cwd=main, env=env)
    assert out.returncode == 0, out.stderr
    return main


def pip_sample(root: Path, env: dict[str, str]) -> Path:
    main = pip_project(root, "\n".join(REQUIREMENTS) + "\n", dev_requirements=None)
    (main / ".seedbed.toml").write_text('installer = "pip"\n')
    git("add", "-A", cwd=main)
    git("commit", "-qm", "pip installs", cwd=main)
    out = seedbed("setup", cwd=main, env=env)
    assert out.returncode == 0, out.stderr
    assert (main / ".venv" / "bin" / "pip").exists()  # pip made it, not uv
    return main


@pytest.mark.parametrize("kind", ("uv", "pip"))
def test_offline_gate_finds_exactly_the_affected(
    kind: str,
    tmp_path: Path,
    house: Path,
    env: dict[str, str],
    server: tuple[str, Path],
) -> None:
    url, _ = server
    main = (
        uv_sample(tmp_path / "proj", house, env)
        if kind == "uv"
        else pip_sample(tmp_path / "proj", env)
    )
    updated = update(url, env, main)
    assert updated["advisories"] == 3 and updated["path"].endswith("audit/all.zip")

    code, state = run("audit", "status", cwd=main, env=env)
    assert code == 0 and state["advisories"] == 3 and state["age_days"] < 1

    result = gate(main, env)
    assert result["status"] == "fail" and result["figure"] == 2
    found = {(f["file"].split()[0], f["kind"]) for f in result["findings"]}
    assert found == EXPECTED
    assert "2 known vulnerabilities in 2 packages" in result["message"]
    assert "CVE-2026-10101" in result["output"] and "fixed in 1.5" in result["output"]

    code, report = run("audit", "check", cwd=main, env=env)
    assert code == 1
    by_id = {f["id"]: f for f in report["findings"]}
    assert set(by_id) == {"PYSEC-2026-101", "GHSA-xxxx-yyyy-zzzz"}
    ranged = by_id["PYSEC-2026-101"]
    assert ranged == {
        "package": "vulnrange",
        "version": "1.2",
        "id": "PYSEC-2026-101",
        "aliases": ["CVE-2026-10101", "GHSA-aaaa-bbbb-cccc"],
        "summary": "Range bug lets a request read any file",
        "fixed": "1.5",
        "acceptance_expired": None,
    }
    assert by_id["GHSA-xxxx-yyyy-zzzz"]["version"] == "2.0"

    # The pre-commit hook's console script (seedbed-audit) runs the same gate.
    hook = subprocess.run(
        [sys.executable, "-c", HOOK],
        cwd=main,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert hook.returncode == 1, hook.stderr
    assert "vulnrange 1.2: PYSEC-2026-101" in hook.stdout

    rows = [r for r in metric_rows(main, kind="gate") if r["name"] == "audit"]
    assert rows and rows[-1]["figure"] == 2 and rows[-1]["exit_code"] == 1


def test_acceptances_live_and_expired(
    tmp_path: Path, house: Path, env: dict[str, str], server: tuple[str, Path]
) -> None:
    main = uv_sample(tmp_path / "proj", house, env)
    update(server[0], env, main)
    commit_file(
        main,
        ".seedbed-audit.toml",
        '[[accept]]\nid = "CVE-2026-10101"\nreason = "never reached"\n'
        "expires = 2999-01-31\n\n"
        '[[accept]]\nid = "GHSA-xxxx-yyyy-zzzz"\nreason = "upstream"\n'
        "expires = 2020-01-31\n",
    )
    result = gate(main, env)
    assert result["figure"] == 1
    assert [f["kind"] for f in result["findings"]] == ["GHSA-xxxx-yyyy-zzzz"]
    assert "acceptance expired 2020-01-31" in result["output"]
    assert "1 accepted" in result["message"]
    code, report = run("audit", "check", cwd=main, env=env)
    assert code == 1
    assert report["accepted"][0]["reason"] == "never reached"
    assert report["findings"][0]["acceptance_expired"] == "2020-01-31"

    # Both live: the gate passes and records no findings.
    text = (main / ".seedbed-audit.toml").read_text().replace("2020", "2999")
    commit_file(main, ".seedbed-audit.toml", text)
    result = gate(main, env)
    assert result["status"] == "pass" and result["figure"] == 0


def test_old_database_warns(
    tmp_path: Path, house: Path, env: dict[str, str], server: tuple[str, Path]
) -> None:
    main = uv_sample(tmp_path / "proj", house, env)
    update(server[0], env, main)
    source = data_dir() / "source.json"
    data = json.loads(source.read_text())
    data["updated_at"] = time.time() - 10 * 86400
    source.write_text(json.dumps(data))
    result = gate(main, env)
    assert "10 days old (over 7)" in result["message"]
    commit_file(main, ".seedbed.toml", "[audit]\nmax_age_days = 30\n")
    assert "warning" not in gate(main, env)["message"]


def assert_error(result: dict, *says: str) -> None:
    assert result["status"] == "error" and result["figure"] is None
    assert result["message"].startswith("error: ")
    for text in says:
        assert text in result["message"], result["message"]


def test_bad_inputs(
    tmp_path: Path, house: Path, env: dict[str, str], server: tuple[str, Path]
) -> None:
    url, _ = server
    main = uv_sample(tmp_path / "proj", house, env)

    # No database yet.
    assert_error(gate(main, env), "no advisory database", "seedbed audit update")
    code, data = run("audit", "check", cwd=main, env=env)
    assert code == 6 and "seedbed audit update" in data["hint"]
    code, data = run("audit", "status", cwd=main, env=env)
    assert code == 6 and data["exists"] is False

    # Downloads that fail keep the database that worked.
    update(url, env, main)
    good = (data_dir() / "all.zip").read_bytes()
    code, data = run("audit", "update", "--url", f"{url}/junk.zip", cwd=main, env=env)
    assert code == 1 and "not an OSV database" in data["error"]
    code, data = run("audit", "update", "--url", f"{url}/gone.zip", cwd=main, env=env)
    assert code == 10 and "404" in data["error"]
    closed = "http://127.0.0.1:9/all.zip"
    code, data = run("audit", "update", "--url", closed, cwd=main, env=env)
    assert code == 6 and "cannot download" in data["error"]
    assert (data_dir() / "all.zip").read_bytes() == good
    assert not [p for p in data_dir().iterdir() if p.name.startswith(".all-")]

    # A damaged zip, then a zip holding a damaged advisory.
    (data_dir() / "all.zip").write_bytes(good[: len(good) // 2])
    assert_error(gate(main, env), "damaged", "seedbed audit update")
    import zipfile

    with zipfile.ZipFile(data_dir() / "all.zip", "w") as archive:
        archive.writestr("PYSEC-1.json", "{ not json")
    assert_error(gate(main, env), "PYSEC-1.json: damaged advisory")
    code, data = run("audit", "check", cwd=main, env=env)
    assert code == 6

    # A configured database must stay inside the worktree.
    commit_file(main, ".seedbed.toml", '[audit]\ndatabase = "../elsewhere"\n')
    out = seedbed("gate", "--only", "audit", cwd=main, env=env)
    assert out.returncode == 3 and "Traceback" not in out.stderr


def test_project_database_folder(
    tmp_path: Path, house: Path, env: dict[str, str]
) -> None:
    """A folder of OSV JSON files committed in the project, named by a key."""
    from tests.plugins.audit.samples import write_folder

    main = uv_sample(tmp_path / "proj", house, env)
    write_folder(main / "advisories")
    git("add", "-A", cwd=main)
    commit_file(main, ".seedbed.toml", '[audit]\ndatabase = "advisories"\n')
    result = gate(main, env)
    found = {(f["file"].split()[0], f["kind"]) for f in result["findings"]}
    assert found == EXPECTED


def test_online_unreachable_service_is_an_error(
    tmp_path: Path, house: Path, env: dict[str, str]
) -> None:
    main = uv_sample(tmp_path / "proj", house, env)
    commit_file(main, ".seedbed.toml", '[audit]\nsource = "online"\n')
    # Every request goes through a proxy that is not there: the service
    # cannot be reached, whatever this machine's network allows.
    closed = "http://127.0.0.1:9"
    env = {**env, "HTTPS_PROXY": closed, "HTTP_PROXY": closed, "NO_PROXY": ""}
    env.pop("https_proxy", None)
    env.pop("no_proxy", None)
    result = gate(main, env)
    if "pip-audit not found" in result["message"]:
        assert_error(result, "install pip-audit")
        return
    assert_error(result, "pip-audit could not check the packages", 'source = "offline"')
    code, data = run("audit", "check", cwd=main, env=env)
    assert code == 6 and "pip-audit" in data["error"]
