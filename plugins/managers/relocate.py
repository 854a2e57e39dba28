"""Build a worktree's virtual environment from a sibling's healthy one.

Used by the pip, poetry and pdm plugins (and uv's for a project without a
uv.lock; with one, `uv sync --frozen` is cheaper) when another worktree of the
same repository has a ready environment with the same fingerprint. The sibling's
environment is never linked, shared or copied wholesale (its scripts, activate
files and editable installs all name the sibling's path). Instead:

1. a fresh environment with the same interpreter (`uv venv`, about 20 ms);
2. the sibling's exact installed set, read from its dist-info folders (no
   process, no resolution), installed with `uv pip install --no-deps`, offline
   first (no request per package to the index), online only when that fails:
   files come from uv's own cache (hardlinked or cloned, per uv's link mode)
   and console scripts are written for the new path;
3. distributions that live in the sibling's tree (the project's own editable
   install, path dependencies) and the seed tools uv's cache may lack (pip,
   setuptools, wheel) are copied file by file from their RECORD, rewriting the
   sibling's root to this worktree's in text files; so the editable install
   points at this worktree's source, without a build.

The result is checked like any other setup (health check and repair checks)
and the core falls back to the manager's own full install when anything fails.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import os
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlparse

from seedbed.core.types import SetupContext, Step
from seedbed.plugins.managers import base, record, repair

SEED = frozenset({"pip", "setuptools", "wheel", "distribute"})
REQUIREMENTS = "reuse-requirements.txt"


@dataclass(frozen=True)
class Dist:
    name: str
    version: str
    dist_info: Path
    direct_url: dict[str, Any] | None


@dataclass(frozen=True)
class Plan:
    requirements: tuple[str, ...]  # for uv pip install --no-deps
    copies: tuple[Dist, ...]  # copied from the sibling with paths rewritten


def normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def site_packages(environment: Path) -> Path | None:
    found = sorted(environment.glob("lib/python*/site-packages"))
    return found[0] if found else None


def installed(site: Path) -> list[Dist]:
    """Every distribution in site-packages, from its dist-info (no import)."""
    import json

    dists = []
    for info in sorted(site.glob("*.dist-info")):
        try:
            headers = (info / "METADATA").read_text(errors="replace")
        except OSError:
            continue
        name = _header(headers, "Name")
        version = _header(headers, "Version")
        if not name or not version:
            continue
        direct: dict[str, Any] | None = None
        try:
            direct = json.loads((info / "direct_url.json").read_text())
        except (OSError, ValueError):
            direct = None
        dists.append(Dist(name, version, info, direct))
    return dists


def _header(text: str, key: str) -> str:
    for line in text.splitlines():
        if not line.strip():
            break  # headers end at the first blank line
        if line.lower().startswith(key.lower() + ":"):
            return line.split(":", 1)[1].strip()
    return ""


def url_path(url: str) -> Path | None:
    parsed = urlparse(url)
    return Path(unquote(parsed.path)) if parsed.scheme == "file" else None


def within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def plan(dists: Sequence[Dist], donor_root: Path) -> Plan:
    requirements: list[str] = []
    copies: list[Dist] = []
    for dist in dists:
        direct = dist.direct_url or {}
        url = str(direct.get("url", ""))
        path = url_path(url) if url else None
        editable = bool(direct.get("dir_info", {}).get("editable"))
        if normalize(dist.name) in SEED or (path and within(path, donor_root)):
            copies.append(dist)
        elif editable and path is not None:
            requirements.append(f"-e {path}")
        elif "vcs_info" in direct:
            vcs = direct["vcs_info"]
            requirements.append(
                f"{dist.name} @ {vcs.get('vcs', 'git')}+{url}@{vcs.get('commit_id')}"
            )
        elif url:
            requirements.append(f"{dist.name} @ {url}")
        else:
            requirements.append(f"{dist.name}=={dist.version}")
    return Plan(tuple(requirements), tuple(copies))


class Rewriter:
    """Replaces the sibling's root with this worktree's in text, plain and as
    it appears in file:// URLs, only where a path component ends."""

    def __init__(self, old: Path, new: Path) -> None:
        self.pairs = []
        # URLs first (quoted: a space or non-ASCII letter is %-encoded there),
        # then plain paths.
        for old_text, new_text in (
            ("file://" + quote(str(old)), "file://" + quote(str(new))),
            (str(old), str(new)),
        ):
            pattern = re.compile(re.escape(old_text.encode()) + rb"(?=[/\"'\s,;:]|$)")
            self.pairs.append((pattern, new_text.encode()))

    def bytes(self, data: bytes) -> bytes:
        if b"\0" in data:  # compiled or binary: never edit (lengths are encoded)
            return data
        for pattern, replacement in self.pairs:
            # A function, so backslashes in the new path are taken literally.
            data = pattern.sub(_literal(replacement), data)
        return data

    def text(self, value: str) -> str:
        return self.bytes(value.encode()).decode()


def _literal(replacement: bytes) -> Callable[[re.Match[bytes]], bytes]:
    return lambda _match: replacement


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode()


def copy_dist(
    dist: Dist,
    donor_env: Path,
    new_env: Path,
    rewrite: Rewriter,
) -> None:
    """Copy one distribution's files into new_env, rewriting the old root."""
    donor_site = dist.dist_info.parent
    record = dist.dist_info / "RECORD"
    rows = list(csv.reader(io.StringIO(record.read_text())))
    out_rows: list[list[str]] = []
    for row in rows:
        if not row:
            continue
        name = row[0]
        source = Path(
            os.path.normpath(Path(name) if os.path.isabs(name) else donor_site / name)
        )
        if source == record or not within(source, donor_env):
            out_rows.append([rewrite.text(name), *row[1:]])
            continue
        target = new_env / source.relative_to(donor_env)
        try:
            data = source.read_bytes()
        except (FileNotFoundError, IsADirectoryError):
            continue  # RECORD lists a file the sibling no longer has
        new_data = rewrite.bytes(data)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(new_data)
        shutil.copymode(source, target)
        if new_data == data:  # keep mtimes, so copied .pyc files stay valid
            shutil.copystat(source, target)
        hashed = row[1] if len(row) > 1 else ""
        if hashed and new_data != data:
            row = [name, _record_hash(new_data), str(len(new_data))]
        out_rows.append([rewrite.text(row[0]), *row[1:]])
    target_record = new_env / record.relative_to(donor_env)
    target_record.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(out_rows)
    target_record.write_text(buffer.getvalue())


def offline_first(
    name: str, install: tuple[str, ...], cwd: Path, env: dict[str, str]
) -> Step:
    """The install with `--offline` first: the sibling's exact set is in uv's
    cache, and offline uv sends no revalidation request per package (online it
    sends one for each). Only when that fails (a file the cache lacks, a cache
    cleaned since) the same install runs online. Both run through core.runner.
    """
    from seedbed.core import runner
    from seedbed.core.errors import SetupError

    def install_set() -> None:
        offline = (*install[:3], "--offline", *install[3:])
        for argv in (offline, install):
            done = runner.run_argv(name, argv, cwd=cwd, env=runner.child_env(env))
            if done.ok:
                return
        raise SetupError(
            f"step '{name}' failed (exit {done.exit_code})",
            done.output_tail or "see the setup log",
        )

    return Step(name, action=install_set, labels={"installer": "uv"})


def reuse_steps(
    context: SetupContext, donor_root: Path, donor_env: Path
) -> Sequence[Step] | None:
    """The steps that produce this worktree's environment from donor_env, or
    None when this manager cannot reuse it here (no uv, unknown layout, or
    the donor's environment has path problems of its own)."""
    workspace = context.workspace
    donor_site = site_packages(donor_env)
    uv = context.tools.get("uv")
    if uv is None or donor_site is None:
        return None
    if repair.donor_problems(donor_root, donor_env, workspace.common_dir):
        return None
    environment = base.env_dir(workspace)
    python = base.env_python(environment)
    chosen = plan(installed(donor_site), donor_root)
    listing = workspace.root / ".seedbed" / REQUIREMENTS
    rewrite = Rewriter(donor_root, workspace.root)

    def relocate() -> None:
        listing.parent.mkdir(parents=True, exist_ok=True)
        listing.write_text("".join(f"{line}\n" for line in chosen.requirements))
        for dist in chosen.copies:
            copy_dist(dist, donor_env, environment, rewrite)

    steps = [
        base.remove_env_step(environment, workspace.root),
        base.create_venv_step(context, environment),
        Step(
            "relocate from sibling",
            action=relocate,
            labels={"reused_from": str(donor_root)},
        ),
    ]
    if chosen.requirements:
        install = (
            uv,
            "pip",
            "install",
            "--python",
            str(python),
            "--no-deps",
            *base.link_mode_args(workspace),
            "-r",
            str(listing),
        )
        steps.append(
            offline_first(
                "uv pip install (sibling's set)",
                install,
                workspace.root,
                base.uv_base_env(workspace),
            )
        )
    describe = getattr(context.manager, "describe_install", None)
    if context.manager is not None and describe is not None:
        data = describe(workspace)
        steps.append(record.record_step(workspace, context.manager.name, data))
    return steps
