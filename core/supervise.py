"""Supervised foreground children: commands that share seedbed's terminal.

core.runner starts setup's steps (output to a log, a tail kept); the commands
here are the other kind: a report printed by Nushell, `seedbed run`, a dev
server or a test run, whose output is the user's (or, captured, the caller's).
Both modules are the only places seedbed starts processes; this one adds the
two things a foreground child needs:

- signals: with `own_group` the child gets a process group of its own, and the
  SIGINT, SIGTERM and SIGHUP seedbed receives are forwarded to that group (a
  dev server's reloader *and* the worker it forks get them; what is left of
  the group is sent SIGTERM when the child exits). Without it the child shares
  seedbed's group, so the terminal's Ctrl-C reaches it directly; seedbed only
  notes the interrupt and forwards TERM and HUP.
- the outcome: exit status as a shell reports it (128+N for signal N), wall
  time, CPU time and peak memory (from wait4), and whether an interrupt came.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, TYPE_CHECKING

from seedbed.core.errors import CommandNotFound

if TYPE_CHECKING:
    import resource

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@dataclass(frozen=True)
class Finished:
    argv: tuple[str, ...]
    exit_code: int  # as a shell reports it: 128+N when killed by signal N
    seconds: float
    peak_rss_kb: int = 0
    cpu_seconds: float = 0.0
    stdout: str = ""  # only when captured
    stderr: str = ""
    interrupted: bool = False  # seedbed received SIGINT while the child ran


def foreground(
    argv: Sequence[str],
    env: Mapping[str, str],
    cwd: Path | None = None,
    *,
    own_group: bool = False,
    capture_stdout: bool = False,
    capture_stderr: bool = False,
) -> Finished:
    """Run argv to its end in the foreground (stdin and, unless captured,
    stdout and stderr are seedbed's own); a missing program is CommandNotFound."""
    argv = tuple(argv)
    pipe = subprocess.PIPE
    start = time.perf_counter()
    try:
        child = subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env),
            stdout=pipe if capture_stdout else None,
            stderr=pipe if capture_stderr else None,
            start_new_session=own_group,
        )
    except FileNotFoundError:
        raise CommandNotFound(argv[0]) from None
    interrupted = threading.Event()

    def forward(signum: int, frame: FrameType | None) -> None:
        if signum == signal.SIGINT:
            interrupted.set()
            if not own_group:  # the terminal sent it to the child already
                return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            if own_group:
                os.killpg(child.pid, signum)
            else:
                os.kill(child.pid, signum)

    readers = [_reader(stream) for stream in (child.stdout, child.stderr)]
    # Handlers can be set only from the main thread; elsewhere signals stay as
    # they are (the caller's own handling applies).
    main = threading.current_thread() is threading.main_thread()
    previous = {sig: signal.signal(sig, forward) for sig in FORWARDED if main}
    try:
        _, status, usage = _wait(child.pid)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        if own_group:  # a reloader's worker left behind would keep a port busy
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(child.pid, signal.SIGTERM)
    child.returncode = code = os.waitstatus_to_exitcode(status)
    out, err = (reader() for reader in readers)
    return Finished(
        argv,
        128 - code if code < 0 else code,
        time.perf_counter() - start,
        peak_rss_kb=int(usage.ru_maxrss),  # kilobytes on Linux
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        stdout=out,
        stderr=err,
        interrupted=interrupted.is_set(),
    )


def _wait(pid: int) -> tuple[int, int, resource.struct_rusage]:
    while True:  # a forwarded signal interrupts nothing (PEP 475), but be sure
        try:
            return os.wait4(pid, 0)
        except InterruptedError:
            continue


def _reader(stream: IO[bytes] | None) -> Callable[[], str]:
    """Read a captured stream beside the wait (a full pipe would block the
    child); the returned function gives its text once the child has exited."""
    if stream is None:
        return lambda: ""
    chunks: list[bytes] = []
    thread = threading.Thread(target=lambda: chunks.append(stream.read()), daemon=True)
    thread.start()

    def text() -> str:
        thread.join()
        stream.close()
        return b"".join(chunks).decode("utf-8", "replace")

    return text
