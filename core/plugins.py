"""Build the plugin manager: built-ins and third parties alike, via entry points.

Order: hookspecs → block list → entry points of group `seedbed` → check_pending.
Built-in plugins are entry points of seedbed's own distribution, so a user blocks
one the same way as any other: `disable_plugins = ["pip"]` or
SEEDBED_DISABLE_PLUGINS=pip. SEEDBED_TRACE=1 prints every hook call.

The entry points come from core/entrypoints (a cache of the scan, invalidated by
any change to the import path's folders) and are registered as pluggy's
`load_setuptools_entrypoints` does: in distribution order, the first plugin of a
name wins, blocked names are skipped.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

import pluggy
from seedbed.core import entrypoints, hookspecs
from seedbed.core.errors import ConfigError, SeedbedError
from seedbed.core.types import ConfigKey, Manager

GROUP = "seedbed"


# One manager per process for the same block list and import path: a plugin
# command loads plugins to register itself, then again in app.load, and the
# entry-point scan is a large part of seedbed's start-up.
_BUILT: dict[tuple[frozenset[str], tuple[str, ...]], pluggy.PluginManager] = {}


def build(blocked: Iterable[str] = ()) -> pluggy.PluginManager:
    env_blocked = os.environ.get("SEEDBED_DISABLE_PLUGINS", "")
    names = frozenset(
        {*blocked, *(n.strip() for n in env_blocked.split(",") if n.strip())}
    )
    key = (names, tuple(sys.path))
    if key not in _BUILT:
        _BUILT[key] = _load(names)
    return _BUILT[key]


class PluginManager(pluggy.PluginManager):
    """pluggy's manager, plus the distribution each plugin came from (what
    pluggy's list_plugin_distinfo gives for its own entry-point loader)."""

    def __init__(self, project_name: str) -> None:
        super().__init__(project_name)
        self.distributions: dict[str, str] = {}


def _load(blocked: frozenset[str]) -> pluggy.PluginManager:
    entries, cached = entrypoints.listed(GROUP)
    try:
        pm = _register(entries, blocked)
    except ModuleNotFoundError:
        if not cached:
            raise
        # The cached list names a module that is gone: scan afresh.
        entrypoints.forget(GROUP)
        pm = _register(entrypoints.listed(GROUP)[0], blocked)
    pm.check_pending()
    if os.environ.get("SEEDBED_TRACE"):
        pm.trace.root.setwriter(sys.stderr.write)
        pm.enable_tracing()
    return pm


def _register(
    entries: Sequence[entrypoints.Entry], blocked: frozenset[str]
) -> PluginManager:
    pm = PluginManager(GROUP)
    pm.add_hookspecs(hookspecs)
    for name in blocked:
        pm.set_blocked(name)
    for entry in entries:
        if pm.get_plugin(entry.name) or pm.is_blocked(entry.name):
            continue
        pm.register(entry.load(), name=entry.name)
        pm.distributions[entry.name] = f"{entry.distribution} {entry.version}"
    return pm


def collect(
    pm: pluggy.PluginManager, hook: str, kind: Any, what: str
) -> dict[str, Any]:
    """Every plugin's records from `hook`, by name, in registration order: one
    registry for every plugin type (managers, frameworks, gates). A record that is not a
    `kind`, or a name two plugins both offer, is an error naming the plugins
    (as conda's manager rejects duplicate names), never a silent winner by
    load order."""
    found: dict[str, Any] = {}
    owners: dict[str, str] = {}
    for impl in getattr(pm.hook, hook).get_hookimpls():
        for record in cast("Sequence[object]", impl.function() or ()):
            if not isinstance(record, kind):
                raise SeedbedError(
                    f"plugin {impl.plugin_name!r} returned {record!r}, which is "
                    f"not a seedbed {what}",
                    f"a plugin must return objects satisfying "
                    f"seedbed.core.types.{kind.__name__}",
                )
            name = str(getattr(record, "name", ""))
            if name in found:
                raise SeedbedError(
                    f"two plugins provide the {what} {name!r}: "
                    f"{owners[name]!r} and {impl.plugin_name!r}",
                    "block one with disable_plugins or SEEDBED_DISABLE_PLUGINS",
                )
            found[name] = record
            owners[name] = impl.plugin_name
    return found


@dataclass(frozen=True)
class Registry:
    """The plugin manager plus the records its hooks returned, checked once."""

    pm: pluggy.PluginManager
    managers: dict[str, Manager]

    @classmethod
    def load(cls, pm: pluggy.PluginManager) -> Registry:
        return cls(pm, collect(pm, "seedbed_managers", Manager, "manager"))

    def config_keys(self) -> list[ConfigKey]:
        return [key for keys in self.pm.hook.seedbed_config_keys() for key in keys]

    def manager(self, name: str) -> Manager:
        try:
            return self.managers[name]
        except KeyError:
            raise ConfigError(
                f"unknown manager {name!r}",
                "known managers: " + ", ".join(sorted(self.managers)),
                key="manager",
            ) from None


@dataclass(frozen=True)
class PluginInfo:
    """One loaded (or blocked) plugin, for `seedbed plugins`."""

    name: str
    module: str
    distribution: str
    hooks: tuple[str, ...]
    blocked: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "module": self.module,
            "distribution": self.distribution,
            "hooks": list(self.hooks),
            "blocked": self.blocked,
        }


def describe(pm: pluggy.PluginManager) -> list[PluginInfo]:
    dists: dict[str, str] = dict(getattr(pm, "distributions", {}))
    for plugin, dist in pm.list_plugin_distinfo():  # a manager pluggy loaded
        name = pm.get_name(plugin)
        if name:
            dists[name] = f"{dist.project_name} {dist.version}"
    infos = []
    for name, plugin in pm.list_name_plugin():
        if plugin is None:  # blocked
            infos.append(PluginInfo(name, "", "", (), blocked=True))
            continue
        infos.append(
            PluginInfo(
                name=name,
                module=getattr(plugin, "__name__", type(plugin).__name__),
                distribution=dists.get(name, ""),
                hooks=tuple(sorted(c.name for c in pm.get_hookcallers(plugin) or ())),
            )
        )
    return sorted(infos, key=lambda info: info.name)
