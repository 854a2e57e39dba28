"""Real sample projects, one per package manager (uv, pip, poetry, pdm, conda).

Each is a git repository committed on branch main, with no environment yet;
uv, poetry and pdm samples are locked against the local wheelhouse (or the
simple index served over it), so installs run offline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.factories.git import git

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


def clean_env() -> dict[str, str]:
    """os.environ without git's variables (a lock run is not in a hook)."""
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


# --- uv and pip ----------------------------------------------------------------


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
        env=clean_env(),
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


# --- poetry (locked against the simple index on localhost) ---------------------

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
    root.mkdir(parents=True, exist_ok=True)
    git("init", "-q", "-b", "main", cwd=root)
    write_package(root, name)
    (root / "pyproject.toml").write_text(poetry_pyproject(name, deps, index))
    poetry_lock(root)
    git("add", "-A", cwd=root)
    git("commit", "-q", "-m", "sample poetry project", cwd=root)
    assert shutil.which("poetry")
    return root


def poetry_lock(root: Path) -> None:
    subprocess.run(
        ["poetry", "lock"], cwd=root, check=True, capture_output=True, env=tool_env()
    )


# --- pdm (locked against the wheelhouse, find-links only) ----------------------

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
