"""The `[tool.seedbed.gates]` keys: each gate's stage and the gates' knobs."""

from __future__ import annotations

from seedbed.core.types import STAGES, ConfigKey

SECTION = "gates"

# Fast gates run at every commit; slow ones (types, tests) before a push.
DEFAULT_STAGES: dict[str, str] = {
    "format": "pre-commit",
    "lint": "pre-commit",
    "types": "pre-push",
    "tests": "pre-push",
    "secrets": "pre-commit",
    "lock": "pre-commit",
    "migrations": "pre-commit",
}

COVERAGE_FLOOR = 80.0
LINE_LENGTH = 88
BASELINE = ".secrets.baseline"

CONFIG_KEYS: tuple[ConfigKey, ...] = (
    *(
        ConfigKey(
            f"{gate}_stage",
            "str",
            stage,
            f"when the {gate} gate runs: pre-commit, pre-push or manual",
            section=SECTION,
            choices=STAGES,
        )
        for gate, stage in DEFAULT_STAGES.items()
    ),
    ConfigKey(
        "coverage_floor",
        "float",
        COVERAGE_FLOOR,
        "tests gate: fail below this total coverage, in percent",
        section=SECTION,
        minimum=0,
        maximum=100,
    ),
    ConfigKey(
        "coverage_source",
        "list",
        [],
        "tests gate: what coverage measures (default: the coverage config's "
        "source, else src/ when present, else the project)",
        section=SECTION,
    ),
    ConfigKey(
        "pytest_args",
        "list",
        [],
        "tests gate: extra pytest arguments (e.g. ['-x', 'tests/unit'])",
        section=SECTION,
    ),
    ConfigKey(
        "mypy_strict",
        "bool",
        True,
        "types gate: run mypy with --strict",
        section=SECTION,
    ),
    ConfigKey(
        "mypy_targets",
        "list",
        [],
        "types gate: what mypy checks (default: mypy's `files` setting, else "
        "src/ when present, else the project)",
        section=SECTION,
        path=True,
    ),
    ConfigKey(
        "line_length",
        "int",
        LINE_LENGTH,
        "format and lint gates: columns, used when the project's ruff config "
        "sets no line-length (a value set here always wins)",
        section=SECTION,
        minimum=1,
    ),
    ConfigKey(
        "secrets_baseline",
        "str",
        BASELINE,
        "secrets gate: detect-secrets baseline file of accepted findings",
        section=SECTION,
        path=True,
    ),
)
