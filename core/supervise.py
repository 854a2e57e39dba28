"""Supervised foreground children: commands that share seedbed's terminal.

core.runner starts setup's steps (output to a log, a tail kept); the commands
here are the other kind: a report printed by Nushell, `seedbed run` (the click
command and its fast path, core/runfast.py), a dev server or a test run, whose
output is the user's (or, captured, the caller's). Both modules are the only
places seedbed starts processes; this one adds the two things a foreground
child needs:

- signals: with `own_group` the child gets a process group of its own, and the
  SIGINT, SIGTERM and SIGHUP seedbed receives are forwarded to that group (a
  dev server's reloader *and* the worker it forks get them; what is left of
  the group is sent SIGTERM when the child exits). Without it the child shares
  seedbed's group, so the terminal's Ctrl-C reaches it directly; seedbed only
  notes the interrupt and forwards TERM and HUP.
- the outcome: exit status as a shell reports it (128+N for signal N), wall
  time, CPU time and peak memory (from wait4), and whether an interrupt came.

Import-light, because `seedbed run`'s fast path supervises its command here
and has a few milliseconds in all: the standard library's lowest layer (os,
signal, time). A child in seedbed's own folder with the terminal's streams is
started with os.posix_spawn, as subprocess would start it (the program looked
up on the child's PATH, SIGPIPE and SIGXFSZ back at their defaults, no
inherited descriptor beyond 0-2). subprocess and threading are imported only
for what posix_spawn cannot do here: start in another folder, or capture the
output (pipes read beside the wait).
"""

from __future__ import annotations

import os
import signal
import time

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs ~3 ms to import; annotations only
    import resource
    import subprocess
    from collections.abc import Callable, Mapping, Sequence
    from pathlib import Path
    from typing import IO, Any

FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Finished:
    """How a foreground child ended (a plain class: dataclasses costs the
    fast path ~5 ms)."""

    __slots__ = (
        "argv",
        "cpu_seconds",
        "exit_code",
        "interrupted",
        "peak_rss_kb",
        "seconds",
        "stderr",
        "stdout",
    )

    def __init__(
        self,
        argv: tuple[str, ...],
        exit_code: int,  # as a shell reports it: 128+N when killed by signal N
        seconds: float,
        peak_rss_kb: int = 0,
        cpu_seconds: float = 0.0,
        stdout: str = "",  # only when captured
        stderr: str = "",
        interrupted: bool = False,  # seedbed received SIGINT while it ran
    ) -> None:
        self.argv = argv
        self.exit_code = exit_code
        self.seconds = seconds
        self.peak_rss_kb = peak_rss_kb
        self.cpu_seconds = cpu_seconds
        self.stdout = stdout
        self.stderr = stderr
        self.interrupted = interrupted

    def __repr__(self) -> str:
        return f"Finished({self.argv!r}, exit_code={self.exit_code})"


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
    child = start(
        argv,
        env,
        cwd,
        own_group=own_group,
        capture_stdout=capture_stdout,
        capture_stderr=capture_stderr,
    )
    if child is None:
        from seedbed.core.errors import CommandNotFound

        raise CommandNotFound(argv[0])
    return child.wait()


def start(
    argv: Sequence[str],
    env: Mapping[str, str],
    cwd: Path | None = None,
    *,
    own_group: bool = False,
    capture_stdout: bool = False,
    capture_stderr: bool = False,
) -> Child | None:
    """Start argv: None when no such program exists (nothing ran); an OSError
    when one exists but cannot start (not executable)."""
    argv = tuple(argv)
    started = time.perf_counter()
    if capture_stdout or capture_stderr or not _here(cwd):
        popen = _popen(argv, env, cwd, own_group, capture_stdout, capture_stderr)
        if popen is None:
            return None
        readers = [_reader(stream) for stream in (popen.stdout, popen.stderr)]
        return Child(argv, popen.pid, own_group, started, popen, readers)
    pid = spawn(argv, env, own_group=own_group)
    return None if pid is None else Child(argv, pid, own_group, started)


class Child:
    """A started foreground child, waited for (and its signals forwarded) by
    `wait`."""

    __slots__ = ("argv", "own_group", "pid", "popen", "readers", "started")

    def __init__(
        self,
        argv: tuple[str, ...],
        pid: int,
        own_group: bool,
        started: float,
        popen: subprocess.Popen[bytes] | None = None,
        readers: list[Callable[[], str]] | None = None,
    ) -> None:
        self.argv = argv
        self.pid = pid
        self.own_group = own_group
        self.started = started
        self.popen = popen
        self.readers = readers or []

    def wait(self, meanwhile: Callable[[], object] | None = None) -> Finished:
        """Wait for the child, forwarding seedbed's signals. `meanwhile` runs
        while the child does, under the forwarding handlers (an import the
        caller needs afterwards); it must not raise."""
        pid, own_group = self.pid, self.own_group
        interrupted: list[bool] = []

        def forward(signum: int, frame: object) -> None:
            if signum == signal.SIGINT:
                interrupted.append(True)
                if not own_group:  # the terminal sent it to the child already
                    return
            try:  # contextlib.suppress is one more import on the fast path
                if own_group:
                    os.killpg(pid, signum)
                else:
                    os.kill(pid, signum)
            except (ProcessLookupError, PermissionError):
                pass

        previous = _handle(forward)
        try:
            if meanwhile is not None:
                meanwhile()
            _, status, usage = _wait(pid)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
            if own_group:  # a reloader's worker left behind would keep a port busy
                try:  # noqa: SIM105
                    os.killpg(pid, signal.SIGTERM)
                except (ProcessLookupError, PermissionError):
                    pass
        code = os.waitstatus_to_exitcode(status)
        if self.popen is not None:
            self.popen.returncode = code  # reaped here: Popen must not wait
        out, err = (read() for read in self.readers) if self.readers else ("", "")
        return Finished(
            self.argv,
            128 - code if code < 0 else code,
            time.perf_counter() - self.started,
            peak_rss_kb=int(usage.ru_maxrss),  # kilobytes on Linux
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            stdout=out,
            stderr=err,
            interrupted=bool(interrupted),
        )


def spawn(
    argv: Sequence[str], env: Mapping[str, str], *, own_group: bool = False
) -> int | None:
    """Start argv in seedbed's folder as subprocess.Popen would (close_fds,
    restore_signals, start_new_session=own_group): its pid, or None when no
    such program is found; an OSError when one is found but cannot start."""
    import fcntl

    inherited = []
    for name in os.listdir("/proc/self/fd") if os.path.isdir("/proc/self/fd") else ():
        fd = int(name)
        try:
            if fd > 2 and not fcntl.fcntl(fd, fcntl.F_GETFD) & fcntl.FD_CLOEXEC:
                inherited.append((os.POSIX_SPAWN_CLOSE, fd))
        except OSError:  # the listing's own descriptor, closed by now
            continue
    program = argv[0]
    if os.path.dirname(program):
        candidates = [program]
    else:
        candidates = [os.path.join(d, program) for d in os.get_exec_path(env)]
    refused: OSError | None = None
    for path in candidates:
        # A failed spawn costs a clone and an exec: try only what is there.
        if not os.path.exists(path):
            continue
        try:
            return os.posix_spawn(
                path,
                list(argv),
                env,
                file_actions=inherited,
                setsigdef=(signal.SIGPIPE, signal.SIGXFSZ),
                setsid=own_group,
            )
        except (FileNotFoundError, NotADirectoryError):
            continue
        except OSError as exc:  # as exec's PATH search: keep looking, report
            refused = refused or exc  # the first refusal if nothing starts
    if refused is not None:
        raise refused
    return None


def _here(cwd: Path | None) -> bool:
    return cwd is None or os.fspath(cwd) == os.getcwd()


def _popen(
    argv: tuple[str, ...],
    env: Mapping[str, str],
    cwd: Path | None,
    own_group: bool,
    capture_stdout: bool,
    capture_stderr: bool,
) -> subprocess.Popen[bytes] | None:
    import subprocess

    pipe = subprocess.PIPE
    try:
        return subprocess.Popen(
            argv,
            cwd=cwd,
            env=dict(env),
            stdout=pipe if capture_stdout else None,
            stderr=pipe if capture_stderr else None,
            start_new_session=own_group,
        )
    except FileNotFoundError:
        return None


def _handle(forward: Callable[[int, object], None]) -> dict[int, Any]:
    """Forward seedbed's signals while the child runs; the handlers replaced.
    Handlers can be set only from the main thread; elsewhere signals stay as
    they are (the caller's own handling applies)."""
    previous: dict[int, Any] = {}
    for sig in FORWARDED:
        try:
            previous[sig] = signal.signal(sig, forward)
        except ValueError:  # not the main thread
            break
    return previous


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
    import threading

    chunks: list[bytes] = []
    thread = threading.Thread(target=lambda: chunks.append(stream.read()), daemon=True)
    thread.start()

    def text() -> str:
        thread.join()
        stream.close()
        return b"".join(chunks).decode("utf-8", "replace")

    return text
