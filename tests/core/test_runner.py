from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from seedbed.core import runner
from seedbed.core.types import Step


def test_exit_code_time_memory_and_output_tail(tmp_path: Path) -> None:
    code = "import sys; b = bytearray(60_000_000); print('hello'); sys.exit(3)"
    log = (tmp_path / "log").open("wb")
    result = runner.run_argv("probe", [sys.executable, "-c", code], log=log)
    log.close()
    assert result.exit_code == 3
    assert result.output_tail.strip() == "hello"
    assert result.peak_rss_kb > 50_000
    assert result.seconds > 0
    assert "$ " in (tmp_path / "log").read_text()


def test_timeout_kills_the_process_group() -> None:
    code = "import subprocess, time; subprocess.Popen(['sleep', '30']); time.sleep(30)"
    result = runner.run_argv("slow", [sys.executable, "-c", code], timeout=0.5)
    assert result.exit_code != 0
    assert result.seconds < 10
    assert "timed out" in result.output_tail


def test_missing_executable_is_127_with_a_message() -> None:
    result = runner.run_argv("nope", ["/no/such/tool"])
    assert result.exit_code == 127
    assert "cannot run /no/such/tool" in result.output_tail


def test_git_context_variables_do_not_leak_to_children(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("GIT_DIR", "/somewhere/else")
    monkeypatch.setenv("VIRTUAL_ENV", "/a/sibling/.venv")
    code = "import os; print(os.environ.get('GIT_DIR'), os.environ.get('VIRTUAL_ENV'))"
    result = runner.run_step(Step("env", (sys.executable, "-c", code)))
    assert result.output_tail.strip() == "None None"


def test_an_action_step_failure_is_the_steps_failure() -> None:
    def boom() -> None:
        raise OSError("disk full")

    result = runner.run_step(Step("write", action=boom))
    assert result.exit_code == 1 and "disk full" in result.output_tail


def test_a_daemon_holding_the_pipe_does_not_hold_the_step() -> None:
    argv = ["sh", "-c", "setsid sleep 8 & echo started"]
    result = runner.run_argv("daemon", argv, timeout=5)
    assert result.exit_code == 0
    assert result.seconds < 4
    assert "started" in result.output_tail


def test_sigterm_during_steps_interrupts_and_kills_the_step(tmp_path: Path) -> None:
    marker = tmp_path / "still-running"
    script = (
        "import sys\n"
        "sys.path.insert(0, sys.argv[1])\n"
        "from core import runner\n"
        "with runner.terminate_as_interrupt():\n"
        "    try:\n"
        "        argv = ['sh', '-c', 'sleep 3; touch ' + sys.argv[2]]\n"
        "        runner.run_argv('slow', argv)\n"
        "    except KeyboardInterrupt:\n"
        "        print('interrupted', flush=True)\n"
    )
    repo = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-c", script, str(repo), str(marker)],
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(1.0)
    os.kill(proc.pid, signal.SIGTERM)
    out, _ = proc.communicate(timeout=20)
    assert "interrupted" in out
    time.sleep(3)
    assert not marker.exists()  # the step's group went down with seedbed
