"""Every ratio of issue 15, each against its anchor measured in the same run.

    benchmarks/run [--rounds 3] [--only uv,pip,poetry,pdm,django,cli,metrics,...]

Offline: the projects install from the local wheelhouse .cache/wheels-web
(tests/factories/wheels.py fills it), through the managers' own caches. Each project's
main worktree is set up and `seedbed hooks install` run first, as a user does;
the seedbed figures are then what users run (`git worktree add`, `git checkout`
with the hook), the anchors the same git command with SEEDBED_SKIP=1 plus the
package manager by hand. Each figure is measured as a pair: one warm-up of each
side (not counted), then rounds that alternate which side goes first. Reported:
medians, the ratio seedbed/anchor, whether the goal holds; the Markdown table at
the end is the README's performance table.

The groups live in small modules beside this one: ratio_uv (new worktrees,
`seedbed run`, checkouts), ratio_managers (pip, poetry, pdm), ratio_django,
ratio_cli (start-up, metrics), ratio_scale (50 worktrees, 20 at once).
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from ratio_cli import bench_cli, bench_metrics
from ratio_django import bench_django
from ratio_kit import REPO, WHEELS, Figure, base_env
from ratio_managers import bench_managers
from ratio_scale import bench_scale
from ratio_uv import bench_uv

# The groups import tests.* (sample builders) and seedbed.* when they run.
sys.path.insert(0, str(REPO))

Bench = Callable[[Path, int, dict[str, str]], list[Figure]]
MANAGERS = ("pip", "poetry", "pdm")
GROUPS = ("uv", *MANAGERS, "django", "cli", "metrics", "conda", "scale")
# scale runs by default: its 50 adds took 30–50 s here (the limit for the
# default run is 2 minutes); `--only` without it leaves it out.
DEFAULT = ",".join(GROUPS)


def manager(kind: str) -> Bench:
    def bench(root: Path, rounds: int, env: dict[str, str]) -> list[Figure]:
        return bench_managers(root, rounds, env, [kind])

    return bench


BENCHES: dict[str, Bench] = {
    "uv": bench_uv,
    **{kind: manager(kind) for kind in MANAGERS},
    "django": bench_django,
    "cli": bench_cli,
    "metrics": bench_metrics,
    "scale": bench_scale,
}


def table(figures: list[Figure]) -> list[str]:
    header = ("what", "seedbed", "anchor", "ratio", "goal met?")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return lines + ["| " + " | ".join(f.row()) + " |" for f in figures]


def missing_tool(name: str) -> str:
    if name in ("poetry", "pdm") and not shutil.which(name):
        return f"{name}: not measured ({name} not on PATH; tests/setup/managers.sh)"
    if name == "conda":
        if shutil.which("conda") or shutil.which("mamba"):
            return "conda: see tests/e2e/test_managers_conda.py (clone + repoint)"
        return (
            "conda, second worktree: not measured (no conda here); the steps are "
            "the clone and the repointed editable install, tested"
        )
    return ""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", default=DEFAULT, help=f"of: {','.join(GROUPS)}")
    args = parser.parse_args()
    wanted = [g for g in GROUPS if g in args.only.split(",")]
    unknown = set(args.only.split(",")) - set(GROUPS)
    if unknown:
        parser.error(f"unknown group {', '.join(sorted(unknown))}")
    if not any(WHEELS.glob("flask-*.whl")):
        sys.exit(f"{WHEELS} has no wheels: run the web tests once to fill it")
    env = base_env()
    figures: list[Figure] = []
    notes: list[str] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="seedbed-ratios-") as tmp:
        root = Path(tmp)
        (root / "config.toml").write_text("")
        env["SEEDBED_CONFIG"] = str(root / "config.toml")
        env["XDG_CONFIG_HOME"] = str(root / "config")
        for name in wanted:
            note = missing_tool(name)
            if note:
                notes.append(note)
                continue
            began = time.perf_counter()
            figures.extend(BENCHES[name](root, args.rounds, env))
            print(f"# {name}: {time.perf_counter() - began:.0f} s", flush=True)
    total = time.perf_counter() - started
    print(f"# all: {total:.0f} s, {args.rounds} rounds\n")
    print("\n".join(table(figures)))
    for note in notes:
        print(f"\n{note}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
