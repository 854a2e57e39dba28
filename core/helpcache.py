"""`seedbed --help` from a cache, without click or the plugins.

The command list of `seedbed --help` needs every plugin loaded (their
commands register themselves), which is most of seedbed's start-up. The text
only changes when one of its inputs does, so the first `--help` writes it to
the user's cache folder under a key of them all, and later ones print it:

- seedbed's own source files (their mtimes and sizes), the interpreter and its
  import path with each entry's mtime (installing or removing a plugin
  distribution changes its folder);
- every SEEDBED_* variable, the user's config file and the repository's
  (`.seedbed.toml`, `pyproject.toml`: `disable_plugins`);
- the width click wraps to.

A miss or any problem runs the full CLI (and fills the cache).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

HELP = (["--help"], ["-h"])
PACKAGE = Path(__file__).resolve().parent.parent


def wanted(args: list[str]) -> bool:
    return args in HELP and not os.environ.get("SEEDBED_TRACE")


def _width() -> int:
    # click: min(shutil.get_terminal_size().columns, 80) - 2, at least 50.
    try:
        columns = int(os.environ.get("COLUMNS", "0"))
    except ValueError:
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 80
    return min(columns, 80)


def _stat(path: str) -> list[Any]:
    try:
        found = os.stat(path)
    except OSError:
        return [path, None]
    return [path, found.st_mtime_ns, found.st_size, found.st_ino]


def _root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if os.path.lexists(folder / ".git"):
            return folder
    return None


def key(args: list[str]) -> str:
    sources = []
    for folder, _dirs, names in os.walk(PACKAGE / "core"):
        sources += [os.path.join(folder, n) for n in names if n.endswith(".py")]
    for folder, _dirs, names in os.walk(PACKAGE / "plugins"):
        sources += [os.path.join(folder, n) for n in names if n.endswith(".py")]
    user = os.environ.get("SEEDBED_CONFIG") or str(
        Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
        / "seedbed"
        / "config.toml"
    )
    root = _root(Path.cwd())
    repo = [str(root / n) for n in (".seedbed.toml", "pyproject.toml")] if root else []
    parts: list[Any] = [
        args,
        sys.executable,
        sys.path,
        _width(),
        sorted((k, v) for k, v in os.environ.items() if k.startswith("SEEDBED_")),
        [_stat(p) for p in (*sorted(sources), *sys.path, user, *repo)],
    ]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()[:32]


def _folder() -> Path:
    home = os.environ.get("SEEDBED_HOME")
    if home:
        return Path(home) / "cache"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "seedbed"


def show(args: list[str], full: Callable[[], None]) -> None:
    """Print the cached help, or run full() (the CLI) and keep what it printed."""
    path: Path | None = None
    text: str | None = None
    try:
        path = _folder() / f"help-{key(args)}.txt"
        text = path.read_text()
    except (OSError, ValueError):
        text = None
    if text is not None:
        sys.stdout.write(text)
        sys.stdout.flush()
        raise SystemExit(0)
    real, captured = sys.stdout, io.StringIO()
    sys.stdout = captured
    code: object = 0
    try:
        full()
    except SystemExit as exc:
        code = exc.code
    finally:
        sys.stdout = real
    text = captured.getvalue()
    real.write(text)
    real.flush()
    if code in (0, None) and path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{os.getpid()}")
            tmp.write_text(text)
            os.replace(tmp, path)
        except OSError:
            pass
    raise SystemExit(code)
