"""What the project is made of, shared by the frameworks family (which detects)
and the resources family (which provisions for what was detected): the
project's `.py` files, walked once per workspace object (`project_files`), and
the frameworks it uses (`FrameworkRegistry`, `Found`).

One command asks several times (the setup's steps, the run environment, the
editor's launch entry), so the walk of the project tree is done once per
workspace object and remembered: a Workspace is immutable and lives for one
command. Framework modules call these helpers (as pre-commit's languages
call lang_base's).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from seedbed.core.errors import EXIT_NOT_FOUND, ConfigError, SeedbedError
from seedbed.core.types import Detection, Framework

if TYPE_CHECKING:
    import pluggy
    from seedbed.core.workspace import Workspace

# Folders never scanned for an application: environments, caches, build
# output. Any folder whose name starts with "." (VCS, seedbed's state, tool
# caches, `.venv`) is skipped by python_files itself.
SKIP_DIRS = frozenset(
    {"venv", "node_modules", "__pycache__", "build", "dist", "site-packages"}
)
SCAN_LIMIT = 2000  # files: detection runs on every `seedbed run`; stay bounded
SCAN_MAX_BYTES = 512_000


@dataclass(frozen=True)
class Found:
    """A framework the project uses, with its detection."""

    framework: Framework
    detection: Detection

    @property
    def name(self) -> str:
        return self.framework.name


@dataclass(frozen=True)
class FrameworkRegistry:
    frameworks: dict[str, Framework] = field(default_factory=dict)

    @classmethod
    def load(cls, pm: pluggy.PluginManager) -> FrameworkRegistry:
        """Every plugin's frameworks; two with one name is an error naming both."""
        from seedbed.core.plugins import collect

        found = collect(pm, "seedbed_frameworks", Framework, "framework")
        return cls(dict(sorted(found.items())))

    def detect(self, workspace: Workspace) -> list[Found]:
        """The frameworks this worktree uses, by name."""
        return [
            Found(framework, detection)
            for framework in self.frameworks.values()
            if (detection := framework.detect(workspace)) is not None
        ]

    def choose(
        self, workspace: Workspace, name: str = "", configured: str = ""
    ) -> Found:
        """The framework a command acts on: by name, else configured, else the
        only one detected."""
        found = self.detect(workspace)
        wanted = name or configured
        if wanted:
            if wanted not in self.frameworks:
                raise UnknownFramework(wanted, sorted(self.frameworks))
            for item in found:
                if item.name == wanted:
                    return item
            raise SeedbedError(
                f"{workspace.root}: framework {wanted!r} not detected in this project",
                "detected: " + (", ".join(f.name for f in found) or "none"),
                EXIT_NOT_FOUND,
            )
        if not found:
            raise SeedbedError(
                f"{workspace.root}: no web framework detected",
                "known frameworks: " + ", ".join(sorted(self.frameworks)),
                EXIT_NOT_FOUND,
            )
        if len(found) > 1:
            raise ConfigError(
                f"{workspace.root}: more than one framework found: "
                + ", ".join(f.name for f in found),
                "name one (`seedbed serve NAME`) or set resources.framework",
                key="resources.framework",
            )
        return found[0]


class UnknownFramework(SeedbedError):
    def __init__(self, name: str, known: Sequence[str]) -> None:
        super().__init__(
            f"unknown framework {name!r}",
            "known frameworks: " + (", ".join(known) or "none installed"),
            EXIT_NOT_FOUND,
        )


# ---------------------------------------------------------------------------
# Helpers framework modules share (assigned or called, as pre-commit does)
# ---------------------------------------------------------------------------


def python_files(root: Path, skip: frozenset[str] = SKIP_DIRS) -> Iterator[Path]:
    """The project's .py files, bounded, environments and caches left out."""
    count = 0
    stack = [root]
    while stack:
        folder = stack.pop()
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir() and not entry.is_symlink():
                if entry.name not in skip and not entry.name.startswith("."):
                    stack.append(entry)
            elif entry.suffix == ".py" and entry.is_file():
                count += 1
                if count > SCAN_LIMIT:
                    return
                yield entry


# The walk's result per workspace object, dropped with the workspace; keyed by
# id because a Workspace (its config) is not hashable.
_WALKED: dict[int, tuple[weakref.ref[Workspace], tuple[Path, ...]]] = {}


def project_files(workspace: Workspace) -> tuple[Path, ...]:
    """The worktree's .py files (python_files), walked once per workspace."""
    key = id(workspace)
    held = _WALKED.get(key)
    if held is not None and held[0]() is workspace:
        return held[1]
    files = tuple(python_files(workspace.root, skip_dirs(workspace)))
    _WALKED[key] = (weakref.ref(workspace, lambda _: _WALKED.pop(key, None)), files)
    return files


def read_small(path: Path) -> str:
    """A source file's text, or "" when too big or unreadable."""
    try:
        if path.stat().st_size > SCAN_MAX_BYTES:
            return ""
        return path.read_text(errors="replace")
    except OSError:
        return ""


def module_name(root: Path, path: Path) -> str:
    """Dotted module for a file, honouring the src/ layout."""
    relative = path.relative_to(root).with_suffix("")
    parts = list(relative.parts)
    if parts and parts[0] == "src":
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def skip_dirs(workspace: Workspace) -> frozenset[str]:
    """SKIP_DIRS plus the worktree's own environment folder."""
    env_dir = str(workspace.config.get("env_dir", ".venv")).strip("/")
    return SKIP_DIRS | {env_dir.split("/", 1)[0]}


def folder(workspace: Workspace, detection: Detection) -> Path:
    """Where the app's commands run: its subfolder with project files of its
    own (scan.AppDetection.folder), else the worktree."""
    relative = str(getattr(detection, "folder", "") or "")
    return workspace.root / relative if relative else workspace.root


def is_package(workspace: Workspace) -> bool:
    """Whether the project builds as a package (so it is installed editable):
    a manager's environment and a dev container's set-up both ask."""
    data = workspace.pyproject
    return (
        "build-system" in data
        or "project" in data
        or (workspace.root / "setup.py").is_file()
        or (workspace.root / "setup.cfg").is_file()
    )
