"""Time-to-ready of a second worktree, per package manager, on a medium project.

    python benchmarks/bench_managers.py [--rounds 3] [--managers uv,pip,poetry,pdm]

A throw-away repository per manager declares about 40 real packages (about 55
resolved; tests/factories/wheels.py MEDIUM_REQUIREMENTS), installed offline from a local
wheelhouse downloaded once into .cache/wheels/medium (poetry reads it through a
simple index served on localhost). The main worktree is set up once first, so
every cache is warm. Then, interleaved each round, in fresh linked worktrees:

  * bare:     the manager alone (uv sync --frozen; python -m venv + pip install;
              poetry sync; pdm sync), what a user types without seedbed;
  * no-reuse: `seedbed setup` with reuse = false (the manager's full install);
  * reuse:    `seedbed setup` (the environment built from the main worktree's).

Reported: the median wall time of each and the ratio to bare. Target: reuse at
most 2 s for uv, pip, poetry and pdm. Needs uv, poetry and pdm on PATH
(tests/setup/managers.sh installs the latter two into .tools/bin).

Note beside pip and pdm figures: this machine's index sends no caching headers,
so pip's HTTP cache never hits and pdm re-downloads; here everything comes from
the local wheelhouse, so "warm" means uv's and poetry's caches and the wheels
already on disk.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ratio_kit import Worktrees, adopt  # noqa: E402

from tests.factories.servers import serve  # noqa: E402
from tests.factories.wheels import (  # noqa: E402
    MEDIUM_REQUIREMENTS,
    medium_wheelhouse,
    write_simple_index,
)

TARGET = 2.0

HEAD = """\
[project]
name = "bench-app"
version = "0.1.0"
description = "seedbed benchmark"
requires-python = ">=3.11"
dependencies = [{deps}]
{extra}
"""
FLIT = """
[build-system]
requires = ["flit_core>=3.4"]
build-backend = "flit_core.buildapi"
"""
EXTRA = {
    "uv": '[tool.uv]\nfind-links = ["{wheels}"]\nno-index = true\n' + FLIT,
    "pip": FLIT,
    "poetry": (
        '[tool.poetry]\npackages = [{{include = "bench_app", from = "src"}}]\n\n'
        '[[tool.poetry.source]]\nname = "seedbed-bench-wheelhouse"\n'
        'url = "{index}/simple/"\npriority = "primary"\n\n'
        '[build-system]\nrequires = ["poetry-core>=2.0"]\n'
        'build-backend = "poetry.core.masonry.api"\n'
    ),
    "pdm": (
        '[tool.pdm]\ndistribution = true\n\n[[tool.pdm.source]]\nname = "pypi"\n'
        'url = "file://{wheels}"\ntype = "find_links"\n' + FLIT
    ),
}


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    out = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    if out.returncode != 0:
        sys.exit(f"{' '.join(argv)} failed in {cwd}:\n{out.stdout}{out.stderr}")
    return seconds


def make_project(
    kind: str, root: Path, wheels: Path, index: str, env: dict[str, str]
) -> Path:
    project = root / kind
    (project / "src" / "bench_app").mkdir(parents=True)
    (project / "src" / "bench_app" / "__init__.py").write_text('"""Bench."""\n')
    deps = ", ".join(f'"{d}"' for d in MEDIUM_REQUIREMENTS)
    extra = EXTRA[kind].format(wheels=wheels, index=index)
    (project / "pyproject.toml").write_text(
        HEAD.format(deps=deps if kind != "pip" else "", extra=extra)
    )
    if kind == "pip":
        (project / "requirements.txt").write_text("\n".join(MEDIUM_REQUIREMENTS) + "\n")
    git = ["git", "-c", "user.name=b", "-c", "user.email=b@b.invalid"]
    run(["git", "init", "-q", "-b", "main"], project, env)
    if kind == "uv":
        run(["uv", "lock", "--offline", "-q"], project, env)
    elif kind == "poetry":
        run(["poetry", "lock"], project, env)
    elif kind == "pdm":
        run(["pdm", "lock"], project, {**env, "PDM_PYTHON": sys.executable})
    run(["git", "add", "-A"], project, env)
    run([*git, "commit", "-q", "-m", "bench"], project, env)
    return project


def bare(kind: str, worktree: Path, env: dict[str, str]) -> float:
    if kind == "uv":
        return run(["uv", "sync", "--frozen"], worktree, env)
    if kind == "pip":
        seconds = run([sys.executable, "-m", "venv", ".venv"], worktree, env)
        pip = [".venv/bin/python", "-m", "pip", "install", "-q"]
        return seconds + run([*pip, "-r", "requirements.txt", "-e", "."], worktree, env)
    if kind == "poetry":
        return run(
            ["poetry", "sync"],
            worktree,
            {**env, "POETRY_VIRTUALENVS_IN_PROJECT": "true"},
        )
    return run(["pdm", "sync"], worktree, {**env, "PDM_VENV_IN_PROJECT": "true"})


def bench(
    kind: str, root: Path, wheels: Path, index: str, rounds: int, env: dict[str, str]
) -> dict[str, list[float]]:
    project = make_project(kind, root, wheels, index, env)
    adopt(project, env)  # the first worktree and the hooks; warms caches
    trees = Worktrees(project, env)
    times: dict[str, list[float]] = {"bare": [], "no-reuse": [], "reuse": []}
    for _ in range(rounds):
        seconds, path = trees.bare()
        times["bare"].append(seconds + bare(kind, path, env))
        seconds, path = trees.add("full", SEEDBED_REUSE="false")
        trees.reused(path, expected=False)
        times["no-reuse"].append(seconds)
        seconds, path = trees.add("reuse")
        trees.reused(path)
        times["reuse"].append(seconds)
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--managers", default="uv,pip,poetry,pdm")
    args = parser.parse_args()
    kinds = [k for k in args.managers.split(",") if k]
    for tool in {"uv", *kinds} - {"pip"}:
        if not shutil.which(tool):
            sys.exit(f"{tool} is not on PATH (tests/setup/managers.sh installs it)")
    wheels = medium_wheelhouse()
    write_simple_index(wheels)
    index, server = serve(wheels)
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        {
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": str(wheels),
            "UV_NO_INDEX": "1",
            "UV_FIND_LINKS": str(wheels),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "POETRY_NO_INTERACTION": "1",
            "PDM_CHECK_UPDATE": "false",
            "PDM_NON_INTERACTIVE": "1",
        }
    )
    env.pop("VIRTUAL_ENV", None)
    packages = len(list(wheels.glob("*.whl"))) - 1  # less flit_core
    print(f"medium project: {packages} wheels in the wheelhouse; {args.rounds} rounds")
    print(f"{'manager':8} {'bare':>8} {'no-reuse':>9} {'reuse':>8} {'reuse/bare':>11}")
    failed = False
    with tempfile.TemporaryDirectory(prefix="seedbed-bench-") as tmp:
        for kind in kinds:
            times = bench(kind, Path(tmp), wheels, index, args.rounds, env)
            med = {k: statistics.median(v) for k, v in times.items()}
            ratio = med["reuse"] / med["bare"]
            mark = "" if med["reuse"] <= TARGET else "  (over the 2 s target)"
            failed |= med["reuse"] > TARGET
            print(
                f"{kind:8} {med['bare']:8.2f} {med['no-reuse']:9.2f} "
                f"{med['reuse']:8.2f} {ratio:10.2f}x{mark}",
                flush=True,
            )
    server.shutdown()  # type: ignore[attr-defined]
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
