"""Applications found from code: Python parsed with `ast`, never text matching.

A docstring, a comment or a string holding `app = Flask(...)` is not an app: only
a module-level assignment whose value calls the framework's class (imported from
the framework's package in that module) or a module-level app factory counts.

A library is not an app: candidates under examples/, docs/, tests/ (and the like)
are left out, so a framework's own repository or a library with example apps
detects none (name the app in the config to serve one of them).

An app in a subfolder with its own project files (a `backend/` holding
pyproject.toml, alembic.ini or requirements.txt) gets that folder as its
`folder`: serve, test and the migrations run there.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seedbed.core.discovery import project_files, read_small
from seedbed.core.types import Detection

if TYPE_CHECKING:
    from seedbed.core.workspace import Workspace

# Folders whose apps are examples, documentation or fixtures, not the project's.
NOT_THE_APP = frozenset(
    {"examples", "example", "docs", "doc", "tests", "test", "testing", "benchmarks"}
)
# Files that make a subfolder a project of its own (commands run there).
PROJECT_FILES = (
    "pyproject.toml",
    "alembic.ini",
    "manage.py",
    "requirements.txt",
    "setup.py",
    "setup.cfg",
)
PREFERRED = ("app.py", "main.py", "wsgi.py", "asgi.py", "__init__.py")


@dataclass(frozen=True)
class AppDetection(Detection):
    """A detection with the folder its commands run in ("" = the worktree)."""

    folder: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {**super().as_dict(), "folder": self.folder}


@dataclass(frozen=True)
class Definition:
    path: Path
    name: str  # the variable or the factory function
    factory: bool


def parse(path: Path) -> ast.Module | None:
    text = read_small(path)
    if not text:
        return None
    try:
        return ast.parse(text, filename=str(path))
    except (SyntaxError, ValueError):
        return None


def imported_names(tree: ast.Module, package: str) -> tuple[set[str], set[str]]:
    """(names bound by `from package import X`, aliases of `import package`)."""
    names: set[str] = set()
    modules: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.level == 0:
            if node.module == package:
                names.update(alias.asname or alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == package:
                    modules.add(alias.asname or alias.name)
    return names, modules


def _calls_class(value: ast.expr, cls: str, names: set[str], mods: set[str]) -> bool:
    if not isinstance(value, ast.Call):
        return False
    func = value.func
    if isinstance(func, ast.Name):
        return func.id == cls and cls in names
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.attr == cls and func.value.id in mods
    return False


def definitions(
    tree: ast.Module, path: Path, package: str, cls: str, factories: Iterable[str]
) -> list[Definition]:
    """Module-level `NAME = cls(...)` and factory functions, in file order."""
    names, mods = imported_names(tree, package)
    if not names and not mods:
        return []
    wanted_factories = set(factories)
    found: list[Definition] = []
    for node in tree.body:
        if isinstance(node, ast.Assign) and _calls_class(node.value, cls, names, mods):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.append(Definition(path, target.id, False))
        elif (
            isinstance(node, ast.AnnAssign)
            and node.value is not None
            and isinstance(node.target, ast.Name)
            and _calls_class(node.value, cls, names, mods)
        ):
            found.append(Definition(path, node.target.id, False))
        elif isinstance(node, ast.FunctionDef) and node.name in wanted_factories:
            found.append(Definition(path, node.name, True))
    return found


def candidates(workspace: Workspace) -> list[Path]:
    """The project's own .py files (not examples, docs or tests), app.py and
    main.py first, shallow before deep."""
    root = workspace.root
    own = [
        path
        for path in project_files(workspace)
        if not NOT_THE_APP.intersection(path.relative_to(root).parts[:-1])
    ]
    return sorted(
        own,
        key=lambda p: (
            PREFERRED.index(p.name) if p.name in PREFERRED else len(PREFERRED),
            len(p.parts),
            str(p),
        ),
    )


def find_app(
    workspace: Workspace, package: str, cls: str, factories: Iterable[str] = ()
) -> Definition | None:
    """The first real definition of an app of `cls` from `package`."""
    factories = tuple(factories)
    for path in candidates(workspace):
        text = read_small(path)
        if package not in text:  # cheap filter before parsing
            continue
        tree = parse(path)
        if tree is None:
            continue
        found = definitions(tree, path, package, cls, factories)
        if found:
            # an instance beats a factory in the same module (`app = create_app()`
            # is not seen: the factory is then the answer)
            return sorted(found, key=lambda d: d.factory)[0]
    return None


def folder_of(workspace: Workspace, path: Path) -> str:
    """The nearest folder above path (below the worktree) with project files of
    its own, relative to the worktree; "" for the worktree itself."""
    root = workspace.root
    folder = path.parent
    best = ""
    while folder != root and root in folder.parents:
        if any((folder / name).is_file() for name in PROJECT_FILES):
            best = str(folder.relative_to(root))
            break
        folder = folder.parent
    return best


def string_argument(tree: ast.Module, first: str) -> str:
    """The second argument of any call whose first argument is the string
    `first` (os.environ.setdefault("DJANGO_SETTINGS_MODULE", "x.settings"))."""
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and len(node.args) >= 2
            and isinstance(node.args[0], ast.Constant)
            and node.args[0].value == first
            and isinstance(node.args[1], ast.Constant)
            and isinstance(node.args[1].value, str)
        ):
            return node.args[1].value
    return ""
