"""Reach the Docker engine through the SDK, and say clearly when it cannot be.

`docker.from_env()` honours DOCKER_HOST, DOCKER_TLS_VERIFY and DOCKER_CERT_PATH,
so a remote engine works exactly like the local socket. The SDK is imported
here, lazily, so `seedbed --help` never pays for it.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import Any

from seedbed.core.errors import EXIT_ENGINE, SeedbedError

DEFAULT_SOCKET = "unix:///var/run/docker.sock"
# Seconds for one API call; long work (stats sampling, builds) passes its own.
API_TIMEOUT = 60

ENGINE_HINT = (
    "check that the engine runs (`docker info`; start it with `dockerd` or your"
    " service manager), that DOCKER_HOST points at it when it is remote, and that"
    " your user may use its socket (member of the `docker` group)"
)


def engine_address() -> str:
    return os.environ.get("DOCKER_HOST") or DEFAULT_SOCKET


def engine_key() -> str:
    """A short stable id of the engine in use, for per-engine lock files."""
    return hashlib.sha1(engine_address().encode()).hexdigest()[:12]


class EngineUnreachable(SeedbedError):
    def __init__(self, reason: str) -> None:
        super().__init__(
            f"cannot reach the Docker engine at {engine_address()}: {reason}",
            ENGINE_HINT,
            EXIT_ENGINE,
            {"engine": engine_address()},
        )


def connect() -> Any:
    """A connected `docker.DockerClient`, or EngineUnreachable (exit code 9)."""
    import docker
    from docker.errors import DockerException

    try:
        client = docker.from_env(timeout=API_TIMEOUT)
        client.ping()
    except DockerException as exc:
        raise EngineUnreachable(_short(exc)) from exc
    except OSError as exc:  # a socket error the SDK did not wrap
        raise EngineUnreachable(str(exc)) from exc
    return client


def _short(exc: BaseException) -> str:
    """The root cause ("Connection refused") the SDK buries in nested reprs."""
    text = str(exc)
    for pattern in (r"\[Errno \d+\] ([^'\")\]]+)", r"Error\(\d+, '([^']+)'\)"):
        found = re.search(pattern, text)
        if found:
            return found.group(1).strip()
    return text.removeprefix("Error while fetching server API version: ").strip()


def api_error_text(exc: BaseException) -> str:
    """The engine's own explanation of a failed API call, without HTTP noise."""
    explanation = getattr(exc, "explanation", None)
    if explanation:
        return str(explanation)
    return str(exc)
