"""pip, poetry and pdm: a second worktree against uv installing the same set.

Each project declares DEPS (pip: requirements.txt; poetry and pdm: a lock made
against the local wheelhouse, with no package of its own). The main worktree is
set up once and the hooks installed, as a user would; then, interleaved:

  * seedbed: `git worktree add` with the hook, until the worktree is ready (it
    must have built its environment from the main worktree's: checked);
  * anchor: bare `git worktree add` + `uv venv` + `uv pip install --offline -r`
    of the exact set installed in the main worktree (`uv pip freeze`).

Everything installs offline from the local wheelhouse, so the index's missing
caching headers (pip's HTTP cache never hits there; pdm re-downloads) play no
part here. poetry reads packages only through an index: it gets a PEP 503 index
of the wheelhouse served on localhost (tests/factories/wheels.py, servers.py).
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from ratio_kit import (
    DEPS,
    WHEELS,
    Figure,
    Worktrees,
    adopt,
    commit,
    pair,
    run,
    timed,
    within,
)

HEAD = """\
[project]
name = "bench-app"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = [{deps}]
"""
TOOL = {
    "poetry": """
[tool.poetry]
package-mode = false

[[tool.poetry.source]]
name = "seedbed-bench-wheelhouse"
url = "{index}/simple/"
priority = "primary"
""",
    "pdm": """
[tool.pdm]
distribution = false

[[tool.pdm.source]]
name = "pypi"
url = "file://{wheels}"
type = "find_links"
""",
}


def served_index(root: Path) -> tuple[str, object]:
    """The wheelhouse as a simple index on localhost (poetry's only way in); the
    index files go to a folder of its own, not into the shared cache."""
    from tests.factories.servers import serve
    from tests.factories.wheels import write_simple_index

    folder = root / "index"
    folder.mkdir()
    for wheel in WHEELS.glob("*.whl"):
        (folder / wheel.name).symlink_to(wheel)
    write_simple_index(folder)
    return serve(folder)


def manager_project(root: Path, kind: str, index: str, env: dict[str, str]) -> Path:
    path = root / kind
    path.mkdir()
    run(["git", "init", "-q", "-b", "main"], path, env)
    if kind == "pip":
        (path / "requirements.txt").write_text("\n".join(DEPS) + "\n")
    else:
        deps = ", ".join(f'"{d}"' for d in DEPS)
        tool = TOOL[kind].format(index=index, wheels=WHEELS)
        (path / "pyproject.toml").write_text(HEAD.format(deps=deps) + tool)
        lock_env = {**env, "PDM_PYTHON": sys.executable}
        run([kind, "lock"], path, lock_env)
    commit(path, env)
    return path


def installed_set(main: Path, into: Path, env: dict[str, str]) -> Path:
    """The main worktree's packages, pinned: what the anchor installs."""
    python = main / ".venv" / "bin" / "python"
    if not python.exists():
        sys.exit(f"{main}: no .venv after seedbed setup; the anchor needs its set")
    frozen = run(["uv", "pip", "freeze", "--python", str(python)], main, env)
    tools = ("pip==", "setuptools==", "wheel==")
    pins = [p for p in frozen.splitlines() if p and not p.startswith(tools)]
    into.write_text("\n".join(pins) + "\n")
    return into


def bench_kind(
    root: Path, kind: str, index: str, rounds: int, env: dict[str, str]
) -> Figure:
    main = adopt(manager_project(root, kind, index, env), env)
    pins = installed_set(main, root / f"{kind}-set.txt", env)
    trees = Worktrees(main, env)

    def ours() -> float:
        seconds, path = trees.add()
        trees.reused(path)
        return seconds

    def anchor() -> float:
        seconds, path = trees.bare()
        seconds += timed(["uv", "venv", "-q", ".venv"], path, env)
        install = ["uv", "pip", "install", "-q", "--offline", "-r", str(pins)]
        return seconds + timed(install, path, env)

    count = len(pins.read_text().split())
    return Figure(
        f"{kind} project, second worktree ({count} packages, reuse)",
        "bare add + `uv venv` + `uv pip install --offline -r`",
        within(1.2),
        "≤ 1.2×",
        *pair(rounds, ours, anchor),
    )


def bench_managers(
    root: Path, rounds: int, env: dict[str, str], kinds: list[str]
) -> list[Figure]:
    missing = [k for k in kinds if k != "pip" and not shutil.which(k)]
    if missing:
        sys.exit(f"{', '.join(missing)} not on PATH (tests/setup/managers.sh)")
    index, server = served_index(root) if "poetry" in kinds else ("", None)
    try:
        return [bench_kind(root, kind, index, rounds, env) for kind in kinds]
    finally:
        if server is not None:
            server.shutdown()  # type: ignore[attr-defined]
