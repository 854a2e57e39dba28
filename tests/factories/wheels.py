"""Wheels and wheelhouses: tiny local wheels, and real ones downloaded once.

Tiny wheels are written directly (a wheel is a zip with a dist-info folder), so
no build backend runs; the one build backend the samples need (flit_core) is
downloaded once into .cache/ and copied in. Installs then run offline against
the wheelhouse through the managers' own settings (find-links, no-index).
Real wheels (about 50 packages for the medium project; Django, Flask, FastAPI
and friends for the web samples) are downloaded once with pip into .cache/.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from tests.factories.commands import run_tool

REPO = Path(__file__).resolve().parents[2]
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
            # A fixed timestamp: the same wheel is the same bytes in every test
            # session, so caches keyed by name or URL (poetry's) never disagree
            # with a lock's hashes.
            archive.writestr(zipfile.ZipInfo(member, (2020, 1, 1, 0, 0, 0)), data)
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
    """The tiny packages the samples depend on, and the build backend."""
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


# --- a PEP 503 simple index over a wheelhouse -------------------------------
# poetry reads packages only through an index (a find-links folder or a file://
# URL will not do), so poetry samples name one served on localhost
# (servers.serve) as their only source: nothing leaves the machine.


def write_simple_index(wheelhouse: Path) -> Path:
    """wheelhouse/simple/<name>/index.html linking to the wheels beside it."""
    by_name: dict[str, list[str]] = {}
    for wheel in sorted(wheelhouse.glob("*.whl")):
        name = re.sub(r"[-_.]+", "-", wheel.name.split("-")[0]).lower()
        by_name.setdefault(name, []).append(wheel.name)
    simple = wheelhouse / "simple"
    for name, files in by_name.items():
        folder = simple / name
        folder.mkdir(parents=True, exist_ok=True)
        digests = {
            f: hashlib.sha256((wheelhouse / f).read_bytes()).hexdigest() for f in files
        }
        links = "".join(
            f'<a href="../../{f}#sha256={digests[f]}">{f}</a>\n' for f in files
        )
        (folder / "index.html").write_text(f"<html><body>\n{links}</body></html>\n")
    (simple / "index.html").write_text(
        "<html><body>\n"
        + "".join(f'<a href="{n}/">{n}</a>\n' for n in sorted(by_name))
        + "</body></html>\n"
    )
    return simple


# --- a medium project: about 50 real packages, downloaded once ---------------

MEDIUM_REQUIREMENTS = (
    "requests",
    "rich",
    "click",
    "jinja2",
    "pydantic",
    "httpx",
    "attrs",
    "pyyaml",
    "python-dateutil",
    "pytz",
    "flask",
    "pygments",
    "tabulate",
    "tqdm",
    "more-itertools",
    "decorator",
    "cachetools",
    "platformdirs",
    "filelock",
    "docutils",
    "babel",
    "sqlalchemy",
    "toolz",
    "wrapt",
    "pluggy",
    "iniconfig",
    "pytest",
    "markdown",
    "tomlkit",
    "sniffio",
    "structlog",
    "colorama",
    "itsdangerous",
    "blinker",
    "six",
    "msgpack",
    "simplejson",
    "ujson",
)
MEDIUM = REPO / ".cache" / "wheels" / "medium"


def medium_wheelhouse() -> Path:
    """Binary wheels for MEDIUM_REQUIREMENTS and their dependencies (about 50),
    fetched once with pip into .cache/wheels/medium, then used offline."""
    done = MEDIUM / ".complete"
    if not done.exists():
        MEDIUM.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--only-binary",
                ":all:",
                "-d",
                str(MEDIUM),
                *MEDIUM_REQUIREMENTS,
            ],
            check=True,
        )
        shutil.copy(build_backend_wheel(), MEDIUM)
        done.write_text("ok\n")
    return MEDIUM


# --- the web frameworks' wheels ----------------------------------------------

WEB_WHEELS = REPO / ".cache" / "wheels-web"
WEB_PACKAGES = (
    "Django",
    "Flask",
    "Flask-SQLAlchemy",
    "Flask-Migrate",
    "fastapi",
    "uvicorn",
    "SQLAlchemy",
    "alembic",
    "psycopg[binary]",
    "pytest",
)
STAMP = "complete.json"


def web_wheelhouse() -> Path:
    """The frameworks' wheels, downloaded once (the only step that needs the
    package index)."""
    stamp = WEB_WHEELS / STAMP
    if stamp.is_file() and json.loads(stamp.read_text()) == list(WEB_PACKAGES):
        return WEB_WHEELS
    WEB_WHEELS.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "download", "-q", "-d", str(WEB_WHEELS)]
    run_tool([*pip, *WEB_PACKAGES])
    stamp.write_text(json.dumps(list(WEB_PACKAGES)))
    return WEB_WHEELS
