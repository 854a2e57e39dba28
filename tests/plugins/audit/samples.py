"""OSV advisories written by the tests, the packages they are about, and the
entry point that registers the audit plugin in a `seedbed` child process.

The wheels are real (tests/factories/wheels.write_wheel) and get installed by real uv
and pip; the advisories follow the OSV schema as OSV's PyPI/all.zip holds them.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

from tests.factories.wheels import make_wheelhouse, write_wheel

# name, version installed by the samples
PACKAGES = (
    ("vulnrange", "1.2"),  # inside introduced 1.0 / fixed 1.5
    ("Vuln_Exact", "2.0"),  # named in an explicit versions list
    ("vulnwithdrawn", "1.0"),  # its advisory is withdrawn
    ("vulnfixed", "3.0"),  # fixed in 2.5, before the installed version
)
REQUIREMENTS = ("vulnrange==1.2", "vuln-exact", "vulnwithdrawn", "vulnfixed")


def osv_record(
    ident: str,
    package: str,
    *,
    events: list[dict[str, str]] | None = None,
    versions: list[str] | None = None,
    aliases: list[str] | None = None,
    summary: str = "",
    withdrawn: str | None = None,
    ecosystem: str = "PyPI",
) -> dict[str, Any]:
    affected: dict[str, Any] = {"package": {"ecosystem": ecosystem, "name": package}}
    if events is not None:
        affected["ranges"] = [{"type": "ECOSYSTEM", "events": events}]
    if versions is not None:
        affected["versions"] = versions
    record: dict[str, Any] = {
        "schema_version": "1.6.0",
        "id": ident,
        "modified": "2026-11-01T00:00:00Z",
        "aliases": aliases or [],
        "summary": summary,
        "affected": [affected],
    }
    if withdrawn:
        record["withdrawn"] = withdrawn
    return record


ADVISORIES = (
    osv_record(
        "PYSEC-2026-101",
        "vulnrange",
        events=[{"introduced": "1.0"}, {"fixed": "1.5"}],
        aliases=["CVE-2026-10101", "GHSA-aaaa-bbbb-cccc"],
        summary="Range bug lets a request read any file",
    ),
    osv_record(
        "GHSA-xxxx-yyyy-zzzz",
        "vuln-exact",
        versions=["1.9", "2.0"],
        aliases=["CVE-2026-20202"],
        summary="Exact versions leak memory",
    ),
    osv_record(
        "PYSEC-2026-303",
        "vulnwithdrawn",
        events=[{"introduced": "0"}],
        summary="Withdrawn: not a vulnerability after all",
        withdrawn="2026-10-01T00:00:00Z",
    ),
    osv_record(
        "PYSEC-2026-404",
        "vulnfixed",
        events=[{"introduced": "0"}, {"fixed": "2.5"}],
        summary="Fixed long before the installed version",
    ),
    # Another ecosystem's package of the same name never matches.
    osv_record(
        "GO-2026-1",
        "vulnfixed",
        events=[{"introduced": "0"}],
        ecosystem="Go",
    ),
)
EXPECTED = {("vulnrange", "PYSEC-2026-101"), ("Vuln_Exact", "GHSA-xxxx-yyyy-zzzz")}


def write_zip(path: Path, records: tuple[dict[str, Any], ...] = ADVISORIES) -> Path:
    """A PyPI/all.zip-like archive: one <id>.json per advisory."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        for record in records:
            archive.writestr(f"{record['id']}.json", json.dumps(record))
    return path


def write_folder(path: Path, records: tuple[dict[str, Any], ...] = ADVISORIES) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    for record in records:
        (path / f"{record['id']}.json").write_text(json.dumps(record))
    return path


def audit_wheelhouse(directory: Path) -> Path:
    """The test wheelhouse (tiny packages, flit_core) plus the audited ones."""
    make_wheelhouse(directory)
    for name, version in PACKAGES:
        write_wheel(directory, name, version)
    write_wheel(directory, "vulnrange", "1.5")
    return directory


def plugin_path(directory: Path) -> Path:
    """A folder holding a dist-info that registers the audit plugin under the
    `seedbed` entry-point group, for PYTHONPATH: until seedbed's own
    pyproject.toml declares it, this is how a `seedbed` process finds it
    (pluggy skips the second registration once it does)."""
    info = directory / "seedbed_audit_tests-0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: seedbed-audit-tests\nVersion: 0\n"
    )
    (info / "entry_points.txt").write_text("[seedbed]\naudit = seedbed.plugins.audit\n")
    return directory
