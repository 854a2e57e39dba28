"""Every ratio of issue 15, each against its anchor measured in the same run.

    benchmarks/run [--rounds 3] [--only uv,pip,run,cli,metrics,conda]

Offline: the projects install from the local wheelhouse .cache/wheels-web
(tests/web_samples.py fills it), through uv's own cache. Each round runs the
seedbed figure and its anchor back to back, alternating which goes first; a
warm-up round before them is not counted. Reported: medians, the ratio
seedbed/anchor, and whether the goal holds; the Markdown table at the end is the
README's performance table.
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
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
WHEELS = REPO / ".cache" / "wheels-web"
BIN = Path(sys.executable).parent
SEEDBED = [str(BIN / "seedbed")] if (BIN / "seedbed").exists() else ["seedbed"]
DEPS = ("flask", "jinja2", "click", "pydantic", "sqlalchemy", "fastapi", "uvicorn")
PYPROJECT = """\
[project]
name = "bench-app"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = [{deps}]

[tool.uv]
package = false
"""


@dataclass
class Figure:
    what: str
    anchor_name: str
    goal: Callable[[float, float], bool]
    goal_text: str
    seedbed: list[float]
    anchor: list[float]

    def row(self) -> tuple[str, str, str, str, str]:
        ours, base = statistics.median(self.seedbed), statistics.median(self.anchor)
        ratio = ours / base if base else float("inf")
        met = "yes" if self.goal(ours, base) else "no"
        return (
            self.what,
            f"{ours:.3f} s",
            f"{self.anchor_name} {base:.3f} s",
            f"{ratio:.2f}",
            f"{met} ({self.goal_text})",
        )


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    out = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)
    seconds = time.perf_counter() - start
    if out.returncode != 0:
        text = (out.stdout + out.stderr).decode(errors="replace")[-2000:]
        sys.exit(f"{' '.join(argv)} failed in {cwd}:\n{text}")
    return seconds


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.pop("VIRTUAL_ENV", None)
    env.update(
        {
            "UV_NO_INDEX": "1",
            "UV_FIND_LINKS": str(WHEELS),
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": str(WHEELS),
        }
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the goals are with cached bytecode
    return env


def project(root: Path, kind: str, env: dict[str, str]) -> Path:
    path = root / kind
    path.mkdir()
    deps = ", ".join(f'"{d}"' for d in DEPS)
    if kind == "uv":
        (path / "pyproject.toml").write_text(PYPROJECT.format(deps=deps))
        timed(["uv", "lock", "--offline", "-q"], path, env)
    else:
        (path / "requirements.txt").write_text("\n".join(DEPS) + "\n")
    git = ["git", "-c", "user.name=b", "-c", "user.email=b@b.invalid"]
    timed(["git", "init", "-q", "-b", "main"], path, env)
    timed(["git", "add", "-A"], path, env)
    timed([*git, "commit", "-q", "-m", "bench"], path, env)
    timed([*SEEDBED, "setup"], path, env)  # the main worktree: warm caches
    return path


class Worktrees:
    def __init__(self, main: Path, env: dict[str, str]) -> None:
        self.main, self.env, self.count = main, env, 0

    def add(self) -> tuple[float, Path]:
        self.count += 1
        path = self.main.parent / f"{self.main.name}-{self.count}"
        argv = ["git", "worktree", "add", "-q", str(path), "-b", f"b{self.count}"]
        seconds = timed(argv, self.main, {**self.env, "SEEDBED_SKIP": "1"})
        return seconds, path


def pair(
    rounds: int, ours: Callable[[], float], anchor: Callable[[], float]
) -> tuple[list[float], list[float]]:
    ours(), anchor()  # warm-up, not counted
    a: list[float] = []
    b: list[float] = []
    for i in range(rounds):
        if i % 2:
            b.append(anchor())
            a.append(ours())
        else:
            a.append(ours())
            b.append(anchor())
    return a, b


def bench_uv(root: Path, rounds: int, env: dict[str, str]) -> list[Figure]:
    main = project(root, "uv", env)
    trees = Worktrees(main, env)

    def bare() -> float:
        seconds, path = trees.add()
        return seconds + timed(["uv", "sync", "--frozen"], path, env)

    def seedbed(reuse: bool) -> Callable[[], float]:
        def go() -> float:
            seconds, path = trees.add()
            extra = {} if reuse else {"SEEDBED_REUSE": "false"}
            return seconds + timed([*SEEDBED, "setup"], path, {**env, **extra})

        return go

    first = pair(rounds, seedbed(False), bare)
    second = pair(rounds, seedbed(True), bare)
    run_argv = ["python", "-c", "pass"]
    run = pair(
        rounds * 3,
        lambda: timed([*SEEDBED, "run", "--", *run_argv], main, env),
        lambda: timed(["uv", "run", "--frozen", "--", *run_argv], main, env),
    )
    return [
        Figure(
            f"uv project, {len(DEPS)} direct deps, first worktree (add + setup)",
            "add + `uv sync --frozen`",
            lambda s, a: s <= 1.1 * a + 0.1,
            "≤ 1.1× + 0.1 s",
            *first,
        ),
        Figure(
            "uv project, second worktree (reuse)",
            "add + `uv sync --frozen`",
            lambda s, a: s <= a,
            "≤ 1×",
            *second,
        ),
        Figure(
            "`seedbed run -- python -c pass`",
            "`uv run --frozen -- python -c pass`",
            lambda s, a: s <= a,
            "≤ 1×",
            *run,
        ),
    ]


def bench_pip(root: Path, rounds: int, env: dict[str, str]) -> list[Figure]:
    main = project(root, "pip", env)
    trees = Worktrees(main, env)

    def anchor() -> float:
        seconds, path = trees.add()
        seconds += timed(["uv", "venv", "-q", ".venv"], path, env)
        install = ["uv", "pip", "install", "-q", "--offline", "-r", "requirements.txt"]
        return seconds + timed(install, path, env)

    def ours() -> float:
        seconds, path = trees.add()
        return seconds + timed([*SEEDBED, "setup"], path, env)

    return [
        Figure(
            "pip project, second worktree (reuse)",
            "add + `uv venv` + `uv pip install --offline -r`",
            lambda s, a: s <= 1.2 * a,
            "≤ 1.2×",
            *pair(rounds, ours, anchor),
        )
    ]


def bench_cli(root: Path, rounds: int, env: dict[str, str]) -> list[Figure]:
    main = root / "uv" if (root / "uv").exists() else project(root, "uv", env)
    python = [sys.executable, "-c", "pass"]
    figures = []
    for args, limit in ((["--help"], 0.100), (["status"], 0.060)):
        ours, base = pair(
            rounds * 3,
            lambda args=args: timed([*SEEDBED, *args], main, env),
            lambda: timed(python, main, env),
        )
        figures.append(
            Figure(
                f"`seedbed {args[0]}`",
                "`python -c pass`",
                lambda s, a, limit=limit: s <= limit,
                f"≤ {limit * 1000:.0f} ms",
                ours,
                base,
            )
        )
    return figures


def bench_metrics(root: Path, rounds: int, env: dict[str, str]) -> list[Figure]:
    from seedbed.core.metrics import store_path

    from tests.metrics_factory import synthetic_store

    repo = root / "metrics"
    repo.mkdir()
    timed(["git", "init", "-q", "-b", "main"], repo, env)
    store = store_path(repo / ".git")
    store.parent.mkdir(parents=True, exist_ok=True)
    synthetic_store(store, runs=100_000)
    sql = "SELECT * FROM runs ORDER BY started_at, id"
    ours, base = pair(
        rounds,
        lambda: timed([*SEEDBED, "metrics", "--json"], repo, env),
        lambda: timed(["sqlite3", "-json", str(store), sql], repo, env),
    )
    return [
        Figure(
            "`seedbed metrics --json`, 100k runs",
            "`sqlite3 -json`, same rows",
            lambda s, a: s <= 1.5 * a,
            "≤ 1.5×",
            ours,
            base,
        )
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default="uv,pip,cli,metrics,conda")
    args = parser.parse_args()
    wanted = set(args.only.split(","))
    if not any(WHEELS.glob("flask-*.whl")):
        sys.exit(f"{WHEELS} has no wheels: run the web tests once to fill it")
    env = base_env()
    figures: list[Figure] = []
    notes: list[str] = []
    with tempfile.TemporaryDirectory(prefix="seedbed-ratios-") as tmp:
        root = Path(tmp)
        (root / "config.toml").write_text("")
        env["SEEDBED_CONFIG"] = str(root / "config.toml")
        env["XDG_CONFIG_HOME"] = str(root / "config")
        for name, bench in (
            ("uv", bench_uv),
            ("pip", bench_pip),
            ("cli", bench_cli),
            ("metrics", bench_metrics),
        ):
            if name in wanted:
                started = time.perf_counter()
                figures.extend(bench(root, args.rounds, env))
                print(f"# {name}: {time.perf_counter() - started:.0f} s", flush=True)
    if "conda" in wanted:
        if shutil.which("conda") or shutil.which("mamba"):
            notes.append("conda: see tests/plugins/managers (clone + repoint)")
        else:
            notes.append(
                "conda, second worktree: not measured (no conda here); the "
                "steps are the clone and the repointed editable install, tested"
            )
    header = ("what", "seedbed", "anchor", "ratio", "goal met?")
    print("\n| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for figure in figures:
        print("| " + " | ".join(figure.row()) + " |")
    for note in notes:
        print(f"\n{note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
