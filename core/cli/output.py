"""Rendering: text for people, JSON for scripts, from the same data."""

from __future__ import annotations

import contextlib
import functools
import os
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar

import click
from seedbed.core.errors import EXIT_FAILED, SeedbedError

# disk_error is imported from here by the commands; it lives with the other
# click-free pieces so the fast routes print the same (core/rendering.py).
from seedbed.core.rendering import disk_error, error_lines, json_text
from seedbed.core.text import table_lines

F = TypeVar("F", bound=Callable[..., Any])


def json_option(func: F) -> F:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print JSON for scripts."
    )(func)


def emit_json(data: dict[str, Any]) -> None:
    """The one JSON object a --json command prints on stdout (docs/json.md)."""
    click.echo(json_text(data))


def iso(epoch: float | None) -> str | None:
    """A timestamp as the JSON contract has them: ISO 8601, UTC offset, to
    the second ("2026-12-01T21:00:28+00:00"); None stays None."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="seconds")


@contextlib.contextmanager
def stdout_to_stderr(active: bool = True) -> Iterator[None]:
    """While active, file descriptor 1 is stderr: a wrapped command run with
    --json writes its output there, and stdout keeps only the JSON object."""
    if not active:
        yield
        return
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        yield
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)


def render_error(exc: SeedbedError, as_json: bool) -> None:
    if as_json:
        emit_json(exc.as_dict())
        return
    for line in error_lines(exc):
        click.echo(line, err=True)


def table(rows: list[list[str]], headers: list[str]) -> str:
    return "\n".join(table_lines(rows, headers))


def warn(message: str) -> None:
    print(f"seedbed: warning: {message}", file=sys.stderr)


def disk_errors(exit_code: int = EXIT_FAILED) -> Callable[[F], F]:
    """Decorate a command: a full or read-only disk becomes a clear error with
    exit_code (setup failures 5) instead of a traceback."""

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return func(*args, **kwargs)
            except OSError as exc:
                error = disk_error(exc, exit_code)
                if error is None:
                    raise
                raise error from None

        return wrapper  # type: ignore[return-value]

    return decorate
