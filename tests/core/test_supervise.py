"""core.supervise: foreground children, their outcome and forwarded signals."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from pathlib import Path

import pytest
from seedbed.core import supervise
from seedbed.core.errors import CommandNotFound


def test_captures_output_and_the_exit_status(tmp_path: Path) -> None:
    code = "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"
    done = supervise.foreground(
        [sys.executable, "-c", code],
        dict(os.environ),
        tmp_path,
        capture_stdout=True,
        capture_stderr=True,
    )
    assert (done.exit_code, done.stdout, done.stderr) == (3, "out\n", "err\n")
    assert done.seconds > 0 and done.peak_rss_kb > 0 and not done.interrupted


def test_a_large_output_does_not_block_the_child(tmp_path: Path) -> None:
    code = "import sys; sys.stdout.write('x' * 1_000_000)"
    done = supervise.foreground(
        [sys.executable, "-c", code], dict(os.environ), capture_stdout=True
    )
    assert done.exit_code == 0 and len(done.stdout) == 1_000_000


def test_a_missing_program_is_command_not_found() -> None:
    with pytest.raises(CommandNotFound):
        supervise.foreground(["no-such-program-here"], dict(os.environ))


def test_killed_by_a_signal_reads_as_a_shell_would() -> None:
    code = "import os, signal; os.kill(os.getpid(), signal.SIGKILL)"
    done = supervise.foreground([sys.executable, "-c", code], dict(os.environ))
    assert done.exit_code == 128 + signal.SIGKILL


def test_a_term_to_seedbed_reaches_the_childs_own_group(tmp_path: Path) -> None:
    marker = tmp_path / "started"
    code = (
        "import pathlib, signal, sys, time\n"
        "signal.signal(signal.SIGTERM, lambda *_: sys.exit(7))\n"
        f"pathlib.Path({str(marker)!r}).touch()\n"
        "time.sleep(30)\n"
    )

    def term_when_started() -> None:
        deadline = time.monotonic() + 20
        while not marker.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=term_when_started, daemon=True).start()
    done = supervise.foreground(
        [sys.executable, "-c", code], dict(os.environ), own_group=True
    )
    assert done.exit_code == 7
    # seedbed's own TERM handling is back once the child is gone.
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_a_child_here_gets_no_descriptor_and_default_sigpipe(tmp_path: Path) -> None:
    # Started with posix_spawn (no capture, seedbed's own folder), as
    # subprocess would start it: no inherited descriptor beyond 0-2, and
    # SIGPIPE (which Python ignores) back at its default.
    out = tmp_path / "status"
    read_end, write_end = os.pipe()
    os.set_inheritable(write_end, True)
    script = (
        f"[ -e /proc/$$/fd/{write_end} ] && exit 5; grep SigIgn /proc/$$/status > {out}"
    )
    try:
        done = supervise.foreground(["sh", "-c", script], dict(os.environ))
    finally:
        os.close(read_end)
        os.close(write_end)
    assert done.exit_code == 0  # 5: the descriptor leaked
    ignored = int(out.read_text().split()[1], 16)
    assert not ignored & (1 << (signal.SIGPIPE - 1))


def test_the_program_is_looked_up_on_the_childs_path(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "not-runnable").write_text("#!/bin/sh\nexit 0\n")
    script = bin_dir / "hello-seedbed"
    script.write_text("#!/bin/sh\necho here\nexit 4\n")
    script.chmod(0o755)
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    assert supervise.foreground(["hello-seedbed"], env).exit_code == 4
    assert supervise.start(["hello-seedbed"], dict(os.environ)) is None
    with pytest.raises(PermissionError):
        supervise.start(["not-runnable"], env)
    with pytest.raises(PermissionError):
        supervise.start([str(bin_dir / "not-runnable")], env)


def test_meanwhile_runs_while_the_child_does(tmp_path: Path) -> None:
    seen: list[bool] = []
    marker = tmp_path / "done"
    code = (
        f"import pathlib, time; time.sleep(0.3); pathlib.Path({str(marker)!r}).touch()"
    )

    def meanwhile() -> None:
        seen.append(marker.exists())

    child = supervise.start([sys.executable, "-c", code], os.environ)
    assert child is not None
    assert child.wait(meanwhile=meanwhile).exit_code == 0
    assert seen == [False] and marker.exists()


def test_another_folder_and_its_relative_program(tmp_path: Path) -> None:
    script = tmp_path / "here.sh"
    script.write_text("#!/bin/sh\npwd\n")
    script.chmod(0o755)
    done = supervise.foreground(
        ["./here.sh"], dict(os.environ), tmp_path, capture_stdout=True
    )
    assert (done.exit_code, done.stdout.strip()) == (0, str(tmp_path))
    with pytest.raises(CommandNotFound):
        supervise.foreground(["./here.sh"], dict(os.environ))  # not from here
