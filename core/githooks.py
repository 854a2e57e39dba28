"""Install, uninstall and inspect seedbed's git hooks.

Install writes into the repository's real hooks directory (`git rev-parse
--git-path hooks`, which honours core.hooksPath), moves a hook that was there to
`<name>.seedbed-chained` (the new hook runs it first and returns its status), and
records what it did in `<common dir>/seedbed/hooks.json`. Uninstall puts back
exactly what was there. The hook never names one worktree's virtualenv: it finds
`seedbed` on PATH, falling back to the path install saw only when that path lies
outside every worktree of the repository.

One hooks folder can serve several repositories (core.hooksPath pointing at a
shared folder). `USERS` in that folder lists, one per line, the common git dirs
of the repositories that installed into it (written atomically under a flock of
the folder itself, so uninstall leaves nothing behind). Uninstall in one
removes only its line while another still uses the hooks; the last one
restores exactly what was there. A listed repository whose git dir is gone is
pruned.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedbed.core.assets import asset_dir
from seedbed.core.errors import HooksError
from seedbed.core.files import write_atomic
from seedbed.core.gitfacts import GitFacts

HOOK_NAMES = ("post-checkout", "post-merge", "post-rewrite")
MARKER = "seedbed-managed-hook"
CHAINED = ".seedbed-chained"
USERS = ".seedbed-repositories"


@dataclass(frozen=True)
class HookState:
    name: str
    path: str
    installed: bool
    chained: bool
    foreign: bool  # a hook that is not seedbed's sits where ours should
    # Seedbed's hook is there, installed by other repositories sharing the
    # folder, not by this one (it uninstalled, or never installed).
    shared: bool = False
    used_by: tuple[str, ...] = ()  # the repositories (common git dirs) listed

    def as_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "used_by": list(self.used_by)}


# ---------------------------------------------------------------------------
# The repositories that use one hooks folder
# ---------------------------------------------------------------------------


def repository_key(facts: GitFacts) -> str:
    """How a repository is listed: its common git dir, symlinks resolved (the
    hook compares it with `pwd -P`)."""
    key = os.path.realpath(facts.common_dir)
    if "\n" in key or "\r" in key:
        raise HooksError(
            f"{key}: a git dir with a line break cannot be listed in {USERS}",
            "move the repository to a path without one",
        )
    return key


@contextlib.contextmanager
def _folder_lock(directory: Path) -> Iterator[None]:
    """flock on the hooks folder itself: no lock file to leave behind."""
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def read_users(directory: Path) -> list[str] | None:
    """The listed repositories; None when the folder has no list (hooks
    installed by an older seedbed, or none)."""
    try:
        text = (directory / USERS).read_text()
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError):
        return []
    return [line for line in text.splitlines() if line.strip()]


def _write_users(directory: Path, users: list[str]) -> None:
    path = directory / USERS
    if not users:
        path.unlink(missing_ok=True)
        return
    write_atomic(path, "".join(f"{user}\n" for user in sorted(set(users))), 0o644)


def _gone(user: str) -> bool:
    """A listed repository that no longer exists (its git dir is gone)."""
    return not (Path(user) / "HEAD").exists()


def _git(facts: GitFacts, *args: str) -> str:
    out = subprocess.run(
        ["git", *args], cwd=facts.root, capture_output=True, text=True, check=False
    )
    return out.stdout.strip() if out.returncode == 0 else ""


def hooks_dir(facts: GitFacts) -> Path:
    found = _git(facts, "rev-parse", "--path-format=absolute", "--git-path", "hooks")
    return Path(found) if found else facts.common_dir / "hooks"


def manifest_path(facts: GitFacts) -> Path:
    return facts.common_dir / "seedbed" / "hooks.json"


def worktree_paths(facts: GitFacts) -> list[Path]:
    listing = _git(facts, "worktree", "list", "--porcelain")
    return [
        Path(line[9:]) for line in listing.splitlines() if line.startswith("worktree ")
    ]


def is_ours(path: Path) -> bool:
    try:
        return MARKER in path.read_text(errors="replace")[:400]
    except (OSError, UnicodeDecodeError):
        return False


def fallback_seedbed(facts: GitFacts) -> tuple[str, str]:
    """The seedbed executable to bake in as a fallback, and a warning (or "")."""
    candidates = [shutil.which("seedbed"), sys.argv[0] if sys.argv else None]
    for found in candidates:
        if not found or Path(found).name != "seedbed" or not os.access(found, os.X_OK):
            continue
        path = Path(found).absolute()
        for worktree in worktree_paths(facts):
            if path.is_relative_to(worktree):
                return "", (
                    f"seedbed runs from {path}, inside the worktree {worktree}; "
                    "the hook will look for seedbed on PATH only. Install seedbed "
                    "as a tool (in a folder of its own, on PATH) so every worktree "
                    "finds it."
                )
        return str(path), ""
    return "", "seedbed is not on PATH; the hook will find it there once it is"


def render_hook(fallback: str) -> str:
    template = (asset_dir("hooks") / "post-checkout").read_text()
    return template.replace("@FALLBACK@", shlex.quote(fallback) if fallback else "''")


def _check_not_in_a_worktree(facts: GitFacts, directory: Path) -> None:
    """A hooks directory inside a worktree (a relative core.hooksPath, usually
    tracked) would be edited in one checkout and missing from the others."""
    resolved = directory.resolve()
    if resolved.is_relative_to(facts.common_dir.resolve()):
        return  # .git/hooks: inside the main worktree's folder, but not its files
    for worktree in worktree_paths(facts):
        if resolved.is_relative_to(worktree.resolve()):
            raise HooksError(
                f"{directory}: core.hooksPath points inside the worktree {worktree}",
                "use an absolute core.hooksPath outside the worktrees, or call "
                '`seedbed hook "$(basename "$0")" "$@"` from your tracked hooks; '
                "nothing was changed",
                path=str(directory),
            )


def _check_writable(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, prefix=".seedbed-probe-"):
            pass
    except OSError as exc:
        raise HooksError(
            f"{directory}: hooks directory not writable ({exc.strerror or exc})",
            "fix its permissions (or core.hooksPath); nothing was changed",
            path=str(directory),
        ) from None


def _read_manifest(facts: GitFacts) -> dict[str, Any]:
    try:
        data = json.loads(manifest_path(facts).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_manifest(facts: GitFacts, data: dict[str, Any]) -> None:
    path = manifest_path(facts)
    if not data.get("hooks"):
        path.unlink(missing_ok=True)
        return
    write_atomic(path, json.dumps(data, indent=2, sort_keys=True) + "\n", 0o644)


def install(facts: GitFacts) -> dict[str, Any]:
    directory = hooks_dir(facts)
    _check_not_in_a_worktree(facts, directory)
    _check_writable(directory)
    fallback, warning = fallback_seedbed(facts)
    content = render_hook(fallback)
    me = repository_key(facts)
    with _folder_lock(directory):
        _install_into(facts, directory, content, fallback)
        users = read_users(directory) or []
        pruned = [user for user in users if user != me and _gone(user)]
        _write_users(directory, [u for u in users if u not in pruned] + [me])
    return {
        "hooks_dir": str(directory),
        "hooks": [h.as_dict() for h in status(facts)],
        "fallback": fallback,
        "warning": warning,
        "pruned": pruned,
    }


def _install_into(
    facts: GitFacts, directory: Path, content: str, fallback: str
) -> None:
    manifest = _read_manifest(facts)
    recorded: dict[str, Any] = manifest.setdefault("hooks", {})
    for name in HOOK_NAMES:
        target = directory / name
        chained = directory / (name + CHAINED)
        if (target.exists() or target.is_symlink()) and not is_ours(target):
            if chained.exists() or chained.is_symlink():
                raise HooksError(
                    f"{chained} already exists and {target} is not seedbed's",
                    "move one of them away by hand, then install again",
                )
            os.rename(target, chained)  # keeps content, mode, links: exact restore
        write_atomic(target, content, 0o755)
        recorded[name] = {
            "path": str(target),
            "chained": chained.exists() or chained.is_symlink(),
        }
    manifest["hooks_dir"] = str(directory)
    manifest["installed_at"] = time.time()
    manifest["fallback"] = fallback
    _write_manifest(facts, manifest)


def uninstall(facts: GitFacts) -> dict[str, Any]:
    """Remove this repository's hooks; in a folder other repositories still
    use, remove only this repository from its list and keep the hooks."""
    manifest = _read_manifest(facts)
    directories = {hooks_dir(facts)}
    if manifest.get("hooks_dir"):
        directories.add(Path(manifest["hooks_dir"]))
    me = repository_key(facts)
    result: dict[str, Any] = {
        "removed": [],
        "restored": [],
        "left_alone": [],
        "kept_for": [],
        "kept_in": [],
        "pruned": [],
    }
    for directory in sorted(directories):
        if not directory.is_dir():
            continue
        with _folder_lock(directory):
            users = read_users(directory)
            if users is not None:
                pruned = [u for u in users if u != me and _gone(u)]
                others = [u for u in users if u != me and u not in pruned]
                result["pruned"].extend(pruned)
                _write_users(directory, others)
                if others:
                    result["kept_for"].extend(others)
                    result["kept_in"].append(str(directory))
                    continue
            _remove_from(directory, result)
    _write_manifest(facts, {})
    return result


def _remove_from(directory: Path, result: dict[str, Any]) -> None:
    """Remove seedbed's hooks from directory and put back what they chained."""
    removed, restored = result["removed"], result["restored"]
    kept = result["left_alone"]
    for name in HOOK_NAMES:
        target = directory / name
        chained = directory / (name + CHAINED)
        if not is_ours(target):
            if chained.exists() or chained.is_symlink():
                kept.append(str(chained))  # the user replaced ours: keep both
            continue
        target.unlink()
        removed.append(str(target))
        if chained.exists() or chained.is_symlink():
            os.rename(chained, target)
            restored.append(str(target))


def status(facts: GitFacts) -> list[HookState]:
    """Each hook as it stands for this repository: seedbed's hooks in a shared
    folder that this repository is not listed in are `shared`, not installed."""
    directory = hooks_dir(facts)
    users = read_users(directory)
    mine = users is None or repository_key(facts) in users
    states = []
    for name in HOOK_NAMES:
        target = directory / name
        chained = directory / (name + CHAINED)
        ours = is_ours(target)
        states.append(
            HookState(
                name=name,
                path=str(target),
                installed=ours and mine,
                chained=chained.exists() or chained.is_symlink(),
                foreign=(target.exists() or target.is_symlink()) and not ours,
                shared=ours and not mine,
                used_by=tuple(users or ()),
            )
        )
    return states


def bypassed(facts: GitFacts) -> str:
    """Why installed hooks would not run (core.hooksPath moved since), or ""."""
    manifest = _read_manifest(facts)
    installed_in = manifest.get("hooks_dir")
    current = hooks_dir(facts)
    if installed_in and Path(installed_in) != current:
        return (
            f"hooks were installed in {installed_in} but git now runs hooks from "
            f"{current} (core.hooksPath)"
        )
    return ""
