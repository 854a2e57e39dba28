"""Build an App for a real repository with a fresh plugin manager: the built-in
managers plus whatever test plugins a test adds (never the process-wide one)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pluggy
from seedbed.core import config as configuration
from seedbed.core import hookspecs, plugins
from seedbed.core.app import App
from seedbed.core.workspace import Workspace
from seedbed.plugins.managers import conda, pdm, pip, poetry, uv

BUILT_INS = (uv, pip, poetry, pdm, conda)


def make_app(root: Path, extra: Sequence[Any] = (), **settings: Any) -> App:
    pm = pluggy.PluginManager(plugins.GROUP)
    pm.add_hookspecs(hookspecs)
    for module in (*BUILT_INS, *extra):
        pm.register(module)
    registry = plugins.Registry.load(pm)
    facts = Workspace.facts_for(root)
    pyproject = configuration.read_pyproject(facts.root)
    sources = configuration.load_sources(facts.root, pyproject)
    if settings:
        sources.append(configuration.Source("test", settings))
    config = configuration.validate(sources, registry.config_keys())
    return App(Workspace(facts, config, pyproject), registry)
