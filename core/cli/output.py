"""Rendering: text for people, JSON for scripts, from the same data."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from core.errors import SeedbedError

F = TypeVar("F", bound=Callable[..., Any])


def json_option(func: F) -> F:
    return click.option(
        "--json", "as_json", is_flag=True, help="Print JSON for scripts."
    )(func)


def emit_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))


def render_error(exc: SeedbedError, as_json: bool) -> None:
    if as_json:
        emit_json(exc.as_dict())
        return
    click.echo(f"seedbed: error: {exc.message}", err=True)
    if exc.hint:
        for line in exc.hint.splitlines():
            click.echo(f"  {line}", err=True)


def table(rows: list[list[str]], headers: list[str]) -> str:
    widths = [
        max(len(str(c)) for c in col) for col in zip(headers, *rows, strict=False)
    ]
    lines = ["  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True))]
    for row in rows:
        lines.append(
            "  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True))
        )
    return "\n".join(line.rstrip() for line in lines)


def warn(message: str) -> None:
    print(f"seedbed: warning: {message}", file=sys.stderr)
