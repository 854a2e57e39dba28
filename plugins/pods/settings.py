"""The `[tool.seedbed.pod]` keys and the typed settings read from them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from seedbed.core.errors import ConfigError
from seedbed.core.types import ConfigKey

SECTION = "pod"
DEFAULT_BASE_IMAGE = "python:3.12-slim"

CONFIG_KEYS: tuple[ConfigKey, ...] = (
    ConfigKey(
        "base_image",
        "str",
        DEFAULT_BASE_IMAGE,
        "image the pod image is built FROM (a local name works without a registry)",
        section=SECTION,
    ),
    ConfigKey(
        "image",
        "str",
        "",
        "use this already-built image as is instead of building templates/pod",
        section=SECTION,
    ),
    ConfigKey("memory", "str", "1g", "memory limit per pod (512m, 2g)", SECTION),
    # Docker's smallest CPU share is 0.01.
    ConfigKey("cpus", "float", 1.0, "CPUs per pod (0.5, 2)", SECTION, minimum=0.01),
    ConfigKey("pids", "int", 256, "process limit per pod", SECTION, minimum=1),
    ConfigKey("scratch", "str", "256m", "size of each tmpfs (/tmp and HOME)", SECTION),
    ConfigKey("network", "bool", False, "give pods a network", section=SECTION),
    ConfigKey(
        "user",
        "str",
        "",
        'uid:gid inside pods; "" means the host user (see docs/pods.md)',
        section=SECTION,
    ),
    ConfigKey(
        "max_per_command", "int", 10, "pods one `pod up` may create", SECTION, minimum=1
    ),
    ConfigKey(
        "max_total", "int", 15, "seedbed pods on the engine at once", SECTION, minimum=1
    ),
    ConfigKey("max_per_env", "int", 5, "pods of one env at once", SECTION, minimum=1),
    ConfigKey(
        "memory_warn_percent",
        "int",
        90,
        "warn when a pod uses this share of its memory limit",
        section=SECTION,
        minimum=1,
        maximum=100,
    ),
    ConfigKey(
        "ready_timeout",
        "float",
        60.0,
        "seconds a pod may take to be ready",
        SECTION,
        minimum=0.1,
    ),
)

_SIZE = re.compile(r"^(\d+)([bkmg]?)$")
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def parse_size(key: str, text: str) -> int:
    """Bytes in "512m"-style text, as Docker reads it; a ConfigError names the key."""
    match = _SIZE.match(text.strip().lower())
    if not match:
        raise ConfigError(
            f"pod.{key}: {text!r} is not a size",
            "write a number with an optional unit: 512m, 2g",
            key=f"pod.{key}",
        )
    return int(match.group(1)) * _UNITS[match.group(2)]


@dataclass(frozen=True)
class Limits:
    per_command: int
    total: int
    per_env: int


@dataclass(frozen=True)
class PodSettings:
    base_image: str
    image: str
    memory_bytes: int
    cpus: float
    pids: int
    scratch_bytes: int
    network: bool
    user: str
    limits: Limits
    memory_warn_percent: int
    ready_timeout: float

    @classmethod
    def from_section(cls, section: Mapping[str, Any]) -> PodSettings:
        values = {key.name: key.default for key in CONFIG_KEYS}
        values.update(section)
        settings = cls(
            base_image=str(values["base_image"]),
            image=str(values["image"]),
            memory_bytes=parse_size("memory", str(values["memory"])),
            cpus=float(values["cpus"]),
            pids=int(values["pids"]),
            scratch_bytes=parse_size("scratch", str(values["scratch"])),
            network=bool(values["network"]),
            user=str(values["user"]),
            limits=Limits(
                per_command=int(values["max_per_command"]),
                total=int(values["max_total"]),
                per_env=int(values["max_per_env"]),
            ),
            memory_warn_percent=int(values["memory_warn_percent"]),
            ready_timeout=float(values["ready_timeout"]),
        )
        settings._check()
        return settings

    def _check(self) -> None:
        positive = {
            "cpus": self.cpus,
            "pids": self.pids,
            "max_per_command": self.limits.per_command,
            "max_total": self.limits.total,
            "max_per_env": self.limits.per_env,
            "ready_timeout": self.ready_timeout,
        }
        for name, value in positive.items():
            if value <= 0:
                raise ConfigError(
                    f"pod.{name}: must be greater than 0 (got {value})",
                    key=f"pod.{name}",
                )
        if self.user and not re.fullmatch(r"\d+:\d+", self.user):
            raise ConfigError(
                f"pod.user: {self.user!r} is not uid:gid",
                'write numbers, e.g. user = "1000:1000", or "" for the host user',
                key="pod.user",
            )


DEFAULTS = PodSettings.from_section({})
