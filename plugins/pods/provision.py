"""`pod up`: count, create, start in parallel, wait until ready; all or nothing.

Creation happens under the engine lock (limits.py), so the count a request is
checked against includes every pod created before it. Starting and waiting for
readiness happen outside the lock, in parallel. When any pod of the request
fails, every pod the request created is removed before reporting why: a failed
`pod up` leaves nothing behind. The same holds when the command is interrupted
(Ctrl-C) or terminated (SIGTERM: `docker stop`, `timeout`, a CI runner
cancelling a job): while provisioning, SIGTERM raises Terminated in the main
thread, which rolls back like KeyboardInterrupt does.
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from types import FrameType
from typing import Any

from seedbed.plugins.pods import limits, naming, spec
from seedbed.plugins.pods.engine import api_error_text
from seedbed.plugins.pods.settings import PodSettings

# What templates/pod/pod-init.py prints once the pod's environment is ready.
READY_MARKER = b"seedbed-pod: ready"
POLL_SECONDS = 0.05


class PodFailed(Exception):
    """One pod could not be made ready; the message says why."""


class Terminated(BaseException):
    """SIGTERM arrived while pods were being made (a BaseException, like
    KeyboardInterrupt, so no `except Exception` on the way swallows it)."""


class _SigtermRaises:
    """From construction until restore(): the first SIGTERM raises Terminated in
    the main thread, later ones are ignored so they cannot cut the rollback
    short. restore() puts the previous handler back. Off the main thread (where
    Python cannot set handlers) it does nothing."""

    def __init__(self) -> None:
        self.fired = False
        self.previous: Any = None
        self.installed = threading.current_thread() is threading.main_thread()
        if self.installed:
            self.previous = signal.signal(signal.SIGTERM, self._handle)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if not self.fired:
            self.fired = True
            raise Terminated()

    def restore(self) -> None:
        if self.installed:
            self.installed = False
            # None: the previous handler was not set from Python; default it.
            previous = signal.SIG_DFL if self.previous is None else self.previous
            signal.signal(signal.SIGTERM, previous)


@dataclass
class Outcome:
    """What happened to one pod of a request (one metrics row)."""

    name: str
    env: str
    started_at: float
    seconds: float = 0.0
    container_id: str = ""
    error: str | None = None  # why this pod failed
    removed_because: str | None = None  # it was fine, but a sibling failed

    @property
    def ok(self) -> bool:
        return self.error is None and self.removed_because is None

    @property
    def problem(self) -> str | None:
        return self.error or self.removed_because


@dataclass
class Request:
    origin: spec.Origin
    env: str
    count: int
    image: str
    user: str
    settings: PodSettings
    outcomes: list[Outcome] = field(default_factory=list)
    # Set when the request is abandoned: pods still waiting stop waiting.
    cancelled: threading.Event = field(default_factory=threading.Event)


def usage(client: Any) -> limits.Usage:
    pods = client.api.containers(all=True, filters=dict(naming.POD_FILTER))
    envs = Counter(pod["Labels"].get(naming.LABEL_ENV, "") for pod in pods)
    return limits.Usage(total=len(pods), per_env=dict(envs))


def pod_names(client: Any) -> list[str]:
    pods = client.api.containers(all=True, filters=dict(naming.POD_FILTER))
    return [name.lstrip("/") for pod in pods for name in pod["Names"]]


def up(client: Any, request: Request) -> list[Outcome]:
    """Make request.count pods ready; on any failure remove all and return why.

    Raises LimitExceeded (nothing left created) when the request does not fit,
    and Terminated (SIGTERM) or KeyboardInterrupt (Ctrl-C) after removing every
    pod it created.
    """
    settings = request.settings
    sigterm = _SigtermRaises()
    try:
        with limits.engine_lock():
            limits.check(settings.limits, usage(client), request.env, request.count)
            names = naming.allocate(
                request.env, naming.stamp(), request.count, pod_names(client)
            )
            request.outcomes = [
                Outcome(str(name), request.env, time.time()) for name in names
            ]
            _parallel(
                lambda o: _create(client, request, o),
                request.outcomes,
                request.cancelled,
            )
            if all(o.ok for o in request.outcomes):
                _recount(client, request)
        if all(o.ok for o in request.outcomes):
            _parallel(
                lambda o: _start(client, o, settings.ready_timeout, request.cancelled),
                request.outcomes,
                request.cancelled,
            )
        if not all(o.ok for o in request.outcomes):
            _roll_back(client, request.outcomes)
        # Last step inside the try: a SIGTERM up to here is rolled back; from
        # here on it has its previous meaning again (the pods are made).
        sigterm.restore()
    except BaseException:
        # Interrupted or refused after creating: take everything back first.
        request.cancelled.set()
        try:
            remove(client, [o.container_id for o in request.outcomes if o.container_id])
        finally:
            sigterm.restore()
        raise
    return request.outcomes


def _recount(client: Any, request: Request) -> None:
    """Another machine using the same engine may have created pods meanwhile."""
    now = usage(client)
    allowed = request.settings.limits
    over_total = now.total > allowed.total
    over_env = now.per_env.get(request.env, 0) > allowed.per_env
    if over_total or over_env:
        limit, in_use = (
            ("max_total", now.total - request.count)
            if over_total
            else ("max_per_env", now.per_env.get(request.env, 0) - request.count)
        )
        raise limits.LimitExceeded(
            limit,
            allowed.total if over_total else allowed.per_env,
            in_use,
            request.count,
            "" if over_total else request.env,
        )


def _create(client: Any, request: Request, outcome: Outcome) -> None:
    from docker.errors import DockerException

    kwargs = spec.create_kwargs(
        outcome.name,
        request.image,
        request.origin,
        request.env,
        request.settings,
        request.user,
    )
    outcome.started_at = time.time()
    try:
        outcome.container_id = client.containers.create(**kwargs).id
    except DockerException as exc:
        outcome.error = f"create failed: {api_error_text(exc)}"
        outcome.seconds = time.time() - outcome.started_at


def _start(
    client: Any,
    outcome: Outcome,
    timeout: float,
    cancelled: threading.Event | None = None,
) -> None:
    from docker.errors import DockerException

    try:
        client.api.start(outcome.container_id)
        wait_ready(client, outcome.container_id, timeout, cancelled)
    except DockerException as exc:
        outcome.error = f"start failed: {api_error_text(exc)}"
    except PodFailed as exc:
        outcome.error = str(exc)
    outcome.seconds = time.time() - outcome.started_at


def wait_ready(
    client: Any,
    container_id: str,
    timeout: float,
    cancelled: threading.Event | None = None,
) -> None:
    """Return once the pod printed the ready marker; PodFailed if it cannot, or
    as soon as cancelled is set (the request is being rolled back)."""
    deadline = time.monotonic() + timeout
    while True:
        if cancelled is not None and cancelled.is_set():
            raise PodFailed("cancelled: the request is being rolled back")
        if READY_MARKER in client.api.logs(container_id, stdout=True, stderr=False):
            return
        state = client.api.inspect_container(container_id)["State"]
        if state["Status"] in ("exited", "dead"):
            tail = client.api.logs(container_id, stdout=False, stderr=True, tail=5)
            reason = tail.decode(errors="replace").strip().replace("\n", " | ")
            raise PodFailed(
                f"exited with code {state['ExitCode']} before it was ready"
                + (f": {reason}" if reason else "")
            )
        if time.monotonic() > deadline:
            raise PodFailed(f"not ready after {timeout:g} s (pod.ready_timeout)")
        time.sleep(POLL_SECONDS)


def _roll_back(client: Any, outcomes: Sequence[Outcome]) -> None:
    failed = ", ".join(o.name for o in outcomes if not o.ok)
    for outcome in outcomes:
        if outcome.ok:
            outcome.removed_because = f"removed because {failed} failed"
    remove(client, [o.container_id for o in outcomes if o.container_id])


def remove(client: Any, container_ids: Iterable[str]) -> list[str]:
    """Force-remove containers (and their anonymous volumes); the ids removed."""
    from docker.errors import NotFound

    def one(container_id: str) -> str:
        with contextlib.suppress(NotFound):  # already gone: the goal is reached
            client.api.remove_container(container_id, force=True, v=True)
        return container_id

    ids = list(container_ids)
    if not ids:
        return []
    with ThreadPoolExecutor(max_workers=min(len(ids), 8)) as pool:
        return list(pool.map(one, ids))


def _parallel(
    work: Callable[[Outcome], None],
    outcomes: Sequence[Outcome],
    cancelled: threading.Event | None = None,
) -> None:
    with ThreadPoolExecutor(max_workers=max(1, len(outcomes))) as pool:
        try:
            # list(): re-raise here anything a worker did not turn into an error.
            list(pool.map(work, outcomes))
        except BaseException:
            # Interrupted (Ctrl-C, SIGTERM) or a worker raised: the pool waits
            # for its workers on the way out, so tell waiting ones to stop now.
            if cancelled is not None:
                cancelled.set()
            raise
