"""What every figure of benchmarks/run shares: timing, pairing, projects, worktrees.

A figure is a seedbed measurement and its anchor (what a user would type without
seedbed), timed in the same run: `pair` runs one warm-up of each (not counted),
then alternates which of the two goes first in each round.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
WHEELS = REPO / ".cache" / "wheels-web"
BIN = Path(sys.executable).parent
SEEDBED = [str(BIN / "seedbed")] if (BIN / "seedbed").exists() else ["seedbed"]
GIT = ["git", "-c", "user.name=b", "-c", "user.email=b@b.invalid"]
DEPS = ("flask", "jinja2", "click", "pydantic", "sqlalchemy", "fastapi", "uvicorn")
UV_PYPROJECT = """\
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


def within(factor: float, plus: float = 0.0) -> Callable[[float, float], bool]:
    return lambda ours, base: ours <= factor * base + plus


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> str:
    out = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, check=False)
    if out.returncode != 0:
        text = (out.stdout + out.stderr).decode(errors="replace")[-2000:]
        sys.exit(f"{' '.join(argv)} failed in {cwd}:\n{text}")
    return out.stdout.decode(errors="replace")


def timed(argv: list[str], cwd: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    run(argv, cwd, env)
    return time.perf_counter() - start


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


def base_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.pop("VIRTUAL_ENV", None)
    env.update(
        {
            "UV_NO_INDEX": "1",
            "UV_FIND_LINKS": str(WHEELS),
            "PIP_NO_INDEX": "1",
            "PIP_FIND_LINKS": str(WHEELS),
            "PIP_DISABLE_PIP_VERSION_CHECK": "1",
            "POETRY_NO_INTERACTION": "1",
            "PDM_CHECK_UPDATE": "false",
            "PDM_NON_INTERACTIVE": "1",
        }
    )
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # the goals are with cached bytecode
    return env


def commit(path: Path, env: dict[str, str], message: str = "bench") -> None:
    run(["git", "add", "-A"], path, env)
    run([*GIT, "commit", "-q", "-m", message], path, env)


def uv_project(root: Path, name: str, env: dict[str, str]) -> Path:
    """A uv project of DEPS, locked and committed on main (not set up yet)."""
    path = root / name
    path.mkdir()
    deps = ", ".join(f'"{d}"' for d in DEPS)
    (path / "pyproject.toml").write_text(UV_PYPROJECT.format(deps=deps))
    run(["uv", "lock", "--offline", "-q"], path, env)
    run(["git", "init", "-q", "-b", "main"], path, env)
    commit(path, env)
    return path


def adopt(main: Path, env: dict[str, str]) -> Path:
    """What a user does once: set up the main worktree (warms every cache) and
    install the hooks, so each later `git worktree add` prepares itself."""
    run([*SEEDBED, "setup"], main, env)
    run([*SEEDBED, "hooks", "install"], main, env)
    return main


def site_packages(worktree: Path, venv: str = ".venv") -> Path:
    return next((worktree / venv / "lib").glob("python*/site-packages"))


def setup_rows(main: Path) -> list[dict[str, object]]:
    """The setup runs recorded in the repository's metrics store."""
    import sqlite3

    with sqlite3.connect(main / ".git" / "seedbed" / "metrics.db") as conn:
        found = conn.execute(
            "SELECT worktree_path, detail FROM runs WHERE kind = 'setup' ORDER BY id"
        ).fetchall()
    return [{"worktree": w, **json.loads(d or "{}")} for w, d in found]


class Worktrees:
    """Linked worktrees of one repository, added as a user adds them: with the
    installed post-checkout hook (seedbed) or with SEEDBED_SKIP=1 (bare git)."""

    def __init__(self, main: Path, env: dict[str, str]) -> None:
        self.main, self.env, self.count = main, env, 0

    def path(self, label: str) -> Path:
        self.count += 1
        return self.main.parent / f"{self.main.name}-{label}{self.count}"

    def add_argv(self, path: Path) -> list[str]:
        return ["git", "worktree", "add", "-q", str(path), "-b", path.name]

    def add(self, label: str = "s", **extra: str) -> tuple[float, Path]:
        """`git worktree add` with the hook: timed until the hook is done."""
        path = self.path(label)
        seconds = timed(self.add_argv(path), self.main, {**self.env, **extra})
        check_ready([path])
        return seconds, path

    def bare(self, label: str = "b") -> tuple[float, Path]:
        path = self.path(label)
        env = {**self.env, "SEEDBED_SKIP": "1"}
        return timed(self.add_argv(path), self.main, env), path

    def reused(self, path: Path, expected: bool = True) -> None:
        """Exit unless path's last setup built its environment from a sibling's
        (or, expected=False, did not)."""
        rows = [r for r in setup_rows(self.main) if r["worktree"] == str(path)]
        if not rows or (rows[-1].get("reuse") == "ok") != expected:
            sys.exit(f"{path}: reuse is not {expected}: {rows[-1:]}")


def check_ready(paths: Iterable[Path]) -> None:
    """Exit unless each worktree has seedbed's ready marker (written last)."""
    for path in paths:
        if not (path / ".seedbed" / "ready.json").is_file():
            sys.exit(f"{path}: the hook did not leave the worktree ready")
