"""Ports and local servers: a port nothing listens on, a range of free ports,
a directory served over HTTP, and probes of a dev server `seedbed serve` runs."""

from __future__ import annotations

import contextlib
import functools
import http.server
import json
import os
import socket
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path


def closed_port() -> int:
    """A loopback port that was free a moment ago (nothing listens on it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def free_range(size: int = 400) -> tuple[int, int]:
    """A range of ports well away from the usual ones (tests run side by side)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        start = 20000 + (probe.getsockname()[1] % 20000)
    return start, start + size - 1


def serve(directory: Path) -> tuple[str, object]:
    """Serve directory over HTTP on 127.0.0.1 (a daemon thread); the URL and
    the server (call .shutdown() to stop)."""

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_address[1]}", server


# --- dev servers ---------------------------------------------------------------


def wait_for_port(
    port: int, proc: subprocess.Popen[bytes], seconds: float = 60
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode}")
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise AssertionError(f"nothing listened on 127.0.0.1:{port} within {seconds} s")


def get_json(
    port: int, path: str = "/", attempts: int = 20
) -> tuple[int, dict[str, object]]:
    """GET http://127.0.0.1:port/path (a reloader may still be starting)."""
    url = f"http://127.0.0.1:{port}{path}"
    for attempt in range(attempts):
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, json.loads(response.read())
        except (ConnectionError, urllib.error.URLError):
            if attempt == attempts - 1:
                raise
            time.sleep(0.5)
    raise AssertionError("unreachable")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """TERM the `seedbed serve` process (it forwards to the server's group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, 15)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, 9)
        proc.wait(timeout=10)
