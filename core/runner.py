"""The only place seedbed starts processes.

argv lists only (never a shell), an explicit environment, a timeout, wall time,
CPU time and the child's peak memory (from wait4), output to a log file with a
tail kept for error messages, and cancellation: the child runs in its own process
group, which is killed when seedbed is interrupted or the timeout passes.
"""

from __future__ import annotations

import collections
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

from seedbed.core.errors import SeedbedError
from seedbed.core.quickstate import clean_git_env
from seedbed.core.types import Step, StepResult

TAIL_LINES = 30
# How long output may trail a step that has exited (its daemons keep the pipe).
OUTPUT_GRACE = 2.0


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = clean_git_env()
    env.pop("VIRTUAL_ENV", None)  # the caller's env must not leak into a worktree's
    if extra:
        env.update(extra)
    return env


def run_step(
    step: Step,
    log: IO[bytes] | None = None,
    echo: bool = False,
    default_timeout: float | None = None,
    track: Path | None = None,
) -> StepResult:
    """track: a file that names the running step's process group while it
    runs, so the next setup can stop it if seedbed itself was killed."""
    if step.action is not None:
        return _run_action(step, log)
    return run_argv(
        step.name,
        step.argv,
        cwd=step.cwd,
        env=child_env(step.env),
        timeout=step.timeout or default_timeout,
        log=log,
        echo=echo,
        labels=step.labels,
        track=track,
    )


def _run_action(step: Step, log: IO[bytes] | None) -> StepResult:
    assert step.action is not None
    start = time.perf_counter()
    try:
        step.action()
        code, message = 0, ""
    except SeedbedError as exc:  # keep the documented code and the hint
        code = exc.exit_code
        message = exc.message + (f"\n{exc.hint}" if exc.hint else "")
    except Exception as exc:  # an action's failure is the step's failure
        code, message = 1, f"{type(exc).__name__}: {exc}"
        if log:
            log.write(f"{step.name}: {message}\n".encode())
    return StepResult(
        step.name,
        (),
        time.perf_counter() - start,
        code,
        output_tail=message,
        labels=step.labels,
    )


def run_argv(
    name: str,
    argv: Sequence[str],
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout: float | None = None,
    log: IO[bytes] | None = None,
    echo: bool = False,
    labels: Mapping[str, str] | None = None,
    track: Path | None = None,
) -> StepResult:
    argv = tuple(argv)
    if log:
        log.write(f"$ {' '.join(argv)}\n".encode())
        log.flush()
    start = time.perf_counter()
    try:
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env) if env is not None else child_env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    except (FileNotFoundError, PermissionError, NotADirectoryError) as exc:
        message = f"cannot run {argv[0]}: {exc.strerror or exc}"
        if log:
            log.write((message + "\n").encode())
        return StepResult(
            name, argv, 0.0, 127, output_tail=message, labels=labels or {}
        )
    if track is not None:
        try:
            _record_group(track, proc.pid, argv)
        except BaseException:  # unrecorded, it could outlive a killed seedbed
            _kill_group(proc.pid)
            proc.wait()
            raise

    timed_out = threading.Event()

    def kill() -> None:
        timed_out.set()
        _kill_group(proc.pid)

    timer = threading.Timer(timeout, kill) if timeout else None
    if timer:
        timer.daemon = True
        timer.start()
    tail: collections.deque[str] = collections.deque(maxlen=TAIL_LINES)

    def pump() -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            if log:
                log.write(raw)
            if echo:
                sys.stderr.buffer.write(raw)
                sys.stderr.flush()
            tail.append(raw.decode("utf-8", "replace").rstrip())

    # Output is read beside the wait, not before it: a daemon the step started
    # may hold the pipe open long after the step itself has exited.
    reader = threading.Thread(target=pump, name=f"output of {name}", daemon=True)
    reader.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        reader.join(timeout=OUTPUT_GRACE)
    except BaseException:  # interrupted: take the child's whole group with us
        _kill_group(proc.pid)
        proc.wait()
        raise
    finally:
        if timer:
            timer.cancel()
        if track is not None:
            _forget_group(track, proc.pid)
    seconds = time.perf_counter() - start
    code = proc.returncode
    if timed_out.is_set():
        tail.append(f"seedbed: {name} timed out after {timeout:.0f} s")
        code = code if code not in (0, None) else 124
    if log:
        log.write(f"# exit {code} after {seconds:.2f} s\n".encode())
        log.flush()
    return StepResult(
        name=name,
        argv=argv,
        seconds=seconds,
        exit_code=code,
        # ru_maxrss is in kilobytes on Linux.
        peak_rss_kb=int(usage.ru_maxrss),
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        output_tail="\n".join(tail),
        labels=labels or {},
    )


@contextlib.contextmanager
def terminate_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM and SIGHUP into KeyboardInterrupt while steps run.

    Steps run in their own process group (so a terminal's Ctrl-C reaches only
    seedbed, which then kills them); without this, a terminated seedbed would
    leave a package manager running beside the next setup.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    previous = {
        sig: signal.signal(sig, interrupt) for sig in (signal.SIGTERM, signal.SIGHUP)
    }
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


# --- leftover steps of a killed seedbed --------------------------------------
# A step runs in its own session, so a SIGKILL of seedbed (which no handler can
# catch) leaves it running. Its process group is recorded while it runs; the
# next setup, holding the worktree lock, stops a leftover group before it
# touches the environment: never two writers of one environment.

STOP_WAIT = 5.0


def _record_group(track: Path, pid: int, argv: Sequence[str]) -> None:
    from seedbed.core import files

    # Not durable: only a live seedbed's leftover needs stopping, and a
    # crash that could lose the write stops every process anyway.
    files.write_json_atomic(
        track,
        {
            "pgid": pid,
            "start": process_start(pid),
            "argv": list(argv[:4]),
            "seedbed_pid": os.getpid(),
        },
        durable=False,
    )


def _forget_group(track: Path, pid: int) -> None:
    from seedbed.core import state

    data = state.read_json(track) or {}
    if data.get("pgid") == pid:
        with contextlib.suppress(OSError):
            track.unlink()


def process_start(pid: int) -> int | None:
    """The process's start time in clock ticks (/proc/PID/stat field 22): with
    the pid it names one process, even after the pid is reused."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            text = handle.read()
    except OSError:
        return None
    fields = text.rsplit(b")", 1)[-1].split()
    try:
        return int(fields[19])
    except (IndexError, ValueError):
        return None


def group_members(pgid: int) -> list[int]:
    """Live (not zombie) processes of the process group, from /proc."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[-1].split()
        except OSError:
            continue
        if len(fields) > 2 and fields[0] != b"Z" and fields[2] == str(pgid).encode():
            members.append(int(entry))
    return members


def stop_leftover(track: Path) -> str:
    """Stop the step group a killed seedbed left running (SIGTERM, a short
    wait, SIGKILL) and say what was done; "" when there was none."""
    from seedbed.core import state

    data = state.read_json(track)
    if not data:
        return ""
    pgid = data.get("pgid")
    if not isinstance(pgid, int) or isinstance(pgid, bool) or pgid <= 1:
        with contextlib.suppress(FileNotFoundError):
            track.unlink()
        return ""
    start = process_start(pgid)
    # The leader's pid now names another process: the group ended long ago.
    # (A gone leader is fine: the kernel keeps a pgid while members live.)
    reused = start is not None and start != data.get("start")
    stopped = ""
    if not reused and group_members(pgid):
        argv = " ".join(str(a) for a in data.get("argv", []))
        stopped = f"stopped the leftover step `{argv}` (process group {pgid})"
        _signal_group(pgid, signal.SIGTERM)
        if not _wait_gone(pgid, STOP_WAIT):
            _signal_group(pgid, signal.SIGKILL)
            _wait_gone(pgid, STOP_WAIT)
    with contextlib.suppress(FileNotFoundError):
        track.unlink()
    return stopped


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


def _wait_gone(pgid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while group_members(pgid):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
