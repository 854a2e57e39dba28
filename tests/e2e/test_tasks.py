"""`seedbed task` against the real Docker engine and real git.

A small project with src/ and unittest tests, a task file (PRP) with two
validation levels, and a script standing in for the agent (it reads the task
on stdin, edits the module and adds a test). Every pod a test makes is removed
afterwards (found by its labels); the engine and the offline base image come
from tests/setup/docker.sh (see tests/e2e/test_pods.py).

Until pyproject.toml declares the `tasks` entry point, a dist-info on
PYTHONPATH registers the plugin for the `seedbed` processes the tests start.
"""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BIN, seedbed
from tests.factories.git import git
from tests.factories.pods import (
    BASE_IMAGE,
    POD_UID,
    expected_uid,
    hand_over,
    ours,
)

AGENT = """\
import os, pathlib, sys
task = sys.stdin.read()
print("agent read", len(task), "chars", os.environ["SEEDBED_TASK_NAME"])
assert pathlib.Path(os.environ["SEEDBED_TASK"]).read_text() == task
pathlib.Path("src/sample/__init__.py").write_text(
    "def answer():\\n    return 42\\n\\n\\ndef double(x):\\n    return 2 * x\\n"
)
pathlib.Path("tests/test_double.py").write_text(
    "import unittest\\n\\nimport sample\\n\\n\\n"
    "class DoubleTest(unittest.TestCase):\\n"
    "    def test_double(self):\\n"
    "        self.assertEqual(sample.double(2), 4)\\n"
)
"""

TASK = """---
{front}
---
# Add double()

## Goal
A function `double(x)` in `sample`, with a test.

## Validation

### Level 1: Syntax & Style
```bash
python -m py_compile src/sample/__init__.py
```

### Level 2: Unit Tests
```bash
python -m unittest discover -s tests -v
```

### Level 3: Integration
```sh
python -c "import sample; assert sample.double(21) == 42; print('integrated')"
```
"""


def task_file(project: Path, name: str, front: str = "timeout: 120") -> Path:
    path = project / "PRPs" / f"{name}.md"
    path.parent.mkdir(exist_ok=True)
    path.write_text(TASK.format(front=front))
    return path


def plugin_path(directory: Path) -> Path:
    info = directory / "seedbed_tasks_tests-0.dist-info"
    info.mkdir(parents=True, exist_ok=True)
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: seedbed-tasks-tests\nVersion: 0\n"
    )
    (info / "entry_points.txt").write_text("[seedbed]\ntasks = seedbed.plugins.tasks\n")
    return directory


@pytest.fixture
def project(repo: Path, engine: Any, tmp_path: Path) -> Iterator[Path]:
    if os.getuid() == 0:
        git("config", "--global", "--add", "safe.directory", "*", cwd=tmp_path)
    (repo / "src" / "sample").mkdir(parents=True)
    (repo / "src" / "sample" / "__init__.py").write_text(
        "def answer():\n    return 42\n"
    )
    (repo / "tests").mkdir()
    (repo / "tests" / "test_sample.py").write_text(
        "import unittest\n\nimport sample\n\n\n"
        "class AnswerTest(unittest.TestCase):\n"
        "    def test_answer(self):\n"
        "        self.assertEqual(sample.answer(), 42)\n"
    )
    # py_compile (level 1) writes bytecode whatever PYTHONDONTWRITEBYTECODE says.
    (repo / ".gitignore").write_text("__pycache__/\n")
    (repo / "tools").mkdir()
    (repo / "tools" / "agent.py").write_text(AGENT)
    configure(repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "sample", cwd=repo)
    hand_over(repo)
    yield repo
    for pod in ours(engine, tmp_path):
        engine.api.remove_container(pod["Id"], force=True, v=True)


def configure(
    project: Path, tasks: dict[str, object] | None = None, **pod: object
) -> None:
    settings: dict[str, object] = {"base_image": BASE_IMAGE, **pod}
    if os.getuid() == 0:
        settings.setdefault("user", f"{POD_UID}:{POD_UID}")
    lines = [
        "[project]",
        'name = "sample"',
        'version = "0.1"',
        "",
        "[tool.seedbed.pod]",
    ]
    lines += [f"{key} = {json.dumps(value)}" for key, value in settings.items()]
    if tasks:
        lines += ["", "[tool.seedbed.tasks]"]
        lines += [f"{key} = {json.dumps(value)}" for key, value in tasks.items()]
    (project / "pyproject.toml").write_text("\n".join(lines) + "\n")


def env(tmp_path: Path) -> dict[str, str]:
    extra = str(plugin_path(tmp_path / "plugin"))
    path = os.environ.get("PYTHONPATH")
    return {**os.environ, "PYTHONPATH": f"{extra}{os.pathsep}{path}" if path else extra}


def task(project: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return seedbed("task", *args, cwd=project, env=env(tmp_path), timeout=300)


def runs(out: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert out.stdout.strip(), out.stderr
    return list(json.loads(out.stdout)["runs"])


def worktrees(project: Path) -> list[str]:
    listing = git("worktree", "list", "--porcelain", cwd=project)
    return [
        line.split(" ", 1)[1]
        for line in listing.splitlines()
        if line[:9] == "worktree "
    ]


def metric_rows(project: Path, kind: str) -> list[sqlite3.Row]:
    with sqlite3.connect(project / ".git" / "seedbed" / "metrics.db") as db:
        db.row_factory = sqlite3.Row
        return db.execute(
            "SELECT * FROM runs WHERE kind = ? ORDER BY id", (kind,)
        ).fetchall()


def test_a_passing_task_with_an_agent(
    project: Path, engine: Any, tmp_path: Path
) -> None:
    prp = task_file(project, "double")
    out = task(
        project,
        tmp_path,
        "run",
        str(prp),
        "--agent",
        "python3 tools/agent.py",
        "--no-gates",
        "--keep",
        "--json",
    )
    assert out.returncode == 0, out.stdout + out.stderr
    (summary,) = runs(out)
    assert summary["status"] == "pass" and summary["reason"] == ""
    assert summary["task"] == "double" and summary["title"] == "Add double()"
    assert summary["agent"]["exit_code"] == 0 and summary["agent"]["seconds"] > 0
    assert [
        (lv["name"], lv["status"], lv["exit_code"]) for lv in summary["levels"]
    ] == [
        ("Level 1: Syntax & Style", "pass", 0),
        ("Level 2: Unit Tests", "pass", 0),
        ("Level 3: Integration", "pass", 0),
    ]
    assert summary["pod_peak_memory_bytes"] > 0 and summary["network"] is False
    assert summary["started_at"].endswith("+00:00")
    # The agent's output streamed (to stderr under --json) and into its log.
    assert "agent read" in out.stderr and "integrated" in out.stderr
    folder = Path(summary["results"])
    assert folder == project / "results" / "double" / summary["run_id"]
    assert "agent read" in (folder / "agent.log").read_text()
    assert "Ran 2 tests" in (folder / "level-2.log").read_text()
    patch = (folder / "changes.patch").read_text()
    assert "+def double(x):" in patch and "tests/test_double.py" in patch
    assert "__pycache__" not in patch
    assert "/results/" in (project / ".git" / "info" / "exclude").read_text()
    assert "results" not in git("status", "--porcelain", cwd=project)

    # --keep: the worktree and the pod stay; the pod is hardened.
    assert summary["worktree_kept"] and summary["pod_kept"]
    assert summary["worktree"] in worktrees(project)
    inspected = engine.api.inspect_container(summary["pod"])
    host = inspected["HostConfig"]
    assert inspected["Config"]["User"] == f"{expected_uid()}:{expected_uid()}"
    assert host["ReadonlyRootfs"] and host["CapDrop"] == ["ALL"]
    assert "no-new-privileges:true" in host["SecurityOpt"]
    assert host["NetworkMode"] == "none" and host["PidsLimit"] == 256

    listed = runs(task(project, tmp_path, "ls", "--json"))
    assert [(r["task"], r["run_id"], r["status"]) for r in listed] == [
        ("double", summary["run_id"], "pass")
    ]
    shown = task(project, tmp_path, "show", summary["run_id"], "--json")
    assert json.loads(shown.stdout)["levels"] == summary["levels"]
    (row,) = metric_rows(project, "task")
    assert row["name"] == "double" and row["ok"] == 1
    assert json.loads(row["detail"])["task_run"] == summary["run_id"]
    levels = metric_rows(project, "task-level")
    assert [r["name"] for r in levels] == [lv["name"] for lv in summary["levels"]]


def test_without_keep_a_pass_leaves_no_worktree_or_pod(
    project: Path, engine: Any, tmp_path: Path
) -> None:
    prp = task_file(project, "double")
    out = task(
        project,
        tmp_path,
        "run",
        str(prp),
        "--agent",
        "python3 tools/agent.py",
        "--no-gates",
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert "double " in out.stdout and ": pass" in out.stdout
    assert worktrees(project) == [str(project)]
    assert ours(engine, tmp_path) == []


def test_a_failing_unit_level_stops_and_keeps_the_worktree(
    project: Path, engine: Any, tmp_path: Path
) -> None:
    prp = task_file(project, "double")
    # No agent: the tests of level 2 pass, so break them first.
    (project / "tests" / "test_sample.py").write_text(
        (project / "tests" / "test_sample.py").read_text().replace("42)", "43)")
    )
    git("commit", "-qam", "break", cwd=project)
    out = task(project, tmp_path, "run", str(prp), "--no-gates", "--json")
    assert out.returncode == 1, out.stdout + out.stderr
    (summary,) = runs(out)
    assert summary["status"] == "fail"
    assert [lv["status"] for lv in summary["levels"]] == ["pass", "fail", "skip"]
    assert summary["levels"][1]["exit_code"] == 1
    assert "Level 2: Unit Tests" in summary["reason"]
    assert summary["worktree_kept"] and summary["worktree"] in worktrees(project)
    assert summary["pod_kept"]
    assert [p["Names"][0].lstrip("/") for p in ours(engine, tmp_path)] == [
        summary["pod"]
    ]
    going = runs(
        task(project, tmp_path, "run", str(prp), "--no-gates", "--keep-going", "--json")
    )
    assert [lv["status"] for lv in going[0]["levels"]] == ["pass", "fail", "fail"]


def test_a_task_over_its_time_limit_is_ended(
    project: Path, engine: Any, tmp_path: Path
) -> None:
    prp = task_file(project, "slow", front="timeout: 3")
    started = time.monotonic()
    out = task(
        project,
        tmp_path,
        "run",
        str(prp),
        "--agent",
        "sleep 60",
        "--no-gates",
        "--json",
    )
    assert time.monotonic() - started < 45
    assert out.returncode == 1, out.stdout + out.stderr
    (summary,) = runs(out)
    assert summary["status"] == "fail" and summary["timed_out"] is True
    assert summary["agent"]["exit_code"] == 124
    assert "time limit of 3 s" in summary["reason"]
    assert [lv["status"] for lv in summary["levels"]] == []


def test_three_tasks_under_a_pod_limit_of_two(
    project: Path, engine: Any, tmp_path: Path
) -> None:
    configure(project, max_total=2)
    hand_over(project)
    git("commit", "-qam", "limit", cwd=project)
    files = [str(task_file(project, name)) for name in ("one", "two", "three")]
    out = task(
        project,
        tmp_path,
        "run",
        *files,
        "--parallel",
        "3",
        "--agent",
        "sh -c 'sleep 3; python3 tools/agent.py'",
        "--no-gates",
        "--json",
    )
    assert out.returncode == 0, out.stdout + out.stderr
    summaries = runs(out)
    assert [s["task"] for s in summaries] == ["one", "two", "three"]
    assert {s["status"] for s in summaries} == {"pass"}
    assert "waiting for a pod slot" in out.stderr
    assert len({s["pod"] for s in summaries}) == 3
    assert ours(engine, tmp_path) == []


@pytest.mark.parametrize(
    ("content", "exit_code", "expected"),
    [
        ("# T\n\n## Goal\nNothing to check.\n", 2, "no validation commands"),
        ("# T\n\n## Validation\n```bash\necho open\n", 2, "never closed"),
        (None, 10, "no such task file"),
        (
            "---\nname: ../../escape\n---\n# T\n## Validation\n```sh\ntrue\n```\n",
            2,
            "must stay inside results/",
        ),
    ],
)
def test_bad_input_is_a_clear_error_and_creates_nothing(
    project: Path,
    engine: Any,
    tmp_path: Path,
    content: str | None,
    exit_code: int,
    expected: str,
) -> None:
    prp = project / "PRPs" / "bad.md"
    if content is not None:
        prp.parent.mkdir(exist_ok=True)
        prp.write_text(content)
    good = task_file(project, "good")
    out = task(project, tmp_path, "run", str(good), str(prp), "--json")
    assert out.returncode == exit_code, out.stdout + out.stderr
    error = json.loads(out.stdout)
    assert expected in error["error"] and error["exit_code"] == exit_code
    assert not (project / "results").exists()
    assert worktrees(project) == [str(project)]
    assert ours(engine, tmp_path) == []


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_stops_the_agent_and_the_pod(
    project: Path, engine: Any, tmp_path: Path, signum: int
) -> None:
    prp = task_file(project, "double")
    child = subprocess.Popen(
        [
            str(BIN / "seedbed"),
            "task",
            "run",
            str(prp),
            "--agent",
            "sleep 120",
            "--no-gates",
            "--json",
        ],
        cwd=project,
        env=env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while not list((project / "results").glob("double/*/agent.log")):
            assert time.monotonic() < deadline and child.poll() is None
            time.sleep(0.2)
        time.sleep(1)
        child.send_signal(signum)
        stdout, stderr = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
    assert child.returncode == 130, stdout + stderr
    (summary,) = json.loads(stdout)["runs"]
    assert summary["status"] == "interrupted"
    assert summary["agent"]["exit_code"] != 0
    assert summary["worktree_kept"] and not summary["pod_kept"]
    saved = json.loads((Path(summary["results"]) / "summary.json").read_text())
    assert saved["status"] == "interrupted"
    assert (Path(summary["results"]) / "changes.patch").exists()
    assert ours(engine, tmp_path) == []
    (row,) = metric_rows(project, "task")
    assert row["exit_code"] == 130


def test_gates_run_after_the_levels_in_a_set_up_worktree(
    project: Path, engine: Any, tmp_path: Path
) -> None:
    """The default (--gates): the worktree is set up, the gates run after the
    levels, and each lands in the summary with the one status vocabulary."""
    prp = task_file(project, "gated")
    out = task(
        project,
        tmp_path,
        "run",
        str(prp),
        "--agent",
        "python3 tools/agent.py",
        "--json",
    )
    (summary,) = runs(out)
    assert summary["status"] in ("pass", "fail"), summary["reason"]
    assert [lv["status"] for lv in summary["levels"]] == ["pass", "pass", "pass"]
    gates = summary["gates"]
    assert gates and {g["status"] for g in gates} <= {"pass", "fail", "error", "skip"}
    assert all(
        set(g) >= {"name", "exit_code", "seconds", "findings", "coverage"}
        for g in gates
    )
    failed = [g["name"] for g in gates if g["status"] == "fail"]
    assert (summary["status"] == "fail") == bool(failed)
    saved = json.loads((Path(summary["results"]) / "gates.json").read_text())
    assert [g["name"] for g in saved["gates"]] == [g["name"] for g in gates]


def test_a_failing_agent_fails_the_run_and_skips_the_levels(
    project: Path, engine: Any, tmp_path: Path
) -> None:
    prp = task_file(project, "double")
    out = task(
        project,
        tmp_path,
        "run",
        str(prp),
        "--agent",
        "sh -c 'exit 3'",
        "--no-gates",
        "--json",
    )
    assert out.returncode == 1, out.stdout + out.stderr
    (summary,) = runs(out)
    assert summary["status"] == "fail" and summary["agent"]["exit_code"] == 3
    assert "agent exited with 3" in summary["reason"]
    assert [lv["status"] for lv in summary["levels"]] == ["skip", "skip", "skip"]
    going = runs(
        task(
            project,
            tmp_path,
            "run",
            str(prp),
            "--agent",
            "sh -c 'exit 3'",
            "--no-gates",
            "--keep-going",
            "--json",
        )
    )
    # The checks ran (and level 3 needs double(), which the agent never wrote),
    # but a failed agent still fails the run.
    assert [lv["status"] for lv in going[0]["levels"]] == ["pass", "pass", "fail"]
    assert going[0]["status"] == "fail"


def test_tasks_config_gives_the_defaults(
    project: Path, engine: Any, tmp_path: Path
) -> None:
    """[tool.seedbed.tasks]: gates off and a 3 s limit when the file sets none."""
    configure(project, tasks={"gates": False, "timeout": 3.0})
    hand_over(project)
    git("commit", "-qam", "tasks config", cwd=project)
    prp = task_file(project, "configured", front="name: configured")
    started = time.monotonic()
    out = task(project, tmp_path, "run", str(prp), "--agent", "sleep 60", "--json")
    assert time.monotonic() - started < 45
    (summary,) = runs(out)
    assert summary["timed_out"] is True and summary["timeout_seconds"] == 3.0
    assert summary["gates"] == [] and summary["status"] == "fail"
