"""Time to a running pod, with the image present: one at a time, and N=5 at once.

    python benchmarks/bench_pods.py [--rounds 5] [--base-image NAME]

Needs the Docker engine and a local base image (tests/setup/docker.sh makes
seedbed-test-base:bookworm). It builds a throw-away project in a temp folder,
builds the pod image once (not timed), then measures:

  * single: `seedbed pod up 1`, ROUNDS times: the pod's own time (create to
    ready, as recorded in the metrics) and the command's wall time;
  * parallel: `seedbed pod up 5`, ROUNDS times: each pod's time and the wall time.

"Ready" means the pod's environment exists and it waits for work, which is
what `pod up` waits for. Target: under 2 s per pod (the seed environment this
replaces quotes about 5 s). Every pod it makes is removed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TARGET_SECONDS = 2.0
SEEDBED = [sys.executable, "-m", "seedbed.core"]
POD_UID = 4321  # running as root, the project belongs to this user (as in tests)


def run(argv: list[str], cwd: Path, env: dict[str, str]) -> str:
    out = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        sys.exit(
            f"{' '.join(argv)} failed ({out.returncode}):\n{out.stdout}{out.stderr}"
        )
    return out.stdout


def make_project(root: Path, base_image: str, env: dict[str, str]) -> Path:
    project = root / "bench-project"
    (project / "src" / "bench").mkdir(parents=True)
    (project / "src" / "bench" / "__init__.py").write_text("VALUE = 1\n")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "bench"\nversion = "0"\n\n'
        f"[tool.seedbed.pod]\nbase_image = {json.dumps(base_image)}\n"
        "max_per_command = 5\nmax_total = 15\nmax_per_env = 5\n"
    )
    for argv in (
        ["git", "init", "-q", "-b", "main"],
        ["git", "add", "-A"],
        [
            "git",
            "-c",
            "user.name=bench",
            "-c",
            "user.email=b@b.invalid",
            "commit",
            "-q",
            "-m",
            "bench",
        ],
    ):
        run(argv, project, env)
    if os.getuid() == 0:
        for path in [project, *project.rglob("*")]:
            os.chown(path, POD_UID, POD_UID, follow_symlinks=False)
    return project


def up(project: Path, count: int, env: dict[str, str]) -> tuple[float, list[float]]:
    started = time.perf_counter()
    made = json.loads(run([*SEEDBED, "pod", "up", str(count), "--json"], project, env))
    wall = time.perf_counter() - started
    run([*SEEDBED, "pod", "down", "--all"], project, env)
    return wall, [float(item["seconds"]) for item in made["pods"]]


def describe(label: str, values: list[float]) -> str:
    return (
        f"{label:<34} median {statistics.median(values):5.2f} s"
        f"  min {min(values):5.2f}  max {max(values):5.2f}  (n={len(values)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--base-image", default="seedbed-test-base:bookworm")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="seedbed-bench-pods-") as folder:
        root = Path(folder)
        gitconfig = root / "gitconfig"
        # The project belongs to another user when run as root; git must accept it.
        gitconfig.write_text("[safe]\n\tdirectory = *\n")
        repo_root = str(Path(__file__).resolve().parent.parent)
        env = {
            **os.environ,
            "GIT_CONFIG_GLOBAL": str(gitconfig),
            "SEEDBED_HOME": str(root / "home"),
            "PYTHONPATH": repo_root,
        }
        project = make_project(root, options.base_image, env)
        try:
            up(project, 1, env)  # builds the image when missing: not timed
            single_pod, single_wall = [], []
            parallel_pod, parallel_wall = [], []
            # Interleaved, so drift in disk or CPU load hits both alike.
            for _ in range(options.rounds):
                wall, pods = up(project, 1, env)
                single_wall.append(wall)
                single_pod.extend(pods)
                wall, pods = up(project, 5, env)
                parallel_wall.append(wall)
                parallel_pod.extend(pods)
        finally:
            subprocess.run(
                [*SEEDBED, "pod", "down", "--all"],
                cwd=project,
                env=env,
                check=False,
                capture_output=True,
            )
            shutil.rmtree(project, ignore_errors=True)

    print(f"seedbed pods: time to a ready pod, image present ({os.cpu_count()} CPUs)")
    print(describe("1 pod: pod time (create→ready)", single_pod))
    print(describe("1 pod: `pod up 1` wall", single_wall))
    print(describe("5 in parallel: each pod's time", parallel_pod))
    print(describe("5 in parallel: `pod up 5` wall", parallel_wall))
    worst = max(statistics.median(single_pod), statistics.median(parallel_pod))
    verdict = "meets" if worst < TARGET_SECONDS else "MISSES"
    print(f"target < {TARGET_SECONDS:.0f} s per pod: {verdict} ({worst:.2f} s)")
    return 0 if worst < TARGET_SECONDS else 1


if __name__ == "__main__":
    raise SystemExit(main())
