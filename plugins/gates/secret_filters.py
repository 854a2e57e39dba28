"""Findings of the secrets gate that are known not to be secrets.

detect-secrets' entropy and keyword detectors flag ordinary content of files
every project commits; each rule below drops one such kind, on its own lines
only (a credential elsewhere in the same file is still reported):
  - hashes in lock files (uv.lock, poetry.lock, pdm.lock, Pipfile.lock,
    conda-lock) and `--hash=`/`sha256:` pins in requirements files;
  - the commit SHA of a `rev:` line in .pre-commit-config.yaml (what
    `pre-commit autoupdate --freeze` writes);
  - seedbed's own config keys whose names contain "secrets"
    (`secrets_stage = "pre-commit"`, `secrets_baseline = ...`).
The line is read to decide and never kept, printed or stored.
"""

from __future__ import annotations

import re
from pathlib import Path

from seedbed.core.types import Finding

ENTROPY = frozenset({"Hex High Entropy String", "Base64 High Entropy String"})
KEYWORD = "Secret Keyword"
LOCK_FILES = frozenset(
    {"uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock", "conda-lock.yml"}
)
_HASH_PIN = re.compile(r"--hash[= ]|\bsha(?:256|384|512):[0-9a-f]{32,}")
_REV = re.compile(r"""^\s*(?:-\s*)?rev:\s*["']?[0-9a-f]{7,40}["']?\s*(?:#.*)?$""")
_SEEDBED_KEY = re.compile(r"""^\s*["']?secrets_(?:stage|baseline)["']?\s*[=:]""")
_PRECOMMIT = frozenset({".pre-commit-config.yaml", ".pre-commit-config.yml"})


def is_false_positive(root: Path, finding: Finding) -> bool:
    name = Path(finding.file).name
    if finding.kind in ENTROPY and name in LOCK_FILES:
        return True
    line = _line(root / finding.file, finding.line)
    if line is None:
        return False
    if finding.kind in ENTROPY:
        if _HASH_PIN.search(line):
            return True
        return name in _PRECOMMIT and bool(_REV.match(line))
    if finding.kind == KEYWORD:
        return bool(_SEEDBED_KEY.match(line))
    return False


def keep(root: Path, findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if not is_false_positive(root, f)]


def _line(path: Path, number: int) -> str | None:
    if number < 1:
        return None
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            for index, text in enumerate(handle, 1):
                if index == number:
                    return text
    except OSError:
        return None
    return None
