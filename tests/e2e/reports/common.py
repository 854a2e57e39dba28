"""Helpers for the report tests: run the shipped Nushell module with real `nu`
and read its one JSON object (the JSON contract: lists wrapped in an object)."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from seedbed.core.assets import asset_dir
from seedbed.core.metrics import Record

from tests.conftest import require
from tests.factories.metrics import record_runs, run

CLI = asset_dir("nushell") / "cli.nu"
MODULE = asset_dir("nushell") / "seedbed.nu"
NOW = time.time()
HOUR = 3600.0
MAIN = "main-aaaaaa"
FEAT = "feat-bbbbbb"
# The key each command wraps its list in.
WRAPPED = {"report": "report", "perf": "trends", "alerts": "alerts"}
WRAPPED["optimize"] = "advice"


def nu(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [require("nu"), "--no-config-file", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
        check=False,
    )


def unwrap(command: str, stdout: str) -> Any:
    """The list inside the one JSON object a command prints."""
    value = json.loads(stdout)
    assert isinstance(value, dict) and list(value) == [WRAPPED[command]], stdout[:200]
    return value[WRAPPED[command]]


def nu_json(command: str, db: Path, *flags: str) -> Any:
    done = nu(str(CLI), command, "--db", str(db), *flags, "--json")
    assert done.returncode == 0, done.stderr
    return unwrap(command, done.stdout)


def nu_error(command: str, db: Path) -> subprocess.CompletedProcess[str]:
    done = nu(str(CLI), command, "--db", str(db))
    assert done.returncode != 0, done.stdout
    return done


def nu_script(tmp_path: Path, body: str, *args: str) -> str:
    """Run `body` after `use seedbed.nu` (as a Nushell user would); its stdout."""
    script = tmp_path / "use.nu"
    script.write_text(f"use {json.dumps(str(MODULE))}\n{body}\n")
    done = nu(str(script), *args)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def store(tmp_path: Path, records: Iterable[Record]) -> Path:
    return record_runs(tmp_path / "metrics.db", records)


def at(text: str) -> float:
    return datetime.fromisoformat(text).timestamp()


def by_command(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {f"{row['kind']} {row['name']}": row for row in rows}


def gate(name: str, worktree: str, codes: list[int], **fields: Any) -> list[Record]:
    """Runs of one gate an hour apart, the last an hour ago."""
    return [
        run(
            "gate",
            name,
            1.0,
            NOW - (len(codes) - i) * HOUR,
            worktree=worktree,
            exit_code=code,
            **fields,
        )
        for i, code in enumerate(codes)
    ]


def series(
    seconds: Iterable[float], start: float = NOW - 86_400, **fields: Any
) -> list[Record]:
    """`uv sync` steps a minute apart."""
    return [
        run(
            "step",
            "uv sync",
            value,
            start + i * 60,
            manager="uv",
            installer="uv",
            **fields,
        )
        for i, value in enumerate(seconds)
    ]
