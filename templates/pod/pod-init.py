"""Runs inside a seedbed pod: make the workspace's environment, say so, then wait.

Standard library only (it runs on whatever python3 the base image has).

The environment is a venv on the pod's tmpfs ($SEEDBED_VENV), never the
worktree's own .venv: that one belongs to the host and its interpreter paths
mean nothing here. It is made without pip (ensurepip costs seconds and the pod
has no network by default) and with the system site-packages visible, so tools
installed in the image (pip, pytest) are usable. The worktree's code is made
importable by a .pth file (its src/ folder when there is one, else its root),
which is what an editable install amounts to, without needing a build backend.
When the worktree has a non-empty requirements.txt, it is installed with the
image's pip (that needs network = true or a reachable index).

The last line it prints before waiting is the readiness marker seedbed waits
for; any failure before it exits non-zero with the reason on stderr.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import venv
from pathlib import Path

READY_MARKER = "seedbed-pod: ready"


def fail(message: str) -> None:
    print(f"seedbed-pod: error: {message}", file=sys.stderr, flush=True)
    sys.exit(3)


def import_roots(worktree: Path) -> list[Path]:
    source = worktree / "src"
    return [source] if source.is_dir() else [worktree]


def wanted_requirements(worktree: Path) -> Path | None:
    requirements = worktree / "requirements.txt"
    if not requirements.is_file():
        return None
    lines = requirements.read_text().splitlines()
    meaningful = [line for line in lines if line.strip() and not line.startswith("#")]
    return requirements if meaningful else None


def make_environment(environment: Path, worktree: Path) -> None:
    builder = venv.EnvBuilder(system_site_packages=True, with_pip=False, symlinks=True)
    builder.create(environment)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    site_packages = environment / "lib" / version / "site-packages"
    roots = "\n".join(str(root) for root in import_roots(worktree))
    (site_packages / "seedbed-worktree.pth").write_text(roots + "\n")
    requirements = wanted_requirements(worktree)
    if requirements is None or os.environ.get("SEEDBED_INSTALL") == "0":
        return
    python = environment / "bin" / "python"
    argv = [str(python), "-m", "pip", "install", "--no-input", "-r", str(requirements)]
    if subprocess.run(argv, check=False).returncode != 0:
        fail(f"installing {requirements} failed (see above)")


def main() -> None:
    started = time.monotonic()
    worktree = Path(os.environ["SEEDBED_WORKTREE"])
    environment = Path(os.environ["SEEDBED_VENV"])
    if not worktree.is_dir():
        fail(f"the worktree {worktree} is not mounted")
    try:
        make_environment(environment, worktree)
    except OSError as exc:
        fail(f"creating the environment at {environment}: {exc}")
    seconds = time.monotonic() - started
    print(f"{READY_MARKER} in {seconds:.3f} s", flush=True)
    # Wait for `docker stop` (forwarded by the init process) and leave at once,
    # so removing a pod never waits out the engine's stop timeout.
    stop_signals = {signal.SIGTERM, signal.SIGINT, signal.SIGHUP}
    signal.pthread_sigmask(signal.SIG_BLOCK, stop_signals)
    signal.sigwait(stop_signals)


if __name__ == "__main__":
    main()
