"""The local advisory database: where it lives, how old it is, how it is renewed.

`seedbed audit update` downloads OSV's `PyPI/all.zip` into the per-user data
folder (`<data>/audit/all.zip`), shared by every project and worktree of the
user. The download goes to a temporary file, is read completely as an OSV
database, and only then replaces the old one: a cut connection or a damaged
file never costs the database that worked. A folder of OSV JSON files placed
at `<data>/audit/osv/` is used when there is no zip.
"""

from __future__ import annotations

import datetime
import os
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedbed.core import files
from seedbed.core.errors import (
    EXIT_ENVIRONMENT,
    EXIT_FAILED,
    EXIT_NOT_FOUND,
    SeedbedError,
)
from seedbed.plugins.audit import osv

DEFAULT_URL = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"
DOWNLOAD_TIMEOUT = 120.0
ZIP_NAME = "all.zip"
FOLDER_NAME = "osv"
SOURCE_NAME = "source.json"


def folder() -> Path:
    return files.user_dir("data") / "audit"


def default_database() -> Path:
    """The zip when present, else the unpacked folder (which may not exist)."""
    zipped = folder() / ZIP_NAME
    return zipped if zipped.exists() else folder() / FOLDER_NAME


@dataclass(frozen=True)
class Status:
    path: Path
    exists: bool
    updated_at: float | None  # seconds since the epoch
    url: str
    advisories: int | None = None

    def age_days(self, now: float | None = None) -> float | None:
        if self.updated_at is None:
            return None
        return max(0.0, ((now or time.time()) - self.updated_at) / 86400)

    def age_text(self) -> str:
        days = self.age_days()
        if days is None:
            return "unknown age"
        when = datetime.datetime.fromtimestamp(self.updated_at or 0).date()
        whole = int(days)
        return f"updated {when}, {whole} day{'' if whole == 1 else 's'} old"

    def as_dict(self) -> dict[str, Any]:
        days = self.age_days()
        return {
            "path": str(self.path),
            "exists": self.exists,
            "updated_at": self.updated_at,
            "age_days": round(days, 2) if days is not None else None,
            "url": self.url,
            "advisories": self.advisories,
        }


def status(path: Path) -> Status:
    """Where the database is and when it was last renewed (the download's
    record when seedbed made it, else the file's modification time)."""
    if not path.exists():
        return Status(path, False, None, "")
    source: Any = None
    if path.parent == folder():
        try:
            source = files.read_json(path.parent / SOURCE_NAME)
        except (OSError, ValueError):
            source = None
    if isinstance(source, dict) and isinstance(source.get("updated_at"), int | float):
        return Status(
            path, True, float(source["updated_at"]), str(source.get("url", ""))
        )
    return Status(path, True, path.stat().st_mtime, "")


def download(url: str, timeout: float = DOWNLOAD_TIMEOUT) -> Status:
    """Fetch url into the data folder, check it, then replace the database."""
    if not url.startswith(("http://", "https://", "file://")):
        raise SeedbedError(
            f"cannot download {url!r}: not an http(s) or file URL",
            "give --url http://…/all.zip (OSV's PyPI/all.zip or a mirror of it)",
            EXIT_FAILED,
        )
    target = folder()
    target.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".all-", suffix=".zip", dir=target)
    partial = Path(name)
    try:
        with os.fdopen(handle, "wb") as out:
            _fetch(url, out, timeout)
        try:
            database = osv.load(partial)
        except osv.DatabaseError as exc:
            raise SeedbedError(
                f"{url}: the download is not an OSV database ({exc.message})",
                "check the URL; the database you had is kept",
                EXIT_FAILED,
            ) from None
        os.replace(partial, target / ZIP_NAME)
    finally:
        partial.unlink(missing_ok=True)
    now = time.time()
    files.write_json_atomic(target / SOURCE_NAME, {"url": url, "updated_at": now})
    return Status(target / ZIP_NAME, True, now, url, database.count)


def _fetch(url: str, out: Any, timeout: float) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "seedbed-audit"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            while chunk := response.read(1 << 16):
                out.write(chunk)
    except urllib.error.HTTPError as exc:
        code = EXIT_NOT_FOUND if exc.code == 404 else EXIT_FAILED
        raise SeedbedError(
            f"{url}: the server answered {exc.code} {exc.reason}",
            "check the URL (OSV publishes PyPI/all.zip); the database you had is kept",
            code,
        ) from None
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise SeedbedError(
            f"{url}: cannot download ({reason})",
            "check the network or give --url a reachable mirror; "
            "the database you had is kept",
            EXIT_ENVIRONMENT,
        ) from None
