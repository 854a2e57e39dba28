"""Find the Python interpreter a worktree asks for, among those on this machine.

The request comes from config `python`, else the manager's version files
(`.python-version`; pip projects also `runtime.txt`, `python-3.12.1`), else
the project's `requires-python`, else the first python3 on PATH. Candidates: PATH,
pyenv's versions and the folders package managers say their tools installed
interpreters into (`Manager.interpreter_dirs`). Versions are guessed from paths first,
so only the chosen interpreter is started (each start costs about 20 ms).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seedbed.core import interpreter_cache, versionspec
from seedbed.core.errors import ConfigError, EnvironmentProblem
from seedbed.core.types import Interpreter

if TYPE_CHECKING:  # packaging costs 10-20 ms to import: only an unusual
    # request (core/versionspec.py answers ">=3.11", "==3.12.*") needs it
    from packaging.specifiers import SpecifierSet

_VERSION_IN_PATH = re.compile(r"(?:python|cpython-|versions/)(\d+\.\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class Request:
    """What interpreter is wanted, and where the wish came from (for errors).

    spec_text: a valid PEP 440 specifier set (">=3.11"), None for any;
    `spec` is it as packaging's SpecifierSet, made only when asked for."""

    spec_text: str | None
    text: str
    origin: str
    path: Path | None = None  # an explicit interpreter path

    @property
    def spec(self) -> SpecifierSet | None:
        return None if self.spec_text is None else _specifier_set(self.spec_text)

    def admits(self, version: str) -> bool:
        """Whether version ("3.12.1") satisfies the request's spec."""
        return matches(self.spec_text, version)


def _specifier_set(text: str) -> SpecifierSet:
    from packaging.specifiers import SpecifierSet

    return SpecifierSet(text)


VERSION_FILES = (".python-version",)


def request_for(
    root: Path,
    configured: str,
    pyproject: Mapping[str, Any],
    version_files: Sequence[str] = VERSION_FILES,
) -> Request:
    if configured:
        return _parse(configured, "config key 'python'")
    for name in version_files:
        version_file = root / name
        if not version_file.is_file():
            continue
        lines = [
            line.strip()
            for line in version_file.read_text(errors="replace").splitlines()
            if line.strip() and not line.startswith("#")
        ]
        if lines:
            request = _parse(lines[0], str(version_file))
            if name == "runtime.txt":
                # A deployment's exact pin (python-3.12.4): locally, the same
                # minor series is the same Python for a worktree's purposes.
                return _series(request)
            return request
    requires = pyproject.get("project", {}).get("requires-python")
    if isinstance(requires, str) and requires.strip():
        return _parse(requires, f"{root / 'pyproject.toml'} requires-python")
    return Request(None, "", "default")


def _series(request: Request) -> Request:
    bare = request.text.strip().removeprefix("python").removeprefix("-")
    if re.fullmatch(r"\d+\.\d+\.\d+", bare):
        minor = ".".join(bare.split(".")[:2])
        return Request(f"=={minor}.*", request.text, request.origin)
    return request


def _parse(text: str, origin: str) -> Request:
    text = text.strip()
    if "/" in text:
        return Request(None, text, origin, Path(text))
    bare = text.removeprefix("cpython-").removeprefix("python").removeprefix("-")
    if re.fullmatch(r"\d+(\.\d+){0,2}", bare):
        parts = bare.split(".")
        spec = f"=={bare}" if len(parts) == 3 else f"=={bare}.*"
        return Request(spec, text, origin)
    if versionspec.parse(text) is not None:  # valid: no packaging needed
        return Request(text, text, origin)
    from packaging.specifiers import InvalidSpecifier

    try:
        return Request(str(_specifier_set(text)), text, origin)
    except InvalidSpecifier:
        raise ConfigError(
            f"{origin}: {text!r} is not a Python version or version range",
            "write e.g. 3.12, 3.12.1 or >=3.11",
        ) from None


def _candidates(extra_dirs: Sequence[Path] = ()) -> Iterator[Path]:
    names = ["python3", *(f"python3.{minor}" for minor in range(20, 5, -1)), "python"]
    for directory in os.environ.get("PATH", "").split(os.pathsep):
        if not directory:
            continue
        if "/shims" in directory:
            # pyenv shims re-dispatch on the cwd; take what they would give the
            # user by default (their global version) at this place in PATH.
            yield from _pyenv_default()
            continue
        for name in names:
            path = Path(directory) / name
            # A virtualenv's python (maybe a sibling worktree's, activated in the
            # user's shell) is never the base of another environment.
            if (path.parent.parent / "pyvenv.cfg").exists():
                continue
            if os.access(path, os.X_OK) and path.is_file():
                yield path
    roots = [
        Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions",
        *extra_dirs,
    ]
    for root in roots:
        if root.is_dir():
            for entry in sorted(root.iterdir()):
                path = entry / "bin" / "python3"
                if path.is_file():
                    yield path


def _pyenv_default() -> Iterator[Path]:
    root = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    wanted = os.environ.get("PYENV_VERSION", "")
    if not wanted:
        try:
            wanted = (root / "version").read_text().split()[0]
        except (OSError, IndexError):
            return
    for version in wanted.split(":"):
        path = root / "versions" / version / "bin" / "python3"
        if path.is_file():
            yield path


def _guess(path: Path) -> str | None:
    for text in (str(path), os.path.realpath(path)):
        found = _VERSION_IN_PATH.findall(text)
        if found:
            return str(found[-1])
    return None


def probe(path: Path) -> str | None:
    """The interpreter's exact version; None when it cannot run. Asked once
    per interpreter file (core/interpreter_cache keeps the answer until the
    file changes): each start costs 20-50 ms."""
    version = interpreter_cache.known(path)
    if version is None:
        version = _ask(path)
        if version is not None:
            interpreter_cache.remember(path, version)
    return version


def _ask(path: Path) -> str | None:
    try:
        out = subprocess.run(
            [str(path), "-c", "import sys; print('%d.%d.%d' % sys.version_info[:3])"],
            capture_output=True,
            text=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def matches(spec: SpecifierSet | str | None, version: str) -> bool:
    """Whether version ("3.12.1") satisfies spec (a SpecifierSet or its text);
    None matches everything."""
    if spec is None:
        return True
    if isinstance(spec, str):
        simple = versionspec.contains(spec, version)
        if simple is not None:
            return simple
        spec = _specifier_set(spec)
    from packaging.version import InvalidVersion, Version

    try:
        return Version(version) in spec
    except InvalidVersion:
        return False


def find(request: Request, extra_dirs: Sequence[Path] = ()) -> Interpreter:
    """The interpreter the request names; extra_dirs: folders holding
    installed interpreters (each entry's bin/python3), searched after PATH."""
    if request.path is not None:
        version = probe(request.path)
        if version is None:
            raise EnvironmentProblem(
                f"{request.path} (from {request.origin}) is not a working interpreter",
                "point `python` at an existing interpreter",
            )
        return Interpreter(request.path, version)
    # The spec, not only the text: runtime.txt reads "python-3.12.4" as 3.12.*.
    wanted = f"{request.text}\0{request.spec_text}"
    key = interpreter_cache.search_key(wanted, _searched(extra_dirs), _search_env())
    known = interpreter_cache.chosen(key)
    if known is not None:
        return Interpreter(*known)
    found = _search(request, extra_dirs)
    interpreter_cache.choose(key, found.path, found.version)
    return found


def _searched(extra_dirs: Sequence[Path]) -> list[Path]:
    """Every folder the search lists (PATH's, pyenv's versions, the managers'
    interpreter folders) and pyenv's global version file (rewritten in place
    by `pyenv global`, so its folder's mtime stays)."""
    pyenv = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv"))
    path = [Path(d) for d in os.environ.get("PATH", "").split(os.pathsep) if d]
    return [*path, pyenv / "version", pyenv / "versions", *extra_dirs]


def _search_env() -> list[str]:
    return [
        os.environ.get(name, "") for name in ("PATH", "PYENV_ROOT", "PYENV_VERSION")
    ]


def _search(request: Request, extra_dirs: Sequence[Path]) -> Interpreter:
    seen: set[str] = set()
    guesses: list[tuple[Path, str | None]] = []
    for path in _candidates(extra_dirs):
        real = os.path.realpath(path)
        if real in seen:
            continue
        seen.add(real)
        guesses.append((path, _guess(path)))
    # PATH's python3 first (what a user gets by default), then the newest match.
    first = next((str(p) for p, _ in guesses if p.name == "python3"), None)
    ordered = sorted(
        guesses,
        key=lambda item: (
            str(item[0]) != first,
            [-int(p) for p in (item[1] or "0").split(".")],
        ),
    )
    found_versions: list[str] = []
    for path, guess in ordered:
        if guess and len(guess.split(".")) == 3 and not request.admits(guess):
            found_versions.append(guess)
            continue
        if (
            guess
            and len(guess.split(".")) == 2
            and request.spec_text is not None
            and not _minor_may_match(request.spec_text, guess)
        ):
            found_versions.append(guess)
            continue
        version = probe(path)
        if version is None:
            continue
        if request.admits(version):
            return Interpreter(path, version)
        found_versions.append(version)
    raise missing(request, found_versions)


def missing(
    request: Request, found_versions: Sequence[str], how: str = ""
) -> EnvironmentProblem:
    """The error for a request no interpreter here meets; how: the ways to get
    one (the manager's, else the general ones)."""
    wanted = f"Python {request.text} (from {request.origin})"
    versions = distinct(found_versions)
    found = ", ".join(versions) or "none"
    short = _short_request(request.text)
    how = how or (
        f"install Python {short} (`pyenv install {short}`, or your system's package)"
    )
    return EnvironmentProblem(
        f"no interpreter for {wanted} on this machine; found: {found}",
        f"{how}, or set `python` in [tool.seedbed] or .seedbed.toml to one that exists",
        wanted=request.text,
        found=versions,
    )


def distinct(versions: Sequence[str]) -> list[str]:
    """Each interpreter once, oldest first: a version guessed from a name
    ("3.11") goes when an exact one of its series ("3.11.7") is known."""
    exact = {v for v in versions if len(v.split(".")) >= 3}
    kept = {
        v
        for v in versions
        if len(v.split(".")) >= 3 or not any(e.startswith(v + ".") for e in exact)
    }
    return sorted(kept, key=_sort_key)


def _short_request(text: str) -> str:
    """A version to name in an install hint ("3.14" for "3.14", ">=3.14")."""
    found = re.search(r"\d+\.\d+(\.\d+)?", text)
    return found.group(0) if found else text


def _minor_may_match(spec: str, guess: str) -> bool:
    """A guessed X.Y may match when some X.Y.Z does (an exact pin included)."""
    major_minor = ".".join(guess.split(".")[:2])
    return any(matches(spec, f"{major_minor}.{patch}") for patch in range(50))


def _sort_key(version: str) -> list[int]:
    return [int(part) for part in version.split(".") if part.isdigit()]
