"""Run the tools the samples are made with (pip, uv, the frameworks'
generators, initdb), outside the test's own git, venv and offline settings."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


def outside_env(**extra: str) -> dict[str, str]:
    """os.environ without git's, the active venv's or the offline settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.pop("VIRTUAL_ENV", None)
    for name in ("PIP_NO_INDEX", "UV_NO_INDEX", "UV_FIND_LINKS"):
        env.pop(name, None)
    env.update(extra)
    return env


def run_tool(argv: list[str], cwd: Path | None = None, **env: str) -> str:
    """Run argv in outside_env(**env); its stdout, or an AssertionError."""
    out = subprocess.run(
        argv,
        cwd=cwd,
        capture_output=True,
        text=True,
        env=outside_env(**env),
        check=False,
        timeout=600,
    )
    if out.returncode != 0:
        raise AssertionError(f"{' '.join(argv)} failed:\n{out.stdout}\n{out.stderr}")
    return out.stdout
