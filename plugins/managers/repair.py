"""Why a worktree's environment must be rebuilt, found by reading files only.

An environment is tied to its path: scripts carry absolute shebangs, activate
scripts set VIRTUAL_ENV, editable installs name the source folder. After a
copy, a `git worktree move`, or an interpreter upgrade, it still "looks" fine
(its python may even run) while its tools run in another tree or fail. setup
asks the manager (`Manager.problems`, which the built-ins answer from here)
before anything else and rebuilds when it returns reasons (recorded in the setup
metric's detail as "repair"); `seedbed doctor` shows them.

No process is started: a few small reads, so the no-op setup stays fast;
configparser, shlex and urllib are imported only by the checks that need them
(every setup asks, and most environments never reach them).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from seedbed.core import interpreters
from seedbed.core.gitfacts import worktree_roots

if TYPE_CHECKING:
    from seedbed.core.workspace import Workspace

MAX_SCRIPT_BYTES = 4096  # a shebang is on the first line; never read binaries


def problems(
    workspace: Workspace,
    environment: Path,
    check_python: bool = True,
    version_files: Sequence[str] = interpreters.VERSION_FILES,
) -> list[str]:
    """Reasons the environment must be rebuilt; [] when none (or no env yet).
    check_python False: the environment file decides its interpreter (conda)."""
    if not environment.exists() and not environment.is_symlink():
        return []
    found = environment_problems(
        workspace.root, environment, _siblings(workspace.common_dir, workspace.root)
    )
    if check_python:
        found += interpreter_problems(workspace, environment, version_files)
    return found


def donor_problems(root: Path, environment: Path, common_dir: Path) -> list[str]:
    """environment_problems of a sibling worktree's environment (a reuse donor)."""
    return environment_problems(root, environment, _siblings(common_dir, root))


def _siblings(common_dir: Path, root: Path) -> Callable[[], Sequence[Path]]:
    """The other worktrees, listed only when asked (reading every worktree's
    gitdir file costs a read per worktree; most checks never need them)."""
    return lambda: [r for r in worktree_roots(common_dir) if r != root]


def environment_problems(
    root: Path,
    environment: Path,
    others: Sequence[Path] | Callable[[], Sequence[Path]] = (),
) -> list[str]:
    """Path and link problems of a venv or conda prefix at `environment`.

    others: the repository's other worktrees; an editable install pointing
    into one of them belongs to that worktree, not this one."""
    found: list[str] = []
    if environment.is_symlink():
        return [
            f"{environment} is a link to {os.readlink(environment)}: an "
            "environment is never shared between worktrees"
        ]
    python = environment / "bin" / "python"
    if python.is_symlink() and not python.exists():
        found.append(f"{python} is a broken link to {os.readlink(python)}")
    cfg = _pyvenv(environment)
    if cfg is not None:
        home = cfg.get("home", "")
        if home and not Path(home).is_dir():
            found.append(
                f"{environment}/pyvenv.cfg: base interpreter folder {home} is gone"
            )
    for script, target in _shebangs(environment):
        if not _inside(target, environment):
            found.append(
                f"{script} runs {target}: built for another path "
                "(copied or moved environment)"
            )
            break  # one script says it all
    activate = environment / "bin" / "activate"
    recorded = _activate_path(activate)
    if recorded and not _same(recorded, environment):
        found.append(f"{activate} activates {recorded}, not {environment}")
    for pth, target in _editable_paths(environment):
        if not _inside(target, root) and _in_any(target, others):
            found.append(
                f"{pth.name} points the editable install at {target}, "
                f"not this worktree ({root})"
            )
            break
        if not os.path.exists(target):
            found.append(f"{pth.name} points at {target}, which does not exist")
            break
    return found


def _in_any(target: str, others: Sequence[Path] | Callable[[], Sequence[Path]]) -> bool:
    listed = others() if callable(others) else others
    return any(_inside(target, o) for o in listed)


def interpreter_problems(
    workspace: Workspace,
    environment: Path,
    version_files: Sequence[str] = interpreters.VERSION_FILES,
) -> list[str]:
    cfg = _pyvenv(environment)
    if cfg is None:
        return []
    version = cfg.get("version_info") or cfg.get("version") or ""
    if not version:
        return []
    request = interpreters.request_for(
        workspace.root,
        str(workspace.config["python"]),
        workspace.pyproject,
        version_files,
    )
    if request.admits(version):
        return []
    return [
        f"{environment} runs Python {version}, but {request.origin} asks for "
        f"{request.text}"
    ]


# pyvenv.cfg's parsed keys by its identity: a setup checks the environment
# before and after its steps, each check reading the file twice.
_PARSED: dict[tuple[str, int, int, int], dict[str, str]] = {}


def _pyvenv(environment: Path) -> dict[str, str] | None:
    path = environment / "pyvenv.cfg"
    try:
        found = path.stat()  # before the read: a rewrite after it gets a new key
        text = path.read_text(errors="replace")
    except OSError:
        return None
    key = (str(path), found.st_ino, found.st_size, found.st_mtime_ns)
    if key not in _PARSED:
        _PARSED.clear()  # one environment per setup: keep the last only
        _PARSED[key] = _parse_cfg(text)
    return dict(_PARSED[key])


def _parse_cfg(text: str) -> dict[str, str]:
    import configparser

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string("[venv]\n" + text)
    except configparser.Error:
        return {}
    return dict(parser["venv"])


def _shebangs(environment: Path) -> Iterator[tuple[Path, str]]:
    """(script, interpreter) for scripts whose shebang names a python by
    absolute path. A relocatable script (`#!/bin/sh` trampoline) names none."""
    bin_dir = environment / "bin"
    try:
        entries = sorted(bin_dir.iterdir())
    except OSError:
        return
    for entry in entries:
        if entry.is_symlink() or not entry.is_file():
            continue
        try:
            with open(entry, "rb") as handle:
                head = handle.read(MAX_SCRIPT_BYTES)
        except OSError:
            continue
        if not head.startswith(b"#!"):
            continue
        line = head[2:].split(b"\n", 1)[0].decode(errors="replace").strip()
        target = line.split()[0] if line else ""
        if target.startswith("/") and "python" in os.path.basename(target):
            yield entry, target


def _activate_path(activate: Path) -> str:
    try:
        text = activate.read_text(errors="replace")
    except OSError:
        return ""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("VIRTUAL_ENV=") and "$" not in stripped:
            return _unquote(stripped.split("=", 1)[1].strip())
    return ""


def _unquote(value: str) -> str:
    """The path a shell assignment holds. uv quotes for sh (a quote in the
    path becomes '"'"'); python -m venv wraps it in double quotes unescaped,
    which sh cannot always read back: then the text between the outer quotes."""
    import shlex

    try:
        words = shlex.split(value)
    except ValueError:
        words = []
    if len(words) == 1:
        return words[0]
    if len(value) > 1 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _editable_paths(environment: Path) -> Iterator[tuple[Path, str]]:
    """Absolute folders that .pth files and editable direct_url.json name."""
    import json

    for site in environment.glob("lib/python*/site-packages"):
        for pth in sorted(site.glob("*.pth")):
            try:
                lines = pth.read_text(errors="replace").splitlines()
            except OSError:
                continue
            for line in lines:
                line = line.strip()
                if line.startswith("/") and not line.startswith("import"):
                    yield pth, line
        for direct in sorted(site.glob("*.dist-info/direct_url.json")):
            try:
                data = json.loads(direct.read_text())
            except (OSError, ValueError):
                continue
            if not data.get("dir_info", {}).get("editable"):
                continue
            from urllib.parse import unquote, urlparse

            url = urlparse(str(data.get("url", "")))
            if url.scheme == "file":
                yield direct.parent, unquote(url.path)


def _inside(path: str, folder: Path) -> bool:
    path = os.path.normpath(path)
    for base in {str(folder), os.path.realpath(folder)}:
        if path == base or path.startswith(base.rstrip("/") + "/"):
            return True
    return False


def _same(a: str, b: Path) -> bool:
    return os.path.normpath(a) in {str(b), os.path.realpath(b)}
