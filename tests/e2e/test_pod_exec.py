"""`seedbed pod exec -i/-t` and `pod stats` units, against the real engine
(fixtures from test_pods: the engine, the offline base image, a project)."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import time
from pathlib import Path
from typing import Any

from tests.conftest import BIN
from tests.e2e.test_pods import pod, pod_project, up  # noqa: F401

SEEDBED = [str(BIN / "seedbed")]


def piped(cwd: Path, stdin: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*SEEDBED, "pod", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_exec_forwards_stdin_with_i(pod_project: Path) -> None:  # noqa: F811
    (name,) = [item["name"] for item in up(pod_project, 1)]
    out = piped(pod_project, "print(1)\n", "exec", name, "-i", "--", "python")
    assert out.returncode == 0, out.stderr
    assert out.stdout == "1\n"
    # -it before the name is two flags, not a pod name; -i alone keeps the
    # command's stderr apart and its exit code.
    both = piped(
        pod_project,
        "import sys; print('err', file=sys.stderr); sys.exit(3)\n",
        "exec",
        "-i",
        name,
        "--",
        "python",
    )
    assert both.returncode == 3 and both.stderr.strip().endswith("err")
    assert both.stdout == ""
    # Without -i stdin is not forwarded (as docker exec).
    closed = piped(pod_project, "print(1)\n", "exec", name, "--", "python")
    assert closed.returncode == 0 and closed.stdout == ""


def test_exec_it_gives_a_terminal_when_the_caller_has_one(
    pod_project: Path,  # noqa: F811
) -> None:
    (name,) = [item["name"] for item in up(pod_project, 1)]
    probe = "import os, sys; print('tty', os.isatty(0), os.isatty(1)); print(input())"
    pid, fd = pty.fork()
    if pid == 0:  # the child: seedbed with a real terminal as stdin/stdout
        os.chdir(pod_project)
        os.execv(
            SEEDBED[0],
            [*SEEDBED, "pod", "exec", "-it", name, "--", "python", "-c", probe],
        )
    output = b""
    sent = False
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 1)
        if not ready:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed its terminal
            break
        if not chunk:
            break
        output += chunk
        if not sent and b"tty True True" in output:
            os.write(fd, b"typed\r")
            sent = True
    _, status = os.waitpid(pid, 0)
    text = output.decode(errors="replace")
    assert os.waitstatus_to_exitcode(status) == 0, text
    assert "tty True True" in text and "typed" in text.split("tty True True")[1]


def test_stats_shows_units(pod_project: Path) -> None:  # noqa: F811
    (name,) = [item["name"] for item in up(pod_project, 1)]
    text = pod("stats", cwd=pod_project)
    assert text.returncode == 0, text.stderr
    row = next(line for line in text.stdout.splitlines() if line.startswith(name))
    assert "%" in row and "MiB of 1024.0 MiB" in row and " of 256" in row
    figures: Any = json.loads(pod("stats", "--json", cwd=pod_project).stdout)
    assert list(figures) == ["pods"]
    (item,) = figures["pods"]
    assert isinstance(item["memory_bytes"], int)
    assert isinstance(item["cpu_percent"], float)
    listed = json.loads(pod("ls", "--json", cwd=pod_project).stdout)
    assert list(listed) == ["pods"]
    assert listed["pods"][0]["created"].endswith("+00:00")
