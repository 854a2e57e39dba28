"""The dev container's limits come through the seedbed_container_limits hook:
the pods plugin answers from [tool.seedbed.pod]; with the pods plugin blocked
the file gets the documented defaults (the pod defaults), byte for byte what an
unconfigured project gets with pods present; another plugin may answer."""

from __future__ import annotations

import os
from pathlib import Path

from seedbed.core import hookspecs
from seedbed.core.contributions import ContainerLimits
from seedbed.core.hookspecs import hookimpl
from seedbed.core.plugins import build
from seedbed.core.workspace import Workspace
from seedbed.plugins.editors import CONFIG_KEYS as EDITOR_KEYS
from seedbed.plugins.editors import apply, devcontainer, jsonc
from seedbed.plugins.pods.settings import CONFIG_KEYS as POD_KEYS
from seedbed.plugins.pods.settings import DEFAULTS as POD_DEFAULTS

from tests.conftest import seedbed

PROJECT = '[project]\nname = "x"\nversion = "0"\n'
POD = '\n[tool.seedbed.pod]\nmemory = "2g"\ncpus = 1.5\npids = 100\n'


def limits_in(path: Path) -> tuple[object, object]:
    data = jsonc.parse(path.read_text()).python()
    return data["runArgs"], data["hostRequirements"]


def test_the_pods_plugin_states_the_limits(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(PROJECT + POD)
    ws = Workspace.discover(repo, (*POD_KEYS, *EDITOR_KEYS))
    stated = build().hook.seedbed_container_limits(workspace=ws)
    assert stated == ContainerLimits(2 * 1024**3, 1.5, 100)
    written = apply(ws, build(), vscode=False, devcontainer=True)
    assert [w.status for w in written] == ["created"]
    assert limits_in(repo / devcontainer.DEVCONTAINER) == (
        ["--memory=2g", "--cpus=1.5", "--pids-limit=100"],
        {"cpus": 2, "memory": "2gb"},
    )


def test_the_defaults_are_the_pod_defaults() -> None:
    pods = ContainerLimits(
        POD_DEFAULTS.memory_bytes, POD_DEFAULTS.cpus, POD_DEFAULTS.pids
    )
    assert pods == devcontainer.DEFAULT_LIMITS


def test_with_the_pods_plugin_blocked_the_file_is_unchanged(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(PROJECT)
    path = repo / devcontainer.DEVCONTAINER
    ws = Workspace.discover(repo, EDITOR_KEYS)
    apply(ws, build(), vscode=False, devcontainer=True)
    with_pods = path.read_bytes()
    path.unlink()

    blocked = build(["pods"])
    assert blocked.hook.seedbed_container_limits(workspace=ws) is None
    apply(ws, blocked, vscode=False, devcontainer=True)
    assert path.read_bytes() == with_pods
    assert limits_in(path) == (
        ["--memory=1g", "--cpus=1", "--pids-limit=256"],
        {"cpus": 1, "memory": "1gb"},
    )


class Quota:
    """A third party's answer (say, a shared machine's quota)."""

    @hookimpl
    def seedbed_container_limits(self) -> ContainerLimits:
        return ContainerLimits(512 * 1024**2, 0.5, 64)


def test_another_plugin_may_state_the_limits(repo: Path) -> None:
    import pluggy

    (repo / "pyproject.toml").write_text(PROJECT)
    pm = pluggy.PluginManager("seedbed")
    pm.add_hookspecs(hookspecs)
    pm.register(Quota())
    ws = Workspace.discover(repo, EDITOR_KEYS)
    apply(ws, pm, vscode=False, devcontainer=True)
    assert limits_in(repo / devcontainer.DEVCONTAINER) == (
        ["--memory=512m", "--cpus=0.5", "--pids-limit=64"],
        {"cpus": 1, "memory": "512mb"},
    )


def test_seedbed_editor_with_pods_blocked(repo: Path) -> None:
    """The real command, the pods plugin blocked the user's way: same file."""
    (repo / "pyproject.toml").write_text(PROJECT)
    path = repo / devcontainer.DEVCONTAINER
    made = seedbed("editor", "--devcontainer", cwd=repo)
    assert made.returncode == 0, made.stdout + made.stderr
    with_pods = path.read_bytes()
    path.unlink()
    env = {**os.environ, "SEEDBED_DISABLE_PLUGINS": "pods"}
    made = seedbed("editor", "--devcontainer", "--json", cwd=repo, env=env)
    assert made.returncode == 0, made.stdout + made.stderr
    assert path.read_bytes() == with_pods
