"""What a setup attempt reports: the Outcome record, progress, failure texts."""

from __future__ import annotations

import errno
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from seedbed.core.types import Step, StepResult

DISK_FULL = (errno.ENOSPC, errno.EDQUOT)
# What tools print for ENOSPC and EDQUOT (C library wording; Rust adds the code).
DISK_FULL_TEXT = ("No space left on device", "Disk quota exceeded")


@dataclass(frozen=True)
class Outcome:
    ok: bool
    trigger: str
    manager: str
    installer: str = ""
    fingerprint: str = ""
    seconds: float = 0.0
    skipped: bool = False  # already in sync: nothing ran
    steps: Sequence[StepResult] = ()
    error: str = ""
    hint: str = ""
    python: str = ""
    package_count: int | None = None
    log: str = ""
    exit_code: int = 0  # the documented code when not ok
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "trigger": self.trigger,
            "skipped": self.skipped,
            "manager": self.manager,
            "installer": self.installer,
            "python": self.python,
            "fingerprint": self.fingerprint,
            "seconds": round(self.seconds, 3),
            "package_count": self.package_count,
            "steps": [
                {
                    "name": s.name,
                    "seconds": round(s.seconds, 3),
                    "exit_code": s.exit_code,
                    "peak_rss_kb": s.peak_rss_kb,
                }
                for s in self.steps
            ],
            "error": self.error,
            "hint": self.hint,
            "log": self.log,
            "detail": dict(self.extra),
        }


class Progress(Protocol):
    """Step i of the whole setup's total (one counter, never per phase)."""

    def begin(self, step: Step, index: int, total: int) -> None: ...
    def end(self, result: StepResult) -> None: ...
    def note(self, text: str) -> None: ...


class QuietProgress:
    def begin(self, step: Step, index: int, total: int) -> None:
        pass

    def end(self, result: StepResult) -> None:
        pass

    def note(self, text: str) -> None:
        pass


def disk_message(exc: OSError, doing: str) -> str:
    where = f" ({exc.filename})" if exc.filename else ""
    if exc.errno in DISK_FULL:
        return f"setup failed: the disk is full{where} while {doing}"
    return f"setup failed: {exc.strerror or exc}{where} while {doing}"


def disk_hint(exc: OSError) -> str:
    if exc.errno in DISK_FULL:
        return "free some disk space (or raise the quota), then `seedbed setup`"
    return "fix the file's permissions or path, then `seedbed setup`"


def step_failure(failed: StepResult, log_path: Path) -> tuple[str, str, int | None]:
    """(error, hint, exit code or None for the default) for a failed step."""
    if "removes" in failed.labels:
        # The folder in the way is not seedbed's: its own message.
        error, _, hint = failed.output_tail.partition("\n")
        return error, hint, failed.exit_code
    error = f"step '{failed.name}' failed (exit {failed.exit_code})"
    if any(text in failed.output_tail for text in DISK_FULL_TEXT):
        error += ": the disk is full"
    lines = [line for line in failed.output_tail.splitlines() if line.strip()]
    shown = "\n".join(lines[-12:])
    return error, f"{shown}\nfull log: {log_path}; retry with `seedbed setup`", None
