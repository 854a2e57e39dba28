"""The installed distributions, read from environments real uv and real pip
filled; and the online source's errors with the real pip-audit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from seedbed.core.errors import SeedbedError
from seedbed.plugins.audit import environment, online, osv

from tests.conftest import require, unavailable
from tests.plugins.audit.samples import (
    EXPECTED,
    PACKAGES,
    REQUIREMENTS,
    audit_wheelhouse,
    write_zip,
)


@pytest.fixture(scope="module")
def house(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return audit_wheelhouse(tmp_path_factory.mktemp("audit-wheels"))


def uv_env(target: Path, house: Path) -> Path:
    uv = require("uv")
    subprocess.run([uv, "venv", "-q", str(target)], check=True)
    subprocess.run(
        [
            uv,
            "pip",
            "install",
            "-q",
            "--python",
            str(target / "bin" / "python"),
            "--no-index",
            "--find-links",
            str(house),
            *REQUIREMENTS,
        ],
        check=True,
    )
    return target


def pip_env(target: Path, house: Path) -> Path:
    subprocess.run([sys.executable, "-m", "venv", str(target)], check=True)
    subprocess.run(
        [
            str(target / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            "--no-index",
            "--find-links",
            str(house),
            *REQUIREMENTS,
        ],
        check=True,
    )
    return target


@pytest.mark.parametrize("make", (uv_env, pip_env), ids=("uv", "pip"))
def test_distributions_of_real_environments(
    make: object, tmp_path: Path, house: Path
) -> None:
    env_dir = make(tmp_path / "env", house)  # type: ignore[operator]
    installed = environment.distributions(env_dir)
    assert set(PACKAGES) <= set(installed)
    database = osv.load(write_zip(tmp_path / "all.zip"))
    found = {(m.package, m.advisory.id) for m in osv.match(database, installed)}
    assert found == EXPECTED


def test_no_environment_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SeedbedError) as caught:
        environment.distributions(tmp_path / ".venv")
    assert "seedbed setup" in caught.value.hint and caught.value.exit_code == 6


def test_online_without_pip_audit_says_how_to_install(tmp_path: Path) -> None:
    with pytest.raises(SeedbedError) as caught:
        online.check(None, PACKAGES, tmp_path)
    assert "pip-audit not found" in caught.value.message
    assert "install pip-audit" in caught.value.hint
    assert caught.value.exit_code == 6


def test_online_unreachable_service(tmp_path: Path) -> None:
    tool = online.find(None)
    if tool is None:
        unavailable("pip-audit is not installed beside seedbed (the test extra)")
    closed = "http://127.0.0.1:9"
    env = {**os.environ, "HTTPS_PROXY": closed, "HTTP_PROXY": closed, "NO_PROXY": ""}
    for name in ("https_proxy", "http_proxy", "no_proxy"):
        env.pop(name, None)
    with pytest.raises(SeedbedError) as caught:
        online.check(tool, PACKAGES, tmp_path, env)
    message = caught.value.message
    assert message.startswith("pip-audit could not check the packages (exit 1)")
    assert "Traceback" not in message and "proxy" in message.lower()
    assert 'source = "offline"' in caught.value.hint


def test_online_report_is_parsed() -> None:
    report = {
        "dependencies": [
            {
                "name": "vulnrange",
                "version": "1.2",
                "vulns": [
                    {
                        "id": "PYSEC-1",
                        "fix_versions": ["1.5", "2.0"],
                        "aliases": ["CVE-1"],
                        "description": "a  bug\n in it",
                    }
                ],
            },
            {"name": "clean", "version": "1.0", "vulns": []},
            {"name": "skipped", "skip_reason": "not on the index"},
        ],
        "fixes": [],
    }
    (item,) = online.parse(report)
    assert (item.package, item.version, item.fixed) == ("vulnrange", "1.2", "1.5")
    assert (
        item.advisory.aliases == ("CVE-1",) and item.advisory.summary == "a bug in it"
    )
