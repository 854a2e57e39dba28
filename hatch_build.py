"""Build hook: the card's source layout becomes one import package, `seedbed`.

The source tree keeps `core/`, `plugins/`, `hooks/`, `nushell/` and `templates/` at
the top; installed, they are `seedbed.core`, `seedbed.plugins` and shipped files
inside `seedbed/`, so a project's own `core` or `plugins` package never shadows
seedbed's (or is overwritten by it). hatchling's `sources` option cannot add a
prefix in an editable install, so this hook does the mapping for both kinds:
a wheel gets the folders copied under `seedbed/`; an editable install gets a
`seedbed/__init__.py` whose `__path__` is the source tree, so `seedbed.core` is
the checkout's `core/` and edits take effect at once.
"""

from __future__ import annotations

import os
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGES = ("core", "plugins")
SHIPPED = ("hooks", "nushell", "templates")
DOC = '"""seedbed: every git worktree of a Python project, ready by itself."""\n'


class SeedbedLayout(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        os.makedirs(self.directory, exist_ok=True)
        init = os.path.join(self.directory, "seedbed_init.py")
        if version == "editable":
            with open(init, "w") as handle:
                handle.write(DOC + f"__path__ = [{self.root!r}]\n")
            build_data["force_include_editable"][init] = "seedbed/__init__.py"
            return
        with open(init, "w") as handle:
            handle.write(DOC)
        include = build_data["force_include"]
        include[init] = "seedbed/__init__.py"
        for folder in PACKAGES + SHIPPED:
            for current, dirs, files in os.walk(os.path.join(self.root, folder)):
                dirs[:] = sorted(d for d in dirs if d != "__pycache__")
                for name in sorted(files):
                    if name.endswith(".pyc"):
                        continue
                    source = os.path.join(current, name)
                    relative = os.path.relpath(source, self.root)
                    include[source] = "seedbed/" + relative.replace(os.sep, "/")
