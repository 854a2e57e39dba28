"""`seedbed doctor`'s diagnoses: what one check found, the fix, and applying fixes.

Each check returns diagnoses (ok, info, warn, error), each with the fix to show
and, for a safe fix, the action that applies it (it may say what it did); a
plugin's checks come as core.contributions.DoctorCheck records. Not a
gate's Finding (core.types), which is a problem in a file; `--json` still lists
these under "findings".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from seedbed.core.contributions import DoctorCheck

SEVERITY = {"ok": 0, "info": 1, "warn": 2, "error": 3}
# The JSON contract's one verdict vocabulary; the level stays as "severity".
VERDICT = {"ok": "pass", "info": "skip", "warn": "fail", "error": "fail"}


@dataclass
class Diagnosis:
    """One check's outcome in one place (a worktree, the hooks, a store)."""

    check: str
    status: str  # ok | info | warn | error
    message: str
    fix: str = ""  # what to run, shown to the user
    # Applies the fix; may return what it did ("moved X aside to Y").
    action: Callable[[], str | None] | None = field(default=None, repr=False)
    worktree: str = ""
    fixed: bool | None = None  # None: not attempted
    fix_error: str = ""
    did: str = ""

    @classmethod
    def of(cls, check: DoctorCheck) -> Diagnosis:
        """A plugin's check (seedbed_doctor), ready to be fixed and shown."""
        return cls(
            check.check,
            check.status,
            check.message,
            check.fix,
            check.action,
            check.worktree,
        )

    @property
    def fixable(self) -> bool:
        return self.action is not None

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "status": VERDICT.get(self.status, "error"),
            "severity": self.status,
            "message": self.message,
            "fix": self.fix,
            "fixable": self.fixable,
            "worktree": self.worktree,
            "fixed": self.fixed,
            "fix_error": self.fix_error,
            "did": self.did,
        }


def apply_fixes(findings: list[Diagnosis]) -> None:
    """Run each safe fix once (hooks are reinstalled once for all findings)."""
    from seedbed.core.errors import SeedbedError

    # Keyed by the action itself: findings sharing one fix (the hooks) share
    # one closure, while each damaged file has its own.
    done: dict[Callable[[], str | None], tuple[bool, str, str]] = {}
    for finding in findings:
        if finding.action is None or finding.status == "ok":
            continue
        key = finding.action
        if key not in done:
            try:
                did = finding.action()
                done[key] = (True, "", did or "")
            except (SeedbedError, OSError) as exc:
                done[key] = (False, str(exc), "")
        finding.fixed, finding.fix_error, finding.did = done[key]


def remaining(findings: list[Diagnosis]) -> int:
    """Exit status: 1 when an error is left unfixed."""
    return int(any(f.status == "error" and not f.fixed for f in findings))
