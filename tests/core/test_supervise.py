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
