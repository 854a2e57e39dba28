"""One error type with an exit code and a hint; the CLI renders it as text or JSON.

Exit codes are part of the interface (documented in the README):
  0 ok · 1 a command or gate failed · 2 usage · 3 configuration · 4 not a git repository
  5 setup failed · 6 environment (interpreter or tool missing) · 7 hooks · 8 busy/locked
  9 container engine · 10 not found · 11 database server refused or failed
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_CONFIG = 3
EXIT_NOT_A_REPO = 4
EXIT_SETUP = 5
EXIT_ENVIRONMENT = 6
EXIT_HOOKS = 7
EXIT_BUSY = 8
EXIT_ENGINE = 9
EXIT_NOT_FOUND = 10
EXIT_DATABASE = 11


@dataclass
class SeedbedError(Exception):
    """Something the user can act on: what happened, and what to do about it."""

    message: str
    hint: str = ""
    exit_code: int = EXIT_FAILED
    details: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.message

    def as_dict(self) -> dict[str, Any]:
        return {
            "error": self.message,
            "hint": self.hint,
            "exit_code": self.exit_code,
            **({"details": self.details} if self.details else {}),
        }


class ConfigError(SeedbedError):
    def __init__(self, message: str, hint: str = "", **details: Any) -> None:
        super().__init__(message, hint, EXIT_CONFIG, dict(details))


class NotARepositoryError(SeedbedError):
    def __init__(self, path: str) -> None:
        super().__init__(
            f"{path}: not inside a git repository",
            "run seedbed from a git worktree (git init, or cd into one)",
            EXIT_NOT_A_REPO,
        )


class SetupError(SeedbedError):
    def __init__(self, message: str, hint: str = "", **details: Any) -> None:
        super().__init__(message, hint, EXIT_SETUP, dict(details))


class EnvironmentProblem(SeedbedError):
    """An interpreter or tool seedbed needs is not on this machine."""

    def __init__(self, message: str, hint: str = "", **details: Any) -> None:
        super().__init__(message, hint, EXIT_ENVIRONMENT, dict(details))


class HooksError(SeedbedError):
    def __init__(self, message: str, hint: str = "", **details: Any) -> None:
        super().__init__(message, hint, EXIT_HOOKS, dict(details))


class CommandNotFound(SeedbedError):
    """A command to run in the worktree's environment does not exist there."""

    def __init__(self, name: str) -> None:
        super().__init__(
            f"{name}: command not found in this worktree's environment or on PATH",
            "install it into the environment (add it to the project's dependencies)",
            127,
        )


class BusyError(SeedbedError):
    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message, hint, EXIT_BUSY)
