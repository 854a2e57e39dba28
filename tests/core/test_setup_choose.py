"""Manager choice: score first, ambiguity between strong claims, then each
manager's declared priority, then registration order; the Manager contract's
defaults for a third-party manager."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from seedbed.core.errors import ConfigError, SetupError
from seedbed.core.hookspecs import hookimpl
from seedbed.core.setup import choose, choose_manager
from seedbed.core.types import (
    Detection,
    Installer,
    Manager,
    RunCommand,
    SetupContext,
    Step,
    Watch,
)
from seedbed.core.workspace import Workspace

from tests.conftest import git
from tests.core.setup_helpers import make_app


class Thirdparty(Manager):
    """A manager from another distribution: only the required members."""

    def __init__(self, name: str, lock: str, score: int, priority: int = 0) -> None:
        self.name, self.lock, self.score, self.priority = name, lock, score, priority

    def detect(self, workspace: Workspace) -> Detection | None:
        if (workspace.root / self.lock).exists():
            return Detection(self.name, (self.lock,), self.score)
        return None

    def env_dir(self, workspace: Workspace) -> Path:
        return workspace.root / ".env-dir"

    def env_python(self, workspace: Workspace) -> Path:
        return self.env_dir(workspace) / "python"

    def watch(self, workspace: Workspace) -> Watch:
        return Watch((self.lock,))

    def setup_steps(self, context: SetupContext) -> Sequence[Step]:
        return []

    def run_command(self, workspace: Workspace, argv: Sequence[str]) -> RunCommand:
        return RunCommand(tuple(argv))

    def health_check(self, workspace: Workspace) -> str | None:
        return None

    def lock_check(self, workspace: Workspace) -> Step | None:
        return None


def plugin(*managers: Manager) -> object:
    class Plugin:
        @hookimpl
        def seedbed_managers(self) -> Sequence[Manager]:
            return list(managers)

    return Plugin()


@pytest.fixture
def project(repo: Path) -> Path:
    git("config", "user.email", "t@t.invalid", cwd=repo)
    return repo


def test_best_by_score_then_priority_then_order() -> None:
    found = [Detection("a", ("x",), 20), Detection("b", ("y",), 20)]
    assert choose.best(found, {"a": 1, "b": 5}, "here") == "b"
    assert choose.best(found, {"a": 5, "b": 1}, "here") == "a"
    assert choose.best(found, {}, "here") == "a"  # equal: registration order
    found.append(Detection("c", ("z",), 30))
    assert choose.best(found, {"a": 9, "b": 9}, "here") == "c"


def test_strong_ties_are_ambiguous_whatever_the_priority() -> None:
    found = [Detection("a", ("a.lock",), 100), Detection("b", ("b.lock",), 100)]
    with pytest.raises(ConfigError) as caught:
        choose.best(found, {"a": 100}, "/w")
    assert "a.lock" in caught.value.message and "b.lock" in caught.value.message
    assert caught.value.message.startswith("/w:")


def test_builtins_declare_their_priorities(project: Path) -> None:
    (project / "requirements.txt").write_text("")
    (project / "pyproject.toml").write_text("[tool.poetry]\nname = 'x'\n")
    app = make_app(project)
    priorities = {n: m.priority for n, m in app.registry.managers.items()}
    assert priorities == {"uv": 50, "poetry": 40, "pdm": 30, "conda": 20, "pip": 10}
    assert choose_manager(app).name == "poetry"


def test_a_third_party_manager_wins_a_weak_tie_by_priority(project: Path) -> None:
    (project / "requirements.txt").write_text("")
    (project / "hatch.lock").write_text("")
    weak = Thirdparty("hatchish", "hatch.lock", 20, priority=15)
    assert choose_manager(make_app(project, [plugin(weak)])).name == "hatchish"
    meek = Thirdparty("hatchish", "hatch.lock", 20)  # priority 0: pip's 10 wins
    assert choose_manager(make_app(project, [plugin(meek)])).name == "pip"


def test_configured_unknown_and_missing_managers(project: Path) -> None:
    (project / "requirements.txt").write_text("")
    assert choose_manager(make_app(project, manager="uv")).name == "uv"
    with pytest.raises(ConfigError, match="unknown manager 'nope'"):
        choose_manager(make_app(project, manager="nope"))
    (project / "requirements.txt").unlink()
    with pytest.raises(SetupError) as caught:
        choose_manager(make_app(project))
    assert caught.value.details.get("no_project")


def test_the_contract_gives_defaults_and_checks_members() -> None:
    manager = Thirdparty("t", "t.lock", 100)
    assert isinstance(manager, Manager)
    assert (manager.priority, manager.excludes, manager.provides_python) == (
        0,
        (),
        False,
    )
    assert manager.installer(None) == Installer("t")  # type: ignore[arg-type]
    assert manager.cache_stats("log") is None
    assert manager.interpreter_dirs() == ()

    class Incomplete:
        name = "half"

        def detect(self, workspace: Workspace) -> None:
            return None

    assert not isinstance(Incomplete(), Manager)
