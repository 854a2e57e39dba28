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


# --- a PEP 503 simple index over a wheelhouse, served on localhost ----------
# poetry reads packages only through an index (a find-links folder or a file://
# URL will not do), so poetry samples name this one as their only source. It
# serves local files: nothing leaves the machine.


def write_simple_index(wheelhouse: Path) -> Path:
    """wheelhouse/simple/<name>/index.html linking to the wheels beside it."""
    import re

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


def serve(directory: Path) -> tuple[str, object]:
    """Serve directory over HTTP on 127.0.0.1 (a daemon thread); the URL and
    the server (call .shutdown() to stop)."""
    import functools
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


def clean_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}


def tool_env(**extra: str) -> dict[str, str]:
    """Settings for poetry/pdm runs made by the tests themselves (locking)."""
    env = clean_env()
    env.update(
        {
            "POETRY_NO_INTERACTION": "1",
            "POETRY_VIRTUALENVS_CREATE": "false",
            "PDM_CHECK_UPDATE": "false",
            "PDM_NON_INTERACTIVE": "1",
        }
    )
    env.update(extra)
    return env


POETRY_EXTRA = """
[tool.poetry]
packages = [{{include = "{module}", from = "src"}}]

[tool.poetry.group.dev.dependencies]
tinydev = "*"

[[tool.poetry.source]]
name = "seedbed-tests-wheelhouse"
url = "{index}/simple/"
priority = "primary"
"""

POETRY_BUILD = """
[build-system]
requires = ["poetry-core>=2.0"]
build-backend = "poetry.core.masonry.api"
"""


def poetry_pyproject(name: str, deps: tuple[str, ...], index: str) -> str:
    module = name.replace("-", "_")
    head = PYPROJECT.split("[build-system]")[0]
    return (
        head.format(
            name=name,
            deps=", ".join(f'"{d}"' for d in deps),
            extra=POETRY_EXTRA.format(module=module, index=index),
        )
        + POETRY_BUILD
    )


def poetry_project(
    root: Path,
    index: str,
    deps: tuple[str, ...] = ("tinybeta",),
    name: str = "my-project",
) -> Path:
    """A poetry project locked against the local index, committed on main."""
    import shutil as _shutil

    root.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", "main", cwd=root)
    write_package(root, name)
    (root / "pyproject.toml").write_text(poetry_pyproject(name, deps, index))
    poetry_lock(root)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "sample poetry project", cwd=root)
    assert _shutil.which("poetry")
    return root


def poetry_lock(root: Path) -> None:
    subprocess.run(
        ["poetry", "lock"], cwd=root, check=True, capture_output=True, env=tool_env()
    )


PDM_EXTRA = """
[dependency-groups]
dev = ["tinydev"]

[tool.pdm]
distribution = true

[[tool.pdm.source]]
name = "pypi"
url = "file://{wheelhouse}"
type = "find_links"
"""


def pdm_project(
    root: Path,
    wheelhouse: Path,
    deps: tuple[str, ...] = ("tinybeta",),
    name: str = "my-project",
) -> Path:
    """A pdm project locked against the wheelhouse (find-links only)."""
    root.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", "main", cwd=root)
    write_package(root, name)
    (root / "pyproject.toml").write_text(
        PYPROJECT.format(
            name=name,
            deps=", ".join(f'"{d}"' for d in deps),
            extra=PDM_EXTRA.format(wheelhouse=wheelhouse),
        )
    )
    pdm_lock(root)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "sample pdm project", cwd=root)
    return root


def pdm_lock(root: Path) -> None:
    # PDM_PYTHON: lock with the running interpreter, without making a venv.
    subprocess.run(
        ["pdm", "lock"],
        cwd=root,
        check=True,
        capture_output=True,
        env=tool_env(PDM_PYTHON=sys.executable),
    )


# --- conda: real-world environment files (conda itself is not installable here)

CONDA_FILES = {
    "simple": """\
name: my-project
channels:
  - conda-forge
  - defaults
dependencies:
  - python=3.11
  - numpy>=1.26,<2
  - pip
  - pip:
      - -r requirements.txt
      - -e .
""",
    "flow-and-comments": """\
# a data-science style file
name: analysis
channels: [conda-forge, bioconda]   # flow list
dependencies:
  - conda-forge::python >=3.10,<3.13
  - "pandas=2.1.*"
  - scikit-learn ==1.4.0
  - r-base=4.3  # not python
  - pip:
    - --requirement requirements-dev.txt
    - requests[socks]==2.31.0
    - git+https://example.invalid/repo.git#egg=thing
variables:
  MY_VAR: "1"
""",
    "no-python": """\
name: tools
dependencies:
  - nodejs
  - make
""",
}


def conda_project(
    root: Path, kind: str = "simple", filename: str = "environment.yml"
) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", "main", cwd=root)
    (root / filename).write_text(CONDA_FILES[kind])
    (root / "requirements.txt").write_text("tinyalpha\n")
    write_package(root)
    (root / "pyproject.toml").write_text(
        PYPROJECT.format(name="my-project", deps="", extra="")
    )
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "sample conda project", cwd=root)
    return root


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


# --- checks that a worktree's environment is its own -------------------------


def metric_rows(main: Path, kind: str = "setup") -> list[dict]:
    import json
    import sqlite3

    db = main / ".git" / "seedbed" / "metrics.db"
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        rows = [
            dict(r)
            for r in conn.execute(
                "SELECT * FROM runs WHERE kind = ? ORDER BY id", (kind,)
            )
        ]
    for row in rows:
        row["detail"] = json.loads(row["detail"])
    return rows


def mentions(folder: Path, text: str) -> list[str]:
    """Text files under folder (not .pyc, not binaries) that contain text."""
    found = []
    needle = text.encode()
    for path in folder.rglob("*"):
        if path.is_symlink() or not path.is_file() or path.suffix == ".pyc":
            continue
        data = path.read_bytes()
        if b"\0" not in data and needle in data:
            found.append(str(path.relative_to(folder)))
    return found


def check_own_environment(
    worktree: Path, other: Path, module: str = "my_project", script: str = "tinydev"
) -> None:
    """The reuse correctness checks: this worktree's environment is its own."""
    env = worktree / ".venv"
    assert env.is_dir() and not env.is_symlink()
    if (other / ".venv").exists():
        assert not os.path.samefile(env, other / ".venv")
    python = env / "bin" / "python"
    probe = subprocess.run(
        [
            str(python),
            "-c",
            f"import sys, {module}; print(sys.prefix); print({module}.__file__)",
        ],
        cwd="/",
        capture_output=True,
        text=True,
        check=False,
    )
    assert probe.returncode == 0, probe.stderr
    prefix, location = probe.stdout.splitlines()
    assert prefix == str(env)
    assert location.startswith(str(worktree / "src")), location
    tool = subprocess.run(
        [str(env / "bin" / script)], capture_output=True, text=True, check=False
    )
    assert tool.returncode == 0 and tool.stdout.strip() == f"{script} 1.0", tool
    # Nothing in the environment names the other worktree's path.
    assert mentions(env / "bin", str(other) + "/") == []
    site = next(env.glob("lib/python*/site-packages"))
    leftovers = [m for m in mentions(site, str(other) + "/")]
    assert leftovers == [], leftovers
