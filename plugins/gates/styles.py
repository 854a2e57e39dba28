"""Which formatter and linter the project configures.

Read from the project's files, never guessed from what happens to be installed:
  - tool tables in pyproject.toml (`[tool.ruff]`, `[tool.black]`, `[tool.isort]`);
  - config files (ruff.toml/.ruff.toml, .flake8, .isort.cfg) and sections of
    setup.cfg / tox.ini (`[flake8]`, `[isort]`);
  - the hooks of .pre-commit-config.yaml (repository URLs and hook ids);
  - the dev dependencies (optional-dependencies, dependency-groups, poetry and
    pdm dev groups, requirements*dev*/test files and requirements/ folders).

The format gate runs black (with isort when configured) when the project
formats with black and not with ruff; the lint gate runs flake8 when the
project lints with flake8 and does not configure ruff. Otherwise, and when
nothing is configured at all, both run ruff (88 columns).
"""

from __future__ import annotations

import configparser
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from seedbed.core.workspace import Workspace

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_REQUIREMENT_FILES = (
    "requirements-dev.txt",
    "requirements_dev.txt",
    "dev-requirements.txt",
    "requirements-test.txt",
    "test-requirements.txt",
    "requirements/*.txt",
    "requirements/*.in",
)


@dataclass(frozen=True)
class Styles:
    formatter: str  # "ruff" or "black"
    isort: bool  # run `isort --check-only` beside black
    linter: str  # "ruff" or "flake8"
    why: str  # one phrase for messages: what decided


def detect(workspace: Workspace) -> Styles:
    root = workspace.root
    tool = workspace.pyproject.get("tool", {})
    tool = tool if isinstance(tool, dict) else {}
    hooks = precommit_hooks(root)
    deps = dev_names(workspace)
    ini = _ini_sections(root)

    def uses(name: str, *sections: str) -> bool:
        return (
            name in tool
            or name in hooks
            or name in deps
            or any(section in ini for section in sections)
        )

    ruff_files = any((root / n).is_file() for n in ("ruff.toml", ".ruff.toml"))
    ruff = ruff_files or uses("ruff")
    table = tool.get("ruff")
    ruff_formats = "ruff-format" in hooks or (
        isinstance(table, dict) and isinstance(table.get("format"), dict)
    )
    black = uses("black")
    isort = uses("isort", "isort") or (root / ".isort.cfg").is_file()
    flake8 = uses("flake8", "flake8") or (root / ".flake8").is_file()
    formatter = "black" if black and not ruff_formats else "ruff"
    linter = "flake8" if flake8 and not ruff else "ruff"
    if formatter == "black" or linter == "flake8":
        why = "the project's configuration"
    elif ruff:
        why = "the project configures ruff"
    else:
        why = "nothing configured: ruff by default"
    return Styles(formatter, isort and formatter == "black", linter, why)


def precommit_hooks(root: Path) -> set[str]:
    """Hook ids and the last part of each repository URL in the pre-commit
    config (`ruff-pre-commit` counts as ruff, `mirrors-isort` as isort)."""
    path = root / ".pre-commit-config.yaml"
    if not path.is_file():
        return set()
    import importlib

    yaml: Any = importlib.import_module("yaml")  # no stubs for PyYAML here
    try:
        data = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError):
        return set()
    found: set[str] = set()
    repos = data.get("repos", []) if isinstance(data, dict) else []
    for repo in repos if isinstance(repos, list) else []:
        if not isinstance(repo, dict):
            continue
        url = str(repo.get("repo", "")).rstrip("/").removesuffix(".git")
        tail = url.rsplit("/", 1)[-1].lower()
        for prefix in ("mirrors-", "pre-commit-"):
            tail = tail.removeprefix(prefix)
        found.add(tail.removesuffix("-pre-commit"))
        for hook in repo.get("hooks", []) or []:
            if isinstance(hook, dict) and hook.get("id"):
                found.add(str(hook["id"]).lower())
    return found


def dev_names(workspace: Workspace) -> set[str]:
    """Distribution names (lower case) in the project's dev dependency sets."""
    data = workspace.pyproject
    texts: list[str] = []
    project = data.get("project", {})
    if isinstance(project, dict):
        texts += _strings(project.get("optional-dependencies"))
    texts += _strings(data.get("dependency-groups"))
    tool = data.get("tool", {})
    if isinstance(tool, dict):
        poetry = tool.get("poetry", {})
        if isinstance(poetry, dict):
            texts += _keys(poetry.get("dev-dependencies"))
            for group in (poetry.get("group") or {}).values():
                if isinstance(group, dict):
                    texts += _keys(group.get("dependencies"))
        pdm = tool.get("pdm", {})
        if isinstance(pdm, dict):
            texts += _strings(pdm.get("dev-dependencies"))
    for pattern in _REQUIREMENT_FILES:
        for path in sorted(workspace.root.glob(pattern)):
            try:
                texts += path.read_text(errors="replace").splitlines()
            except OSError:
                continue
    names = set()
    for text in texts:
        match = _NAME.match(text)
        if match and not text.lstrip().startswith(("#", "-")):
            names.add(match.group(1).lower().replace("_", "-"))
    return names


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for s in value if isinstance(s, str)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


def _keys(value: Any) -> list[str]:
    return [str(k) for k in value] if isinstance(value, dict) else []


def _ini_sections(root: Path) -> set[str]:
    sections: set[str] = set()
    for name in ("setup.cfg", "tox.ini"):
        path = root / name
        if not path.is_file():
            continue
        parser = configparser.ConfigParser(interpolation=None, strict=False)
        try:
            parser.read(path)
        except configparser.Error:
            continue
        sections.update(s.lower() for s in parser.sections())
    return sections
