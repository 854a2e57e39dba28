"""The `[tool.seedbed.reports]` keys: the alert thresholds the reports use."""

from __future__ import annotations

from seedbed.core.types import ConfigKey

SECTION = "reports"
CONFIG_KEYS = (
    ConfigKey(
        "slowdown_factor",
        "float",
        1.5,
        "alert when a run takes this many times its rolling median",
        section=SECTION,
    ),
    ConfigKey(
        "slowdown_min_seconds",
        "float",
        1.0,
        "and only when it is at least this many seconds slower than that median",
        section=SECTION,
    ),
    ConfigKey(
        "rolling_window",
        "int",
        20,
        "runs in the rolling median and in a failure rate",
        section=SECTION,
    ),
    ConfigKey(
        "min_history",
        "int",
        5,
        "earlier runs needed before a slowdown is judged",
        section=SECTION,
    ),
    ConfigKey(
        "failure_alert_percent",
        "float",
        50.0,
        "alert when this share of a gate's or test command's recent runs failed",
        section=SECTION,
    ),
    ConfigKey(
        "coverage_drop_points",
        "float",
        1.0,
        "alert when coverage falls by this many points since the previous run",
        section=SECTION,
    ),
    ConfigKey(
        "memory_alert_percent",
        "float",
        90.0,
        "alert when a container workspace uses this share of its memory limit",
        section=SECTION,
    ),
    ConfigKey(
        "pids_alert_percent",
        "float",
        90.0,
        "alert when a container workspace runs this share of its process limit",
        section=SECTION,
    ),
)
# Which nu flag each setting feeds.
ALERT_FLAGS = {
    "slowdown_factor": "--factor",
    "slowdown_min_seconds": "--min-seconds",
    "rolling_window": "--window",
    "min_history": "--min-history",
    "failure_alert_percent": "--failure-percent",
    "coverage_drop_points": "--coverage-drop",
    "memory_alert_percent": "--memory-percent",
    "pids_alert_percent": "--pids-percent",
}
