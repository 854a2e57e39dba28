"""The pre-commit hooks seedbed ships, as data: the one source for
`.pre-commit-hooks.yaml` (a test keeps the two equal) and for the local hooks
`seedbed init` writes when no hook repository is named."""

from __future__ import annotations

from typing import Any

from seedbed.plugins.gates.settings import DEFAULT_STAGES

PYTHON = ["python", "pyi"]

# gate → how pre-commit should call its console script.
GATE_HOOKS: dict[str, dict[str, Any]] = {
    "format": {
        "name": "seedbed format (ruff format --check)",
        "types_or": PYTHON,
    },
    "lint": {"name": "seedbed lint (ruff check)", "types_or": PYTHON},
    "types": {
        "name": "seedbed types (mypy)",
        "types_or": PYTHON,
        "pass_filenames": False,  # mypy checks the whole project, with its cache
    },
    "tests": {
        "name": "seedbed tests (pytest with coverage)",
        "types_or": PYTHON,
        "pass_filenames": False,
    },
    "secrets": {"name": "seedbed secrets (detect-secrets)"},
    "lock": {
        "name": "seedbed lock (lock file agrees with pyproject.toml)",
        "files": r"(^|/)(pyproject\.toml|uv\.lock|poetry\.lock|pdm\.lock)$",
        "pass_filenames": False,
    },
    "migrations": {
        "name": "seedbed migrations (Alembic heads, Django makemigrations)",
        "files": r"(\.py|(^|/)alembic\.ini)$",
        "pass_filenames": False,
    },
    # The audit gate lives in its own plugin family (plugins/audit), pre-push.
    "audit": {
        "name": "seedbed audit (known vulnerabilities, OSV)",
        "pass_filenames": False,
    },
}

SETUP_HOOK: dict[str, Any] = {
    "id": "seedbed-setup",
    "name": "seedbed setup (prepare this worktree's environment)",
    "description": "Creates or syncs the worktree's environment when a worktree is "
    "added or a branch changes the lock files.",
    "entry": "seedbed hook pre-commit",
    "language": "python",
    "pass_filenames": False,
    "always_run": True,
    "stages": ["post-checkout"],
}


def hook_id(gate: str) -> str:
    return f"seedbed-{gate}"


def definitions() -> list[dict[str, Any]]:
    """Every hook as `.pre-commit-hooks.yaml` declares it."""
    hooks: list[dict[str, Any]] = []
    for gate, extra in GATE_HOOKS.items():
        hooks.append(
            {
                "id": hook_id(gate),
                "entry": hook_id(gate),
                "language": "python",
                "stages": [DEFAULT_STAGES.get(gate, "pre-push")],
                **extra,
            }
        )
    hooks.append(dict(SETUP_HOOK))
    return hooks


def local_definitions(stages: dict[str, str]) -> list[dict[str, Any]]:
    """The same hooks as `repo: local` entries running the installed seedbed."""
    hooks = []
    for hook in definitions():
        local = {k: v for k, v in hook.items() if k != "description"}
        local["language"] = "system"
        gate = hook["id"].removeprefix("seedbed-")
        if gate in stages:
            local["stages"] = [stages[gate]]
        hooks.append(local)
    return hooks
