"""`pod exec` as `docker exec` runs it: stdin forwarded with -i, a TTY with -t.

Without -i the output is streamed (stdout and stderr kept apart). With -i the
exec's connection is hijacked: the caller's stdin is copied into it until end
of file (then the write side is closed, so the command sees EOF), and its
output is copied out. With -t the engine gives the command a pseudo-terminal
(one stream, no stdout/stderr split); when the caller's stdin is a terminal it
is put in raw mode for the command's life (restored after) and the exec's
terminal gets the caller's size.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import socket
import struct
import sys
import time
from collections.abc import Iterator, Sequence
from typing import Any, BinaryIO

# The flags `pod exec` takes between the pod name and the command.
_LONG_FLAGS = {"--interactive": "i", "--tty": "t"}


def split_flags(argv: Sequence[str]) -> tuple[bool, bool, list[str]]:
    """(interactive, tty, command) from what follows the pod name: leading
    -i, -t, -it, --interactive, --tty, then an optional `--`, then the command."""
    interactive = tty = False
    rest = list(argv)
    while rest:
        token = rest[0]
        letters = _LONG_FLAGS.get(token) or (
            token[1:]
            if token.startswith("-") and len(token) > 1 and set(token[1:]) <= {"i", "t"}
            else ""
        )
        if not letters:
            break
        interactive = interactive or "i" in letters
        tty = tty or "t" in letters
        rest.pop(0)
    if rest and rest[0] == "--":
        rest.pop(0)
    return interactive, tty, rest


def run(
    client: Any,
    container: str,
    argv: Sequence[str],
    workdir: str,
    interactive: bool = False,
    tty: bool = False,
) -> int:
    """Run argv in container; its exit code."""
    environment = {"TERM": os.environ.get("TERM", "xterm")} if tty else None
    created = client.api.exec_create(
        container,
        list(argv),
        workdir=workdir,
        stdin=interactive,
        tty=tty,
        environment=environment,
    )
    exec_id = created["Id"]
    if interactive:
        _attached(client, exec_id, tty)
    else:
        _streamed(client, exec_id, tty)
    return _exit_code(client, exec_id)


def _streamed(client: Any, exec_id: str, tty: bool) -> None:
    stream = client.api.exec_start(exec_id, stream=True, demux=not tty, tty=tty)
    if tty:
        _resize(client, exec_id)
    for chunk in stream:
        out, err = (chunk, None) if tty else chunk
        _write(sys.stdout.buffer, out)
        _write(sys.stderr.buffer, err)


def _attached(client: Any, exec_id: str, tty: bool) -> None:
    raw = client.api.exec_start(exec_id, socket=True, tty=tty)
    sock: socket.socket = getattr(raw, "_sock", raw)
    if tty:
        _resize(client, exec_id)
    stdin = sys.stdin.fileno()
    # poll, not epoll: stdin may be a regular file (`< input.txt`).
    selector = selectors.PollSelector()
    selector.register(sock, selectors.EVENT_READ, "engine")
    selector.register(stdin, selectors.EVENT_READ, "stdin")
    frames = _Frames()
    try:
        with _raw_mode(stdin if tty else None):
            while selector.get_map():
                for key, _ in selector.select():
                    if key.data == "stdin":
                        data = os.read(stdin, 65536)
                        if data:
                            try:
                                sock.sendall(data)
                                continue
                            except OSError:  # the command stopped reading
                                pass
                        selector.unregister(stdin)
                        with contextlib.suppress(OSError):
                            sock.shutdown(socket.SHUT_WR)
                        continue
                    data = sock.recv(65536)
                    if not data:
                        selector.unregister(sock)
                        # The command is done: stop reading the caller's stdin.
                        with contextlib.suppress(KeyError, ValueError):
                            selector.unregister(stdin)
                        continue
                    if tty:
                        _write(sys.stdout.buffer, data)
                        continue
                    for stream, payload in frames.feed(data):
                        target = sys.stderr.buffer if stream == 2 else sys.stdout.buffer
                        _write(target, payload)
    finally:
        selector.close()
        with contextlib.suppress(OSError):
            raw.close()


class _Frames:
    """The engine's multiplexed stream (no TTY): 8-byte headers, then payloads."""

    def __init__(self) -> None:
        self.buffer = b""

    def feed(self, data: bytes) -> Iterator[tuple[int, bytes]]:
        self.buffer += data
        while len(self.buffer) >= 8:
            stream, size = struct.unpack(">BxxxL", self.buffer[:8])
            if len(self.buffer) < 8 + size:
                return
            yield stream, self.buffer[8 : 8 + size]
            self.buffer = self.buffer[8 + size :]


@contextlib.contextmanager
def _raw_mode(fd: int | None) -> Iterator[None]:
    """The caller's terminal in raw mode (keys go to the command as typed)."""
    if fd is None or not os.isatty(fd):
        yield
        return
    import termios
    import tty

    saved = termios.tcgetattr(fd)
    try:
        tty.setraw(fd)
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def _resize(client: Any, exec_id: str) -> None:
    size = shutil.get_terminal_size()
    with contextlib.suppress(Exception):  # a size is a courtesy, not a need
        client.api.exec_resize(exec_id, height=size.lines, width=size.columns)


def _write(target: BinaryIO, data: bytes | None) -> None:
    if data:
        target.write(data)
        target.flush()


def _exit_code(client: Any, exec_id: str) -> int:
    """The command's exit code (the engine may record it a moment after the
    stream closes)."""
    for _ in range(50):
        state = client.api.exec_inspect(exec_id)
        if not state.get("Running"):
            return int(state.get("ExitCode") or 0)
        time.sleep(0.1)
    return int(client.api.exec_inspect(exec_id).get("ExitCode") or 0)
