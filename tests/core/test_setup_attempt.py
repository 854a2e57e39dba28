"""Whole setups in-process against a real uv project: the marker is written
last, a setup in sync does nothing, a failed or interrupted one leaves no
marker and the next run finishes the job."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from seedbed.core import fastcheck, state
from seedbed.core.hookspecs import hookimpl
from seedbed.core.setup import run_setup
from seedbed.core.types import SetupContext, Step

from tests.conftest import require
from tests.core.setup_helpers import make_app
from tests.factories.metrics import metric_rows
from tests.factories.projects import uv_project


def steps_plugin(*steps: Step) -> object:
    class Plugin:
        @hookimpl
        def seedbed_setup_steps(self, context: SetupContext) -> Sequence[Step]:
            assert context.manager is not None and context.manager.name == "uv"
            assert context.installer == "uv" and "uv" in context.tools
            return list(steps)

    return Plugin()


def action(name: str, run: Callable[[], None]) -> Step:
    return Step(name, action=run)


@pytest.fixture
def project(tmp_path: Path, offline: Path) -> Path:
    require("uv")
    return uv_project(tmp_path / "proj", offline)


def last(root: Path) -> dict:
    return json.loads((root / ".seedbed" / state.LAST).read_text())


def test_marker_is_written_last_and_a_second_run_is_a_no_op(project: Path) -> None:
    seen: dict[str, object] = {}

    def look() -> None:  # the last step: the environment is there, no marker yet
        seen["ready"] = state.read_ready(project)
        seen["status"] = last(project)["status"]
        seen["python"] = (project / ".venv" / "bin" / "python").exists()

    outcome = run_setup(make_app(project, [steps_plugin(action("look", look))]))
    assert outcome.ok and not outcome.skipped, outcome.error
    assert seen == {"ready": None, "status": "running", "python": True}
    ready = state.read_ready(project)
    assert ready is not None and ready["python_relpath"] == "bin/python"
    assert "poetry.lock" in ready["watch"]["paths"]  # another manager's lock
    assert ready["identity"]["installer"] == "uv" == outcome.installer
    assert [s["name"] for s in ready["steps"]][-1] == "look"
    assert state.is_in_sync(project)
    assert last(project)["status"] == "ready"
    again = run_setup(make_app(project))
    assert again.ok and again.skipped
    assert again.fingerprint == outcome.fingerprint


def test_another_managers_lock_appearing_triggers_a_resync(project: Path) -> None:
    assert run_setup(make_app(project)).ok
    (project / "pdm.lock").write_text("")
    assert not state.is_in_sync(project)  # what the git hook checks
    # pdm.lock and uv.lock both score 100: the user must choose now.
    app = make_app(project, manager="uv")
    outcome = run_setup(app)
    assert outcome.ok and not outcome.skipped
    assert state.is_in_sync(project)


def test_a_failed_step_leaves_no_marker_and_is_recorded(project: Path) -> None:
    failing = Step("fails", ("python3", "-c", "raise SystemExit(3)"))
    outcome = run_setup(make_app(project, [steps_plugin(failing)]))
    assert not outcome.ok
    assert outcome.error == "step 'fails' failed (exit 3)"
    assert state.read_ready(project) is None and not state.is_in_sync(project)
    assert last(project)["status"] == "failed"
    rows = metric_rows(project)
    assert rows[-1]["exit_code"] == 1 and rows[-1]["detail"]["error"]
    assert run_setup(make_app(project)).ok  # the next run finishes the job


def test_an_interrupted_setup_resumes_on_the_next_run(project: Path) -> None:
    def interrupt() -> None:
        raise KeyboardInterrupt  # Ctrl-C (or SIGTERM, see runner) mid-setup

    with pytest.raises(KeyboardInterrupt):
        run_setup(make_app(project, [steps_plugin(action("stop", interrupt))]))
    assert state.read_ready(project) is None
    assert last(project)["status"] == "running"  # status says it never ended
    outcome = run_setup(make_app(project))
    assert outcome.ok and not outcome.skipped
    assert state.is_in_sync(project)


def test_the_fast_path_files_name_the_managers_interpreter(project: Path) -> None:
    assert run_setup(make_app(project)).ok
    paths = project / ".seedbed" / fastcheck.PATHS_FILE
    lines = paths.read_text().splitlines()
    assert f"exists {project / '.venv' / 'bin' / 'python'}" in lines
    assert "absent poetry.lock" in lines
