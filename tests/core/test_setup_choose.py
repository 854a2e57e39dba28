"""Manager choice: score first, ambiguity between strong claims, then each
manager's declared priority, then registration order; the Manager contract's
defaults for a third-party manager."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from seedbed.core.errors import ConfigError, EnvironmentProblem, SetupError
from seedbed.core.hookspecs import hookimpl
from seedbed.core.setup import choose, choose_manager
from seedbed.core.types import (
    Detection,
    Installer,
    Interpreter,
    Manager,
    RunCommand,
    SetupContext,
    Step,
    Watch,
)
from seedbed.core.workspace import Workspace

from tests.conftest import require
from tests.core.setup_helpers import make_app
from tests.factories.git import git


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


class Provider(Thirdparty):
    """A manager that can find or provide an interpreter itself."""

    asked: list[str]

    def provide_python(
        self, workspace: Workspace, request: Any, missing: Exception
    ) -> Interpreter:
        self.asked.append(request.text)
        return Interpreter(Path(sys.executable), CURRENT_FULL)


CURRENT_FULL = "{}.{}.{}".format(*sys.version_info[:3])
CURRENT = "{}.{}".format(*sys.version_info[:2])


def test_a_manager_is_asked_before_a_missing_interpreter_is_refused(
    project: Path,
) -> None:
    (project / "x.lock").write_text("")
    (project / ".python-version").write_text("3.99\n")
    provider = Provider("prov", "x.lock", 100)
    provider.asked = []
    app = make_app(project, [plugin(provider)])
    found = choose.interpreter(app, provider)
    assert provider.asked == ["3.99"] and found.version == CURRENT_FULL
    plain = Thirdparty("plain", "x.lock", 100)  # no provide_python: refused
    with pytest.raises(EnvironmentProblem, match=r"3\.99"):
        choose.interpreter(make_app(project, [plugin(plain)]), plain)
    # found on the machine: the manager is not asked
    (project / ".python-version").write_text(f"{CURRENT}\n")
    provider.asked = []
    assert choose.interpreter(app, provider).short == CURRENT
    assert provider.asked == []


def test_uv_asks_uv_and_names_how_to_get_a_missing_python(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    require("uv")
    monkeypatch.delenv("UV_PYTHON_DOWNLOADS", raising=False)
    (project / "pyproject.toml").write_text("[project]\nname='x'\n[tool.uv]\n")
    (project / ".python-version").write_text("3.99\n")
    app = make_app(project)
    manager = app.registry.manager("uv")
    with pytest.raises(EnvironmentProblem) as caught:
        choose.interpreter(app, manager)
    hint = caught.value.hint
    assert "uv python install 3.99" in hint and "UV_PYTHON_DOWNLOADS" in hint
    assert "pyenv install 3.99" in hint and "system" in hint
    # uv's own discovery answers for a Python the machine has
    request = choose.python_request(app.workspace, manager)
    request = type(request)(None, CURRENT, "test")
    found = manager.provide_python(app.workspace, request, caught.value)  # type: ignore[attr-defined]
    assert found.short == CURRENT


def test_pip_projects_read_runtime_txt(project: Path) -> None:
    (project / "requirements.txt").write_text("")
    (project / "runtime.txt").write_text(f"python-{CURRENT_FULL}\n")
    app = make_app(project)
    pip_request = choose.python_request(app.workspace, app.registry.manager("pip"))
    assert pip_request.origin.endswith("runtime.txt")
    assert choose.interpreter(app, app.registry.manager("pip")).version == CURRENT_FULL
    uv_request = choose.python_request(app.workspace, app.registry.manager("uv"))
    assert uv_request.origin == "default"
