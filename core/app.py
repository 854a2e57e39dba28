"""Load everything a command needs, in the one right order.

git facts → config files (read, not yet validated) → plugin manager (honouring
the block list) → validate config with the plugins' keys → Workspace.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from seedbed.core import config as configuration
from seedbed.core import plugins
from seedbed.core.workspace import Workspace


@dataclass(frozen=True)
class App:
    workspace: Workspace
    registry: plugins.Registry


def load(cwd: Path | None = None) -> App:
    cwd = cwd or Path.cwd()
    facts = Workspace.facts_for(cwd)
    pyproject = configuration.read_pyproject(facts.root)
    sources = configuration.load_sources(facts.root, pyproject)
    registry = plugins.Registry.load(
        plugins.build(configuration.disabled_plugins(sources))
    )
    config = configuration.validate(sources, registry.config_keys())
    return App(Workspace(facts, config, pyproject), registry)


def run_env(app: App) -> dict[str, str]:
    """Variables plugins give commands run in this worktree (PORT, DATABASE_URL)."""
    merged: dict[str, str] = {}
    # pluggy returns results last-registered first; apply in registration order.
    for values in reversed(
        app.registry.pm.hook.seedbed_run_env(workspace=app.workspace)
    ):
        merged.update(values)
    return merged
