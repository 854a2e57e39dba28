"""The `[tool.seedbed.tasks]` keys: defaults for `seedbed task run`'s options.

Standard library only (config keys load with every command). There is no
agent key on purpose: a branch's configuration never chooses a command that
`task run` starts; the agent is always given on the command line.
"""

from __future__ import annotations

from seedbed.core.types import ConfigKey

SECTION = "tasks"
CONFIG_KEYS: tuple[ConfigKey, ...] = (
    ConfigKey("gates", "bool", True, "set the worktree up and run the gates", SECTION),
    ConfigKey(
        "timeout",
        "float",
        0.0,
        "seconds a task may take when its file sets none (0: no limit)",
        SECTION,
        minimum=0.0,
    ),
    ConfigKey(
        "wait",
        "float",
        3600.0,
        "seconds a task may wait for a pod slot",
        SECTION,
        minimum=0.0,
    ),
    ConfigKey("parallel", "int", 1, "tasks run at once", SECTION, minimum=1),
)
