"""The secrets gate: detect-secrets over the staged files and .worktreeinclude's.

Why detect-secrets (Yelp): a maintained library with one plugin per credential
kind (AWS keys, private keys, basic-auth URLs, GitHub/Slack/Stripe tokens, high
entropy strings, keyword assignments), filters that drop common false positives,
and a baseline file format (`detect-secrets scan > .secrets.baseline`) for
accepting known findings (`seedbed secrets baseline` writes one), which
hand-written regexes would lack. secret_filters.py drops the known false
positives (lock-file hashes, pre-commit `rev:` SHAs, seedbed's own keys). It runs
in-process, so this gate needs nothing from the project's environment.

Findings carry file, line and the detector's name; the secret's value is never
read out of the scanner's record, printed or stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from seedbed.core.types import Finding, GateContext, GateResult
from seedbed.plugins.gates import files as filelists
from seedbed.plugins.gates import secret_filters
from seedbed.plugins.gates.settings import BASELINE

NAME = "secrets"


class SecretsGate:
    name = NAME
    stage = "pre-commit"
    description = "detect-secrets: no credentials in staged files or .worktreeinclude"

    def run(self, context: GateContext) -> GateResult:
        root = context.workspace.root
        baseline_name = str(context.settings.get("secrets_baseline") or BASELINE)
        chosen = list(context.files) or filelists.staged(root)
        names = _existing(
            root, [*chosen, *filelists.worktree_included(root)], baseline_name
        )
        if not names:
            return GateResult(
                NAME, True, figure=0.0, skipped=True, message="no files to scan"
            )
        try:
            findings = scan(root, names, root / baseline_name)
        except BaselineError as exc:
            return GateResult(NAME, False, message=str(exc), error=True)
        if findings:
            where = len({f.file for f in findings})
            message = (
                f"{len(findings)} potential secret(s) in {where} file(s) "
                f"(values not shown); remove them, or accept known ones with "
                f"`seedbed secrets baseline` (writes {baseline_name})"
            )
        else:
            message = f"no secrets in {len(names)} file(s)"
        return GateResult(
            NAME,
            not findings,
            figure=float(len(findings)),
            findings=tuple(findings),
            message=message,
            tool="detect-secrets (in-process)",
        )


class BaselineError(Exception):
    pass


def _existing(root: Path, names: Sequence[str], baseline: str) -> list[str]:
    seen: dict[str, None] = {}
    for name in names:
        path = root / name
        if name != baseline and path.is_file() and not path.is_symlink():
            seen.setdefault(name, None)
    return list(seen)


def scan(root: Path, names: Sequence[str], baseline: Path) -> list[Finding]:
    """New findings in names (relative to root), minus the baseline's."""
    # Imported here: detect-secrets loads every plugin on import (~0.2 s),
    # which other gates and commands should not pay.
    from detect_secrets.core import baseline as ds_baseline
    from detect_secrets.core.secrets_collection import SecretsCollection
    from detect_secrets.exceptions import UnableToReadBaselineError
    from detect_secrets.settings import default_settings

    # default_settings() is a transient global: every plugin and default filter,
    # restored on exit. A baseline then narrows them to its own plugins and
    # filters, as detect-secrets' own hook does.
    with default_settings():
        known = None
        if baseline.is_file():
            try:
                data = ds_baseline.load_from_file(str(baseline))
                known = ds_baseline.load(data, str(baseline.relative_to(root)))
            except (UnableToReadBaselineError, KeyError, ValueError) as exc:
                raise BaselineError(
                    f"{baseline}: not a detect-secrets baseline ({type(exc).__name__});"
                    " recreate it with `seedbed secrets baseline`"
                ) from exc
        found = SecretsCollection(root=str(root))
        for name in names:
            found.scan_file(name)
    # Compare by (file, hash, kind) ourselves: with a root, the scanner's
    # records carry absolute paths and never equal the baseline's relative ones.
    accepted = {(f, s.secret_hash, s.type) for f, s in known or ()}
    return secret_filters.keep(
        root,
        [
            Finding(filename, int(secret.line_number or 0), str(secret.type))
            for filename, secret in found
            if (filename, secret.secret_hash, secret.type) not in accepted
        ],
    )


def write_baseline(root: Path, names: Sequence[str], baseline: Path) -> int:
    """Write a detect-secrets baseline accepting the current findings in names
    (minus the known false positives); returns how many it accepts."""
    import json

    from detect_secrets.core import baseline as ds_baseline
    from detect_secrets.core.secrets_collection import SecretsCollection
    from detect_secrets.settings import default_settings
    from seedbed.core.files import write_atomic

    with default_settings():
        found = SecretsCollection(root=str(root))
        for name in names:
            found.scan_file(name)
        for filename in list(found.data):
            kept = {
                secret
                for secret in found.data[filename]
                if not secret_filters.is_false_positive(
                    root,
                    Finding(filename, int(secret.line_number or 0), str(secret.type)),
                )
            }
            if kept:
                found.data[filename] = kept
            else:
                del found.data[filename]
        data = ds_baseline.format_for_output(found)
    write_atomic(baseline, json.dumps(data, indent=2) + "\n")
    return sum(len(secrets) for secrets in found.data.values())


GATE = SecretsGate()


def main(argv: list[str] | None = None) -> int:
    from seedbed.plugins.gates.entry import run_hook

    return run_hook(NAME, argv)
