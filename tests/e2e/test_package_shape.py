"""seedbed installs as one import package, so a project's own `core` or
`plugins` package can never shadow it (a Django app called `core` with
PYTHONPATH=. used to make `seedbed --help` import the project's code)."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from tests.conftest import REPO, require

SCRIPTS = (
    "seedbed",
    "seedbed-format",
    "seedbed-lint",
    "seedbed-types",
    "seedbed-tests",
    "seedbed-secrets",
    "seedbed-lock",
    "seedbed-migrations",
)
SHADOW = "raise SystemExit('the project\\'s own package was imported')\n"


def build_wheel(out: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), "."],
        cwd=REPO,
        check=True,
    )
    return next(out.glob("seedbed-*.whl"))


def test_wheel_holds_one_import_package(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path)
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {"seedbed", wheel.name.split("-py")[0] + ".dist-info"}
    for shipped in ("hooks/post-checkout", "nushell/seedbed.nu", "core/entry.py"):
        assert f"seedbed/{shipped}" in names
    assert not [n for n in names if "__pycache__" in n or n.endswith(".pyc")]


def test_console_scripts_ignore_a_project_named_core(tmp_path: Path) -> None:
    wheel = build_wheel(tmp_path / "dist")
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True
    )
    site = Path(
        sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)})
    )
    uv = require("uv")
    subprocess.run(
        [uv, "pip", "install", "-q", "--no-deps", "--python", str(venv), str(wheel)],
        check=True,
    )
    # seedbed's dependencies come from the test environment, linked only after
    # the install (an installer would otherwise see, and replace, the test
    # environment's own seedbed); seedbed itself from the new venv (first).
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n")
    project = tmp_path / "project"
    for package in ("core", "plugins", "seedbed_gone"):
        (project / package).mkdir(parents=True)
        (project / package / "__init__.py").write_text(SHADOW)
    (project / "core" / "__main__.py").write_text(SHADOW)
    env = {
        **os.environ,
        "PYTHONPATH": ".",
        "PATH": f"{venv / 'bin'}:{os.environ['PATH']}",
    }
    env.pop("VIRTUAL_ENV", None)
    for script in SCRIPTS:
        out = subprocess.run(
            [str(venv / "bin" / script), "--help"],
            cwd=project,
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        assert out.returncode == 0, (script, out.stdout, out.stderr)
        assert "own package" not in out.stdout + out.stderr
    located = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-c",
            "import seedbed.core; print(seedbed.core.__file__)",
        ],
        cwd=project,
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert located.stdout.strip().startswith(str(site))
