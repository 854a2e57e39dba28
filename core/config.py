"""Configuration: read, merge and validate seedbed's settings.

Sources, lowest precedence first (a later one overrides an earlier one, key by key):
  1. the user's file: $SEEDBED_CONFIG, else $XDG_CONFIG_HOME/seedbed/config.toml
     (default ~/.config/seedbed/config.toml)
  2. `[tool.seedbed]` in the worktree's pyproject.toml
  3. `.seedbed.toml` in the worktree (top-level keys, same names)
  4. environment variables SEEDBED_<KEY> for top-level keys, the core's and the
     plugins' (e.g. SEEDBED_MANAGER)

Every key is declared (the core's below, plugins' through `seedbed_config_keys`);
an unknown key or a wrong type is an error naming the file, the key and what was
expected, raised before anything is changed. A key may also declare a minimum
and maximum (numbers) or `path=True`: a path relative to the worktree, refused
when absolute, empty, `.`, starting with `~` or holding `..` (a branch's
`.seedbed.toml` is untrusted input), and stored normalised (`./.venv/` is
`.venv`). Symlinks are checked where a path is used (core.paths.confine).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from seedbed.core.errors import ConfigError
from seedbed.core.paths import EXPECTED, path_problem
from seedbed.core.types import ConfigKey

CORE_KEYS: tuple[ConfigKey, ...] = (
    ConfigKey(
        "manager",
        "str",
        "auto",
        "package manager: auto (detected) or a manager's name (`seedbed plugins`)",
    ),
    ConfigKey(
        "python",
        "str",
        "",
        "interpreter wanted, e.g. 3.12 or >=3.11 (default: .python-version, "
        "then requires-python, then the interpreter running seedbed)",
    ),
    ConfigKey(
        "env_dir",
        "str",
        ".venv",
        "the environment's folder in each worktree (relative, inside it)",
        path=True,
    ),
    ConfigKey("dev", "bool", True, "install development groups/requirements"),
    ConfigKey(
        "background",
        "bool",
        False,
        "run setup from git hooks in the background, logging to .seedbed/setup.log",
    ),
    ConfigKey(
        "step_timeout", "int", 1800, "seconds one setup step may take", minimum=1
    ),
    ConfigKey(
        "reuse",
        "bool",
        True,
        "build a new worktree's environment from a sibling's ready one with the "
        "same fingerprint (never shared: see docs/managers.md)",
    ),
    ConfigKey("disable_plugins", "list", [], "plugin names not to load"),
)

# Top-level keys whose value may come from SEEDBED_<KEY>.
_ENV_PREFIX = "SEEDBED_"


# Where a value came from, as `seedbed config` names it (lowest first).
KINDS = ("default", "user", "pyproject", "seedbed.toml", "environment")


@dataclass(frozen=True)
class Source:
    """One configuration file's seedbed table, as read."""

    path: str  # shown in errors
    table: Mapping[str, Any]
    kind: str = ""  # one of KINDS ("" for a source made elsewhere, e.g. tests)


@dataclass(frozen=True)
class Config:
    """Validated settings: top-level keys and plugin sections, defaults filled."""

    values: Mapping[str, Any]
    sections: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    origins: Mapping[str, str] = field(default_factory=dict)
    # key label ("env_dir", "pod.memory") → the KINDS entry of its source
    kinds: Mapping[str, str] = field(default_factory=dict)

    def __getitem__(self, key: str) -> Any:
        return self.values[key]

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)

    def section(self, name: str) -> Mapping[str, Any]:
        return self.sections.get(name, {})

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.values)
        for name, values in self.sections.items():
            out[name] = dict(values)
        return out


def user_config_path() -> Path:
    explicit = os.environ.get("SEEDBED_CONFIG")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "seedbed" / "config.toml"


def read_toml(path: Path) -> dict[str, Any]:
    """A TOML file's table; malformed, not UTF-8 or unreadable is a ConfigError
    naming the file (nothing is changed)."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(
            f"{path}: malformed TOML: {exc}",
            "fix the file's syntax; nothing was changed",
            file=str(path),
        ) from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text", file=str(path)) from exc
    except OSError as exc:
        where = str(path)
        raise ConfigError(f"{where}: unreadable: {exc.strerror}", file=where) from exc


def read_pyproject(root: Path) -> dict[str, Any]:
    path = root / "pyproject.toml"
    return read_toml(path) if path.is_file() else {}


def load_sources(
    root: Path, pyproject: Mapping[str, Any] | None = None
) -> list[Source]:
    sources: list[Source] = []
    user = user_config_path()
    if user.is_file():
        sources.append(Source(str(user), read_toml(user), "user"))
    if pyproject is None:
        pyproject = read_pyproject(root)
    tool = pyproject.get("tool", {})
    table = tool.get("seedbed") if isinstance(tool, dict) else None
    if table is not None:
        where = f"{root / 'pyproject.toml'} [tool.seedbed]"
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: expected a table", file=where)
        sources.append(Source(where, table, "pyproject"))
    local = root / ".seedbed.toml"
    if local.is_file():
        sources.append(Source(str(local), read_toml(local), "seedbed.toml"))
    sources.extend(environment_sources(CORE_KEYS))
    return sources


def environment_sources(keys: Iterable[ConfigKey]) -> list[Source]:
    """SEEDBED_<KEY> variables for the given top-level keys, as one source."""
    env = {
        key.name: os.environ[_ENV_PREFIX + key.name.upper()]
        for key in keys
        if not key.section and _ENV_PREFIX + key.name.upper() in os.environ
    }
    return [Source("environment", env, "environment")] if env else []


def disabled_plugins(sources: Iterable[Source]) -> set[str]:
    """Plugin names blocked by config or SEEDBED_DISABLE_PLUGINS (comma-separated).

    Read before plugins load, so it cannot wait for full validation; the value is
    still checked here.
    """
    names: set[str] = set()
    for source in sources:
        if "disable_plugins" in source.table:
            value = _coerce(source, "disable_plugins", _core_key("disable_plugins"))
            names = set(value)
    return names


def _core_key(name: str) -> ConfigKey:
    return next(key for key in CORE_KEYS if key.name == name)


def _expected(key: ConfigKey) -> str:
    if key.choices:
        return "one of " + ", ".join(repr(choice) for choice in key.choices)
    if key.path:
        plural = "a list of paths relative to the worktree, inside it"
        return EXPECTED if key.kind == "str" else plural
    kind = {
        "str": "a string",
        "int": "an integer",
        "float": "a number",
        "bool": "true or false",
        "list": "a list of strings",
    }[key.kind]
    return kind + _bounds(key)


def _bounds(key: ConfigKey) -> str:
    low, high = key.minimum, key.maximum
    if low is not None and high is not None:
        return f" from {low:g} to {high:g}"
    if low is not None:
        return f" of at least {low:g}"
    if high is not None:
        return f" of at most {high:g}"
    return ""


def _problem(key: ConfigKey, value: Any) -> str:
    """Why a value of the right type is still refused, or "" when it is fine."""
    if key.choices and value not in key.choices:
        return "not a choice"
    if key.kind in ("int", "float"):
        low, high = key.minimum, key.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            return "out of range"
    if key.path:
        for item in [value] if key.kind == "str" else value:
            problem = path_problem(item)
            if problem:
                return problem
    return ""


def _normalise(key: ConfigKey, value: Any) -> Any:
    """A path value without `./` parts or a trailing slash (`./.venv/` is
    `.venv`), so every later join and comparison sees one spelling."""
    if not key.path:
        return list(value) if key.kind == "list" else value
    if key.kind == "list":
        return [str(PurePosixPath(item)) for item in value]
    return str(PurePosixPath(value))


def _coerce(source: Source, label: str, key: ConfigKey) -> Any:
    value = source.table[key.name]
    if source.path == "environment":
        value = _from_env(value, key)
    ok = {
        "str": isinstance(value, str),
        "int": isinstance(value, int) and not isinstance(value, bool),
        "float": isinstance(value, int | float) and not isinstance(value, bool),
        "bool": isinstance(value, bool),
        "list": isinstance(value, list) and all(isinstance(v, str) for v in value),
    }[key.kind]
    problem = _problem(key, value) if ok else ""
    if not ok or problem:
        shown = (
            f"${_ENV_PREFIX}{key.name.upper()}"
            if source.path == "environment"
            else label
        )
        # Say why a path was refused: "got '..'" alone does not.
        detail = f" ({problem})" if key.path and problem else ""
        raise ConfigError(
            f"{source.path}: key '{shown}': expected {_expected(key)}, "
            f"got {value!r}{detail}",
            "fix the value; nothing was changed",
            file=source.path,
            key=label,
        )
    return _normalise(key, value)


def _from_env(raw: str, key: ConfigKey) -> Any:
    if key.kind == "bool":
        lowered = raw.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        return raw
    if key.kind == "int":
        try:
            return int(raw)
        except ValueError:
            return raw
    if key.kind == "float":
        try:
            return float(raw)
        except ValueError:
            return raw
    if key.kind == "list":
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw


def validate(
    sources: Iterable[Source], plugin_keys: Iterable[ConfigKey] = ()
) -> Config:
    top = {key.name: key for key in CORE_KEYS}
    sections: dict[str, dict[str, ConfigKey]] = {}
    plugin_keys = list(plugin_keys)
    # Plugins' top-level keys read SEEDBED_<KEY> too (the core's are in sources).
    sources = [
        *sources,
        *environment_sources(k for k in plugin_keys if k.name not in top),
    ]
    for key in plugin_keys:
        if key.section:
            sections.setdefault(key.section, {})[key.name] = key
        else:
            top[key.name] = key
    values: dict[str, Any] = {name: key.default for name, key in top.items()}
    section_values: dict[str, dict[str, Any]] = {
        name: {k: key.default for k, key in keys.items()}
        for name, keys in sections.items()
    }
    origins: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for source in sources:
        for name, raw in source.table.items():
            if name in sections:
                if not isinstance(raw, dict):
                    raise ConfigError(
                        f"{source.path}: key '{name}': expected a table",
                        file=source.path,
                        key=name,
                    )
                sub = Source(source.path, raw)
                for sub_name in raw:
                    known = sections[name]
                    if sub_name not in known:
                        _unknown(source.path, f"{name}.{sub_name}", known, name)
                    label = f"{name}.{sub_name}"
                    section_values[name][sub_name] = _coerce(
                        sub, label, known[sub_name]
                    )
                    origins[label] = source.path
                    kinds[label] = source.kind
            elif name in top:
                values[name] = _coerce(source, name, top[name])
                origins[name] = source.path
                kinds[name] = source.kind
            else:
                _unknown(source.path, name, {**top, **sections})
    return Config(values, section_values, origins, kinds)


def _unknown(path: str, name: str, known: Mapping[str, Any], section: str = "") -> None:
    """An unknown key: the closest known one (a typo), else the known keys."""
    prefix = f"{section}." if section else ""
    import difflib  # only to suggest a key for a misspelt one

    close = difflib.get_close_matches(name.removeprefix(prefix), known, n=1)
    guess = f"; did you mean '{prefix}{close[0]}'?" if close else ""
    raise ConfigError(
        f"{path}: unknown key '{name}'{guess}",
        "known keys: " + ", ".join(prefix + key for key in sorted(known)),
        file=path,
        key=name,
    )
