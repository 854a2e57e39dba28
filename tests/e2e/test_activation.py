"""Activation on cd with `seedbed shell-init` in real interactive shells.

Each shell (bash, zsh, fish, nu) runs interactively on a pseudo-terminal, as a
user's would: the init script is sourced, the session cds into a worktree
seedbed set up (real uv, offline wheelhouse) and prints `python`'s path,
VIRTUAL_ENV and PORT, then cds out and prints them again. A stale worktree says
so in one line; a folder with a forged ready marker (no seal) is not activated.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import subprocess
import termios
import time
from pathlib import Path

import pytest

from tests.conftest import require, seedbed
from tests.factories.git import git
from tests.factories.projects import uv_project

SHELLS = {
    "bash": ["bash", "--norc", "--noprofile", "-i"],
    "zsh": ["zsh", "-f", "-i"],
    "fish": ["fish", "--no-config"],
    "nu": ["nu", "--no-config-file"],
}
ANSI = re.compile(  # CSI, OSC (BEL or ST), charset and save/restore sequences
    r"\x1b\[[0-9;? ]*[A-Za-z]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)"
    r"|\x1b[()][A-Z0-9]|\x1b[78]"
)


def drive(argv: list[str], lines: list[str], cwd: Path, timeout: float = 90) -> str:
    """Type lines into an interactive shell on a pseudo-terminal; its output."""
    master, slave = pty.openpty()

    def controlling_tty() -> None:
        os.setsid()
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    env = {**os.environ, "TERM": "xterm", "PORT": "77"}
    proc = subprocess.Popen(
        argv,
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=cwd,
        env=env,
        preexec_fn=controlling_tty,
    )
    os.close(slave)
    out = bytearray()
    deadline = time.monotonic() + timeout

    def pump(quiet: float) -> bool:
        """Read until the shell is quiet for `quiet` seconds; False at EOF."""
        last = time.monotonic()
        while time.monotonic() - last < quiet and time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(master, 65536)
            except OSError:
                return False
            if not data:
                return False
            out.extend(data)
            last = time.monotonic()
            if b"\x1b[6n" in data:  # a line editor asking where the cursor is
                os.write(master, b"\x1b[1;1R")
        return True

    try:
        pump(1.5)
        for line in [*lines, "exit"]:
            os.write(master, line.encode() + b"\r")
            if not pump(0.6):
                break
    finally:
        proc.kill()
        proc.wait()
        os.close(master)
    return ANSI.sub("", out.decode(errors="replace")).replace("\r", "")


def probe(shell: str) -> str:
    """A line printing MARK:<VIRTUAL_ENV>:<python>:<PORT> (the typed line
    itself never holds `MARK:`)."""
    if shell == "nu":
        return (
            "print $\"M('ARK'):($env.VIRTUAL_ENV? | default none):"
            '(which python | get 0.path):($env.PORT? | default none)"'
        )
    if shell == "fish":
        return (
            "printf 'M%s:%s:%s:%s\\n' ARK (set -q VIRTUAL_ENV; and echo $VIRTUAL_ENV;"
            " or echo none) (command -v python) $PORT"
        )
    return (
        "printf 'M%s:%s:%s:%s\\n' ARK \"${VIRTUAL_ENV:-none}\""
        ' "$(command -v python)" "$PORT"'
    )


def init_lines(shell: str, script: Path) -> list[str]:
    if shell in ("bash", "zsh"):
        return [f'eval "$(seedbed shell-init {shell})"']
    return [f"source {script}"]


def marks(output: str) -> list[list[str]]:
    return [line.split(":")[1:] for line in output.splitlines() if "MARK:" in line]


@pytest.fixture
def worktree(tmp_path: Path, offline: Path) -> Path:
    require("uv")
    main = uv_project(tmp_path / "proj", offline)
    (main / ".seedbed.toml").write_text('[resources]\nprovision = "always"\n')
    git("add", "-A", cwd=main)
    git("commit", "-q", "-m", "config", cwd=main)
    out = seedbed("setup", cwd=main)
    assert out.returncode == 0, out.stderr
    (main / "pkg").mkdir(exist_ok=True)
    return main


@pytest.mark.parametrize("shell", sorted(SHELLS))
def test_entering_activates_and_leaving_restores(
    shell: str, worktree: Path, tmp_path: Path
) -> None:
    require(SHELLS[shell][0])
    script = tmp_path / f"init.{shell}"
    script.write_text(seedbed("shell-init", shell, cwd=tmp_path).stdout)
    port = re.search(r"^PORT=(\d+)$", (worktree / ".env").read_text(), re.M)
    assert port, (worktree / ".env").read_text()
    outside = tmp_path / "outside"
    outside.mkdir()
    lines = [
        *init_lines(shell, script),
        probe(shell),
        f"cd {worktree / 'pkg'}",
        probe(shell),
        f"cd {outside}",
        probe(shell),
    ]
    output = drive(SHELLS[shell], lines, outside)
    found = marks(output)
    assert len(found) == 3, output
    before, inside, after = found
    venv = worktree / ".venv"
    assert before[0] == "none" and not before[1].startswith(str(venv)), output
    assert inside[:3] == [str(venv), str(venv / "bin" / "python"), port.group(1)], (
        output
    )
    assert after[0] == "none" and not after[1].startswith(str(venv)), output
    assert after[2] == "77", output  # the value from before entering, restored


@pytest.mark.parametrize("shell", sorted(SHELLS))
def test_stale_says_so_and_a_forged_marker_is_ignored(
    shell: str, worktree: Path, tmp_path: Path
) -> None:
    require(SHELLS[shell][0])
    script = tmp_path / f"init.{shell}"
    script.write_text(seedbed("shell-init", shell, cwd=tmp_path).stdout)
    # A folder that looks set up but was not (no seal in its git dir).
    forged = tmp_path / "forged"
    forged.mkdir()
    git("init", "-q", cwd=forged)
    (forged / ".seedbed").mkdir()
    (forged / ".seedbed" / "ready.json").write_text('{"env_dir": ".venv"}\n')
    (forged / ".venv" / "bin").mkdir(parents=True)
    (forged / ".venv" / "bin" / "python").write_text("#!/bin/sh\n")
    (forged / ".venv" / "bin" / "python").chmod(0o755)
    with (worktree / "pyproject.toml").open("a") as handle:
        handle.write("# changed\n")
    lines = [
        *init_lines(shell, script),
        f"cd {forged}",
        probe(shell),
        f"cd {worktree}",
        probe(shell),
    ]
    output = drive(SHELLS[shell], lines, tmp_path)
    found = marks(output)
    assert len(found) == 2, output
    assert found[0][0] == "none", output
    assert found[1][0] == str(worktree / ".venv"), output  # stale still activates
    stale = [line for line in output.splitlines() if "is stale" in line]
    assert len(stale) == 1 and stale[0].startswith("seedbed: proj:"), output


def test_completion_is_installed(tmp_path: Path) -> None:
    bash = subprocess.run(
        [
            "bash",
            "--norc",
            "-ic",
            'eval "$(seedbed shell-init bash)"; COMP_WORDS=(seedbed sh); '
            "COMP_CWORD=1; _seedbed_completion seedbed; "
            'printf "%s\\n" "${COMPREPLY[@]}"',
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert "shell-init" in bash.stdout.split(), bash.stderr
    fish = require("fish")
    out = subprocess.run(
        [
            fish,
            "--no-config",
            "-c",
            'seedbed shell-init fish | source; complete -C "seedbed ne"',
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert out.stdout.startswith("new"), out.stderr
    nu = require("nu")
    script = tmp_path / "init.nu"
    script.write_text(seedbed("shell-init", "nu", cwd=tmp_path).stdout)
    out = subprocess.run(
        [
            nu,
            "--no-config-file",
            "-c",
            f'source {script}; nu-complete seedbed "seedbed rm --fo" | to json -r',
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=False,
    )
    assert "--force" in out.stdout, out.stderr
