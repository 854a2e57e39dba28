"""Real sample projects and a local wheelhouse of tiny packages, built fast.

Wheels are written directly (a wheel is a zip with a dist-info folder), so no
build backend runs; the one build backend the samples need (flit_core) is
downloaded once into .cache/ and copied in. Installs then run offline against
the wheelhouse through the managers' own settings (find-links, no-index).
"""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CACHE = REPO / ".cache" / "wheels"
FLIT_CORE = "flit_core==3.12.0"


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return f"{name},sha256={digest.decode()},{len(data)}"


def write_wheel(
    directory: Path,
    name: str,
    version: str,
    requires: tuple[str, ...] = (),
    script: str | None = None,
) -> Path:
    """A pure-Python wheel with one module (and optionally a console script)."""
    module = name.replace("-", "_")
    dist_info = f"{module}-{version}.dist-info"
    files: dict[str, bytes] = {
        f"{module}/__init__.py": (
            f"VERSION = {version!r}\n\ndef main():\n    print('{name} {version}')\n"
        ).encode(),
        f"{dist_info}/METADATA": (
            "Metadata-Version: 2.1\n"
            f"Name: {name}\nVersion: {version}\n"
            + "".join(f"Requires-Dist: {r}\n" for r in requires)
        ).encode(),
        f"{dist_info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: seedbed-tests\n"
            b"Root-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }
    if script:
        files[f"{dist_info}/entry_points.txt"] = (
            f"[console_scripts]\n{script} = {module}:main\n"
        ).encode()
    record = [_record_line(path, data) for path, data in files.items()]
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = ("\n".join(record) + "\n").encode()
    path = directory / f"{module}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in files.items():
            archive.writestr(member, data)
    return path


def build_backend_wheel() -> Path:
    """flit_core's wheel, fetched once from the package index and cached."""
    CACHE.mkdir(parents=True, exist_ok=True)
    found = sorted(CACHE.glob("flit_core-*.whl"))
    if not found:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--no-deps",
                "--only-binary",
                ":all:",
                "-d",
                str(CACHE),
                FLIT_CORE,
            ],
            check=True,
            capture_output=True,
        )
        found = sorted(CACHE.glob("flit_core-*.whl"))
    return found[-1]


def make_wheelhouse(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    write_wheel(directory, "tinyalpha", "1.0")
    write_wheel(directory, "tinybeta", "1.0", ("tinyalpha",), script="tinybeta")
    write_wheel(directory, "tinygamma", "1.0")
    write_wheel(directory, "tinygamma", "2.0")
    write_wheel(directory, "tinydev", "1.0", script="tinydev")
    shutil.copy(build_backend_wheel(), directory)
    return directory


def offline_env(wheelhouse: Path) -> dict[str, str]:
    """Point pip and uv at the wheelhouse only (set in os.environ by tests)."""
    return {
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheelhouse),
        "UV_NO_INDEX": "1",
        "UV_FIND_LINKS": str(wheelhouse),
    }


def git(*args: str, cwd: Path) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


PYPROJECT = """\
[project]
name = "{name}"
version = "0.1.0"
description = "a seedbed sample"
requires-python = ">=3.8"
dependencies = [{deps}]
{extra}
[build-system]
requires = ["flit_core>=3.4"]
build-backend = "flit_core.buildapi"
"""


def write_package(root: Path, name: str = "my-project") -> None:
    module = name.replace("-", "_")
    (root / "src" / module).mkdir(parents=True, exist_ok=True)
    (root / "src" / module / "__init__.py").write_text(
        '"""A seedbed sample."""\n\nimport os\n\nWHERE = os.path.dirname(__file__)\n'
    )


def uv_project(
    root: Path,
    wheelhouse: Path,
    deps: tuple[str, ...] = ("tinybeta",),
    name: str = "my-project",
) -> Path:
    """A uv project with a lock, committed on branch main."""
    root.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", "main", cwd=root)
    write_package(root, name)
    extra = (
        '[dependency-groups]\ndev = ["tinydev"]\n\n'
        f"[tool.uv]\nfind-links = [{str(wheelhouse)!r}]\nno-index = true\n"
    )
    (root / "pyproject.toml").write_text(
        PYPROJECT.format(name=name, deps=", ".join(f'"{d}"' for d in deps), extra=extra)
    )
    lock(root)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "sample uv project", cwd=root)
    return root


def lock(root: Path) -> None:
    subprocess.run(
        ["uv", "lock", "--offline", "-q"],
        cwd=root,
        check=True,
        capture_output=True,
        env={k: v for k, v in os.environ.items() if not k.startswith("GIT_")},
    )


def pip_project(
    root: Path,
    requirements: str = "tinybeta\n",
    dev_requirements: str | None = "tinydev\n",
    package: bool = True,
    name: str = "my-project",
) -> Path:
    """A requirements.txt project (a package unless package=False), on main."""
    root.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", "main", cwd=root)
    (root / "requirements.txt").write_text(requirements)
    if dev_requirements is not None:
        (root / "requirements-dev.txt").write_text(dev_requirements)
    if package:
        write_package(root, name)
        (root / "pyproject.toml").write_text(
            PYPROJECT.format(name=name, deps="", extra="")
        )
    else:
        (root / "app.py").write_text("print('app')\n")
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "sample pip project", cwd=root)
    return root
