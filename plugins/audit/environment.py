"""The distributions installed in a worktree's environment, read from its files.

Every installer (uv, pip, poetry, pdm, conda) leaves a `*.dist-info/METADATA`
(or an older `*.egg-info/PKG-INFO`) per distribution in the environment's
site-packages, with the name and version as it was installed. Reading those
files needs no process and works for any venv or conda prefix, whichever
manager made it.
"""

from __future__ import annotations

from email.parser import HeaderParser
from pathlib import Path

from seedbed.core.errors import EXIT_ENVIRONMENT, SeedbedError

PATTERNS = (
    "lib/python*/site-packages/*.dist-info/METADATA",
    "lib/python*/site-packages/*.egg-info/PKG-INFO",
    "Lib/site-packages/*.dist-info/METADATA",  # Windows layout
)


def site_packages(env_dir: Path) -> list[Path]:
    return sorted(
        {*env_dir.glob("lib/python*/site-packages"), *env_dir.glob("Lib/site-packages")}
    )


def distributions(env_dir: Path) -> list[tuple[str, str]]:
    """(name, version) of every distribution installed in env_dir, by name.

    A missing environment is a SeedbedError (exit 6): nothing was checked."""
    if not site_packages(env_dir):
        raise SeedbedError(
            f"no environment with site-packages at {env_dir}",
            "run `seedbed setup` to create this worktree's environment",
            EXIT_ENVIRONMENT,
        )
    parser = HeaderParser()
    found: dict[str, tuple[str, str]] = {}
    for pattern in PATTERNS:
        for metadata in sorted(env_dir.glob(pattern)):
            try:
                headers = parser.parsestr(metadata.read_text("utf-8", "replace"))
            except OSError:
                continue  # removed while we looked: not installed any more
            name, version = headers.get("Name"), headers.get("Version")
            if name and version:
                found.setdefault(name.lower(), (str(name), str(version)))
    return sorted(found.values(), key=lambda item: item[0].lower())
