"""A task's pod: made through the pods plugin, commands run in it, its figures.

The tasks family is an orchestrator built on the pods family, and this is its
one bridge to it: the pods plugin has no hook for "make one pod for this
worktree, run commands in it, sample it" (such a hook would be a second pod
API), so this module imports its public functions (settings, image, spec,
provision, stats, engine): the hardening, the limits and the engine lock are
the pods plugin's, never copied here. A request over the pod limits waits for
a free slot (the third of three tasks under max_total = 2 waits for one of the
first two).

Commands run with `docker exec` through the SDK: argv lists only; a task's
shell blocks are passed as one argv element to `sh -c`. Each is wrapped in
coreutils `timeout` inside the pod, so the time limit ends it cleanly (TERM,
then KILL 5 s later) without seedbed needing to reach into the pod's processes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import socket
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from seedbed.core.errors import EXIT_FAILED, SeedbedError
from seedbed.plugins.pods import engine, image, limits, provision, spec, stats
from seedbed.plugins.pods.settings import SECTION, PodSettings

ENV = "task"
WAIT_POLL = 1.0
EXIT_TIMEOUT = 124  # what coreutils timeout reports


def check_engine() -> None:
    """Raise the pods plugin's EngineUnreachable (exit 9) when there is no
    engine: checked before any worktree is made."""
    engine.connect()


def settings_for(workspace: Any, network: bool | None) -> PodSettings:
    settings = PodSettings.from_section(workspace.config.section(SECTION))
    if network is not None:
        settings = dataclasses.replace(settings, network=network)
    return settings


@dataclass(eq=False)  # one object per pod: hashed by identity
class Pod:
    client: Any
    name: str
    container_id: str
    peak_memory_bytes: int = 0
    peak_cpu_percent: float = 0.0
    _watch: threading.Thread | None = None
    _stop: threading.Event = dataclasses.field(default_factory=threading.Event)

    def watch(self) -> None:
        """Sample the pod's figures in the background (peak memory and CPU)."""

        def sample() -> None:
            with contextlib.suppress(Exception):  # the pod went away: done
                for figures in self.client.api.stats(
                    self.container_id, stream=True, decode=True
                ):
                    self.peak_memory_bytes = max(
                        self.peak_memory_bytes, stats.memory_bytes(figures)
                    )
                    self.peak_cpu_percent = max(
                        self.peak_cpu_percent, stats.cpu_percent(figures)
                    )
                    if self._stop.is_set():
                        return

        self._watch = threading.Thread(target=sample, daemon=True)
        self._watch.start()

    def stop(self) -> None:
        """Kill the pod's processes now (a running exec ends at once)."""
        self._stop.set()
        with contextlib.suppress(Exception):
            self.client.api.kill(self.container_id)

    def remove(self) -> None:
        self._stop.set()
        provision.remove(self.client, [self.container_id])


def make(
    workspace: Any,
    settings: PodSettings,
    cancelled: threading.Event,
    say: Callable[[str], None],
    wait_seconds: float,
) -> Pod:
    """One ready pod for workspace's worktree; waits while the limits are full."""
    client = engine.connect()
    origin = spec.Origin.of(workspace)
    tag = image.ensure_image(
        client, settings, lambda tag: say(f"building {tag} (once per template)…")
    )
    user = spec.pod_user(settings, origin.worktree)
    deadline = time.monotonic() + wait_seconds
    announced = False
    while True:
        # A new request each try: a refused one is marked cancelled.
        request = provision.Request(origin, ENV, 1, tag, user, settings)
        try:
            outcomes = provision.up(client, request)
            break
        except limits.LimitExceeded as exc:
            if exc.details.get("limit") == "max_per_command" or (
                time.monotonic() > deadline
            ):
                raise
            if not announced:
                say(f"waiting for a pod slot ({exc.message})")
                announced = True
            if cancelled.wait(WAIT_POLL):
                raise KeyboardInterrupt from None
    outcome = outcomes[0]
    if not outcome.ok:
        raise SeedbedError(
            f"the task's pod failed: {outcome.problem}",
            "see docs/pods.md (troubleshooting)",
            EXIT_FAILED,
        )
    made = Pod(client, outcome.name, outcome.container_id)
    if cancelled.is_set():  # interrupted while it was being made
        made.remove()
        raise KeyboardInterrupt
    made.watch()
    return made


@dataclass(frozen=True)
class Ran:
    exit_code: int
    seconds: float
    timed_out: bool


def run(
    pod: Pod,
    argv: Sequence[str],
    workdir: str,
    log: IO[bytes],
    echo: Callable[[bytes], None],
    timeout: float | None,
    stdin: bytes = b"",
    environment: Mapping[str, str] | None = None,
) -> Ran:
    """Run argv in the pod; output to log and echo; stdin fed then closed."""
    from docker.utils.socket import frames_iter

    wrapped = list(argv)
    if timeout is not None:
        limit = f"{max(timeout, 0.1):.1f}"
        wrapped = ["timeout", "-s", "TERM", "-k", "5", limit, *wrapped]
    log.write(f"$ {' '.join(argv)}\n".encode())
    log.flush()
    start = time.perf_counter()
    api = pod.client.api
    created = api.exec_create(
        pod.container_id,
        wrapped,
        stdin=True,
        workdir=workdir,
        environment=dict(environment or {}),
    )
    stream = api.exec_start(created["Id"], socket=True)
    raw = getattr(stream, "_sock", stream)
    try:
        with contextlib.suppress(OSError):
            if stdin:
                raw.sendall(stdin)
            raw.shutdown(socket.SHUT_WR)
        for _, chunk in frames_iter(stream, tty=False):
            log.write(chunk)
            log.flush()
            echo(chunk)
    except OSError:
        pass  # the pod was stopped under it (interrupt): the code says so
    finally:
        with contextlib.suppress(OSError):
            stream.close()
    seconds = time.perf_counter() - start
    code = api.exec_inspect(created["Id"]).get("ExitCode")
    code = 137 if code is None else int(code)
    timed_out = (
        timeout is not None and code in (EXIT_TIMEOUT, 137) and (seconds >= timeout)
    )
    log.write(f"# exit {code} after {seconds:.2f} s\n".encode())
    log.flush()
    return Ran(code, seconds, timed_out)
