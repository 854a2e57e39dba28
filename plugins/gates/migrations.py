"""The migrations gate: one Alembic head; no missing or conflicting Django ones.

Alembic (alembic.ini at the root): `alembic heads` from the worktree's
environment; more than one head means two branches added revisions and need a
merge (`alembic merge heads`). When alembic is not in the environment the
revision files are read directly (revision / down_revision), which needs no
imports. Django (manage.py at the root): `manage.py makemigrations --check
--dry-run`, which fails on models without migrations and on conflicting
leaves, with the environment's interpreter.
"""

from __future__ import annotations

import configparser
import re
from pathlib import Path

from seedbed.core.types import Finding, GateContext, GateResult
from seedbed.plugins.gates import tools

NAME = "migrations"
_REVISION = re.compile(r"^revision\s*(?::[^=]*)?=\s*['\"]([^'\"]+)['\"]", re.M)
_DOWN = re.compile(r"^down_revision\s*(?::[^=]*)?=\s*(.+)$", re.M)
_QUOTED = re.compile(r"['\"]([^'\"]+)['\"]")
_HEAD_LINE = re.compile(r"^(\w+) .*\(head\)")
_DJANGO_APP = re.compile(r"^Migrations for '([^']+)':")


class MigrationsGate:
    name = NAME
    stage = "pre-commit"
    description = (
        "Alembic has one head; Django has no missing or conflicting migrations"
    )

    def run(self, context: GateContext) -> GateResult:
        root = context.workspace.root
        results = []
        for folder in alembic_folders(root):
            results.append(alembic(context, folder))
        if (root / "manage.py").is_file():
            results.append(django(context))
        if not results:
            return GateResult(
                NAME, True, skipped=True, message="no Alembic or Django migrations"
            )
        failed = [r for r in results if not r.passed]
        return GateResult(
            NAME,
            not failed,
            error=bool(failed) and all(r.error for r in failed),
            findings=tuple(f for r in results for f in r.findings),
            message="; ".join(r.message for r in results),
            tool=", ".join(r.tool for r in results if r.tool),
            output="\n".join(r.output for r in failed if r.output),
        )


def alembic_folders(root: Path) -> list[Path]:
    """The root when it holds alembic.ini, else each top-level folder that
    does (a `backend/` with its own alembic.ini)."""
    if (root / "alembic.ini").is_file():
        return [root]
    return [
        d
        for d in sorted(root.iterdir())
        if not d.name.startswith(".") and (d / "alembic.ini").is_file()
    ]


def script_location(root: Path) -> Path:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read(root / "alembic.ini")
    where = parser.get("alembic", "script_location", fallback="alembic")
    return root / where.replace("%(here)s", str(root))


def revision_files(root: Path) -> dict[str, tuple[str, tuple[str, ...]]]:
    """revision id → (file relative to root, its down revisions)."""
    found: dict[str, tuple[str, tuple[str, ...]]] = {}
    for path in sorted((script_location(root) / "versions").glob("*.py")):
        text = path.read_text(errors="replace")
        revision = _REVISION.search(text)
        if revision is None:
            continue
        down = _DOWN.search(text)
        parents = tuple(_QUOTED.findall(down.group(1))) if down else ()
        found[revision.group(1)] = (str(path.relative_to(root)), parents)
    return found


def static_heads(root: Path) -> list[str]:
    revisions = revision_files(root)
    parents = {p for _, downs in revisions.values() for p in downs}
    return sorted(rev for rev in revisions if rev not in parents)


def alembic(context: GateContext, root: Path) -> GateResult:
    """One alembic.ini's heads; root is the folder holding it."""
    tool = tools.in_env(context, "alembic")
    output = ""
    if tool is not None:
        ran = tools.run(context, "alembic heads", [tool.path, "heads"], cwd=root)
        if not ran.ok:
            return GateResult(
                NAME,
                False,
                message=f"alembic heads could not run (exit {ran.result.exit_code}):"
                " the heads were not checked; see its output",
                tool=tool.describe(),
                output=tools.tail(ran.text),
                error=True,
            )
        heads = sorted(
            m.group(1)
            for line in ran.text.splitlines()
            if (m := _HEAD_LINE.match(line))
        )
        described, output = tool.describe(), ran.text
    else:
        heads, described = static_heads(root), "alembic revision files (read)"
    top = context.workspace.root
    prefix = "" if root == top else f"{root.relative_to(top)}/"
    files = {rev: prefix + f for rev, (f, _) in revision_files(root).items()}
    if len(heads) > 1:
        return GateResult(
            NAME,
            False,
            findings=tuple(
                Finding(files.get(h, "alembic"), 0, f"alembic head {h}") for h in heads
            ),
            message=f"Alembic has {len(heads)} heads ({', '.join(heads)}): "
            "merge them with `alembic merge heads`",
            tool=described,
            output=tools.tail(output),
        )
    return GateResult(NAME, True, message="Alembic: one head", tool=described)


def django(context: GateContext) -> GateResult:
    python = tools.require_python(context, "check Django's migrations")
    if not tools.env_has(context, "django"):
        return GateResult(
            NAME,
            False,
            message="Django: cannot check migrations: Django is not installed in "
            "the worktree's environment; run `seedbed setup` (see `seedbed "
            "status` if it failed)",
            tool=str(python),
            error=True,
        )
    argv = [str(python), "manage.py", "makemigrations", "--check", "--dry-run"]
    ran = tools.run(context, "makemigrations --check", [*argv, "--no-input"])
    if ran.ok:
        return GateResult(
            NAME, True, message="Django: migrations complete", tool=str(python)
        )
    findings = [
        Finding(f"{m.group(1)}/migrations", 0, "missing migration")
        for line in ran.text.splitlines()
        if (m := _DJANGO_APP.match(line.strip()))
    ]
    if "Conflicting migrations" in ran.text:
        findings.append(Finding("migrations", 0, "conflicting migrations"))
    if not findings:  # it failed before comparing models and migrations
        return GateResult(
            NAME,
            False,
            message="Django: manage.py makemigrations --check could not run "
            f"(exit {ran.result.exit_code}): see its output",
            tool=str(python),
            output=tools.tail(ran.text),
            error=True,
        )
    return GateResult(
        NAME,
        False,
        findings=tuple(findings),
        message="Django: migrations missing or conflicting: run "
        "`manage.py makemigrations` (or `--merge`)",
        tool=str(python),
        output=tools.tail(ran.text),
    )


GATE = MigrationsGate()


def main(argv: list[str] | None = None) -> int:
    from seedbed.plugins.gates.entry import run_hook

    return run_hook(NAME, argv)
