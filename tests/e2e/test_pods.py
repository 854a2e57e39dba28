"""`seedbed pod` against a real Docker engine (tests/setup/docker.sh provides it).

The engine and the offline base image are required: missing, these tests skip
locally and fail under SEEDBED_STRICT=1 (CI), after trying tests/setup/docker.sh
once when running as root. Every container a test creates is removed by the
`pod_project` fixture, found by its labels, whatever the test's outcome.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import seedbed, worktree_add
from tests.factories.git import git
from tests.factories.pods import (
    BASE_IMAGE,
    POD_LABEL,
    expected_uid,
    hand_over,
    ours,
)

STATS_KEYS = {
    "name",
    "status",
    "cpu_percent",
    "memory_bytes",
    "memory_limit_bytes",
    "memory_percent",
    "pids",
    "pids_limit",
}


def configure(project: Path, **pod: object) -> None:
    lines = [
        "[project]",
        'name = "sample"',
        'version = "0.1"',
        "",
        "[tool.seedbed.pod]",
    ]
    settings: dict[str, object] = {"base_image": BASE_IMAGE, **pod}
    for key, value in settings.items():
        lines.append(f"{key} = {json.dumps(value)}")
    (project / "pyproject.toml").write_text("\n".join(lines) + "\n")
    hand_over(project)


@pytest.fixture
def pod_project(repo: Path, engine: Any, tmp_path: Path) -> Iterator[Path]:
    """A small project with src/ and unittest tests, its pods removed afterwards."""
    if os.getuid() == 0:
        # git refuses a repository owned by someone else unless told it is safe.
        git("config", "--global", "--add", "safe.directory", "*", cwd=tmp_path)
    package = repo / "src" / "sample"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("def answer():\n    return 42\n")
    (repo / "tests").mkdir()
    (repo / "tests" / "test_sample.py").write_text(
        "import unittest\n\nimport sample\n\n\n"
        "class AnswerTest(unittest.TestCase):\n"
        "    def test_answer(self):\n"
        "        self.assertEqual(sample.answer(), 42)\n"
    )
    configure(repo)
    git("add", "-A", cwd=repo)
    git("commit", "-q", "-m", "sample", cwd=repo)
    hand_over(repo)
    yield repo
    for pod in ours(engine, tmp_path):
        engine.api.remove_container(pod["Id"], force=True, v=True)


def pod(*args: str, cwd: Path, env: dict[str, str] | None = None) -> Any:
    return seedbed("pod", *args, cwd=cwd, env=env, timeout=180)


def up(project: Path, count: int, *extra: str) -> list[dict[str, Any]]:
    out = pod("up", str(count), "--json", *extra, cwd=project)
    assert out.returncode == 0, out.stdout + out.stderr
    return list(json.loads(out.stdout)["pods"])


def metrics(project: Path, name: str) -> list[sqlite3.Row]:
    with sqlite3.connect(project / ".git" / "seedbed" / "metrics.db") as db:
        db.row_factory = sqlite3.Row
        return db.execute(
            "SELECT * FROM runs WHERE kind = 'pod' AND name = ? ORDER BY id", (name,)
        ).fetchall()


def test_up_exec_stats_down(pod_project: Path, engine: Any, tmp_path: Path) -> None:
    made = up(pod_project, 3)
    names = [item["name"] for item in made]
    assert len(names) == 3 and all(item["error"] is None for item in made)
    assert all(name.startswith("seedbed-python-") for name in names)
    assert [name.rsplit("-", 1)[1] for name in names] == ["1", "2", "3"]
    listed = json.loads(pod("ls", "--json", cwd=pod_project).stdout)["pods"]
    assert sorted(item["name"] for item in listed) == sorted(names)
    assert {item["status"] for item in listed} == {"running"}

    out = pod(
        "exec",
        names[0],
        "--",
        "python",
        "-c",
        "import os, sys, sample; print(sys.prefix, sample.answer(), os.getuid())",
        cwd=pod_project,
    )
    assert out.returncode == 0, out.stderr
    # The pod's own environment, not the worktree's .venv; the code importable.
    assert out.stdout.split() == ["/home/seedbed/.venv", "42", str(expected_uid())]
    tests = pod(
        "exec",
        names[1],
        "--",
        "python",
        "-m",
        "unittest",
        "discover",
        "-s",
        "tests",
        cwd=pod_project,
    )
    assert tests.returncode == 0, tests.stderr
    assert "Ran 1 test" in tests.stderr and "OK" in tests.stderr
    failing = pod("exec", names[2], "--", "sh", "-c", "exit 7", cwd=pod_project)
    assert failing.returncode == 7

    figures = json.loads(pod("stats", "--json", cwd=pod_project).stdout)["pods"]
    assert sorted(item["name"] for item in figures) == sorted(names)
    for item in figures:
        assert set(item) == STATS_KEYS
        assert item["status"] == "running"
        assert item["memory_limit_bytes"] == 2**30
        assert 0 < item["memory_bytes"] < item["memory_limit_bytes"]
        assert 0 < item["memory_percent"] < 100
        assert item["pids"] >= 1 and item["pids_limit"] == 256

    ups = metrics(pod_project, "up")
    assert len(ups) == 3 and all(row["ok"] == 1 for row in ups)
    assert all(0 < row["seconds"] < 60 for row in ups)
    assert {json.loads(row["detail"])["container"] for row in ups} == set(names)
    samples = metrics(pod_project, "memory")
    assert len(samples) == 3 and all(row["figure"] > 0 for row in samples)
    assert json.loads(samples[0]["detail"])["limit_bytes"] == 2**30

    down = pod("down", "--all", "--json", cwd=pod_project)
    assert down.returncode == 0, down.stderr
    assert sorted(json.loads(down.stdout)["removed"]) == sorted(names)
    assert ours(engine, tmp_path) == []


def test_hardening_is_visible_in_docker_inspect(
    pod_project: Path, engine: Any, tmp_path: Path
) -> None:
    (name,) = [item["name"] for item in up(pod_project, 1)]
    inspected = engine.api.inspect_container(name)
    host = inspected["HostConfig"]
    uid = expected_uid()
    assert inspected["Config"]["User"] == f"{uid}:{uid}" and uid != 0
    assert host["ReadonlyRootfs"] is True
    assert set(host["Tmpfs"]) == {"/tmp", "/home/seedbed"}
    assert host["CapDrop"] == ["ALL"] and not host["CapAdd"]
    assert "no-new-privileges:true" in host["SecurityOpt"]
    assert host["NetworkMode"] == "none"
    assert host["Memory"] == 2**30 and host["MemorySwap"] == 2**30
    assert host["NanoCpus"] == 1_000_000_000 and host["PidsLimit"] == 256
    assert host["Privileged"] is False and host["Init"] is True
    labels = inspected["Config"]["Labels"]
    assert labels["seedbed.worktree"] == str(pod_project)
    assert labels["seedbed.repository"] == pod_project.name
    assert labels["seedbed.env"] == "python" and labels["seedbed.owner"]
    mounts = {(m["Source"], m["Destination"]) for m in inspected["Mounts"]}
    assert (str(pod_project), str(pod_project)) in mounts

    probe = (
        "import os, pathlib, socket\n"
        "pathlib.Path('written-in-pod').write_text('x')\n"
        "try:\n"
        "    pathlib.Path('/usr/evil').write_text('x')\n"
        "    print('root-writable')\n"
        "except OSError:\n"
        "    print('root-read-only')\n"
        "print(sorted(os.listdir('/sys/class/net')))\n"
        "print(open('/proc/self/status').read().split('CapEff:')[1].split()[0])\n"
    )
    out = pod("exec", name, "--", "python", "-c", probe, cwd=pod_project)
    assert out.returncode == 0, out.stderr
    read_only, interfaces, capabilities = out.stdout.splitlines()
    assert read_only == "root-read-only"
    assert interfaces == "['lo']"  # no network
    assert int(capabilities, 16) == 0
    written = (pod_project / "written-in-pod").stat()
    assert (written.st_uid, written.st_gid) == (uid, uid)


def test_a_request_over_a_limit_creates_nothing(
    pod_project: Path, engine: Any, tmp_path: Path
) -> None:
    before = len(engine.api.containers(all=True))
    out = pod("up", "11", "--json", cwd=pod_project)
    assert out.returncode == 8, out.stdout + out.stderr
    refused = json.loads(out.stdout)
    assert refused["details"]["limit"] == "max_per_command"
    assert refused["details"]["requested"] == 11 and "in_use" in refused["details"]
    assert "in use" in refused["error"]
    assert len(engine.api.containers(all=True)) == before
    assert ours(engine, tmp_path) == []
    text = pod("up", "11", cwd=pod_project)
    assert text.returncode == 8 and "max_per_command = 10" in text.stderr


def test_concurrent_ups_never_exceed_the_total_limit(
    pod_project: Path, engine: Any, tmp_path: Path
) -> None:
    baseline = len(engine.api.containers(all=True, filters={"label": POD_LABEL}))
    limit = baseline + 5
    configure(pod_project, max_total=limit, max_per_env=10)
    seen: list[int] = []
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            pods = engine.api.containers(all=True, filters={"label": POD_LABEL})
            seen.append(len(pods))
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        runs = [
            subprocess.Popen(
                [sys.executable, "-m", "seedbed.core", "pod", "up", "4", "--json"],
                cwd=pod_project,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        results = [(run.wait(180), *run.communicate()) for run in runs]
    finally:
        done.set()
        watcher.join()
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 8], results
    refused = next(json.loads(out) for code, out, _ in results if code == 8)
    assert refused["details"]["limit"] == "max_total"
    assert refused["details"]["in_use"] == baseline + 4
    assert max(seen) <= limit, seen
    assert len(ours(engine, tmp_path)) == 4


def _cli_up(project: Path, count: int, monkeypatch: pytest.MonkeyPatch) -> Any:
    from seedbed.core.errors import SeedbedError
    from seedbed.plugins.pods.commands import pod as pod_group

    monkeypatch.chdir(project)
    result = CliRunner().invoke(pod_group, ["up", str(count)])
    assert isinstance(result.exception, SeedbedError), result.output
    return result.exception


def test_a_pod_that_cannot_be_created_rolls_back_the_request(
    pod_project: Path, engine: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 3rd of 4 names is taken by a container seedbed does not own."""
    from seedbed.plugins.pods import naming

    monkeypatch.setattr(naming, "stamp", lambda at=None: "20000101-000000")
    squatter = engine.containers.create(
        BASE_IMAGE, ["true"], name="seedbed-python-20000101-000000-3"
    )
    try:
        error = _cli_up(pod_project, 4, monkeypatch)
        assert error.exit_code == 1
        assert "seedbed-python-20000101-000000-3 failed" in error.message
        assert "create failed" in error.message
        assert ours(engine, tmp_path) == []
        # A container seedbed did not create is never touched, nor removable.
        squatter.reload()
        assert squatter.status == "created"
        refused = pod("down", squatter.name, cwd=pod_project)
        assert refused.returncode == 10
    finally:
        squatter.remove(force=True)
    rows = metrics(pod_project, "up")
    assert len(rows) == 4 and not any(row["ok"] for row in rows)
    errors = [json.loads(row["detail"])["error"] for row in rows]
    assert sum("create failed" in e for e in errors) == 1
    assert sum(e.startswith("removed because") for e in errors) == 3


def test_a_pod_that_fails_to_start_rolls_back_the_request(
    pod_project: Path, engine: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The 3rd of 4 pods exits before it is ready; the other three go too."""
    from seedbed.plugins.pods import spec

    real = spec.create_kwargs

    def third_breaks(name: str, *args: Any) -> dict[str, Any]:
        kwargs = real(name, *args)
        if name.endswith("-3"):
            kwargs["command"] = [
                "python3",
                "-c",
                "raise SystemExit('broken on purpose')",
            ]
        return kwargs

    monkeypatch.setattr(spec, "create_kwargs", third_breaks)
    error = _cli_up(pod_project, 4, monkeypatch)
    assert "-3 failed (exited with code 1 before it was ready" in error.message
    assert "broken on purpose" in error.message
    assert [p["name"] for p in error.details["pods"]][2].endswith("-3")
    assert ours(engine, tmp_path) == []


# `seedbed pod up 3` whose pods run but never become ready, so the command is
# still provisioning when the test signals it. SIGINT is set to raise
# KeyboardInterrupt even when the test runner was started with it ignored.
NEVER_READY_UP = """
import signal, sys
signal.signal(signal.SIGINT, signal.default_int_handler)
from seedbed.plugins.pods import spec
real = spec.create_kwargs
def never_ready(*args):
    kwargs = real(*args)
    kwargs["command"] = ["python3", "-c", "import time; time.sleep(300)"]
    return kwargs
spec.create_kwargs = never_ready
sys.argv = ["seedbed", "pod", "up", "3", "--json"]
from seedbed.core.entry import main
main()
"""


@pytest.mark.parametrize(
    ("signum", "exit_code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)]
)
def test_a_signal_during_up_removes_every_pod_it_created(
    pod_project: Path, engine: Any, tmp_path: Path, signum: int, exit_code: int
) -> None:
    run = subprocess.Popen(
        [sys.executable, "-c", NEVER_READY_UP],
        cwd=pod_project,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            running = [p for p in ours(engine, tmp_path) if p["State"] == "running"]
            if len(running) == 3 or run.poll() is not None:
                break
            time.sleep(0.05)
        assert run.poll() is None, run.communicate()
        assert len(running) == 3, "the pods never started"
        run.send_signal(signum)
        out, err = run.communicate(timeout=60)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    assert run.returncode == exit_code, out + err
    assert ours(engine, tmp_path) == []
    if signum == signal.SIGTERM:
        error = json.loads(out)
        assert error["exit_code"] == 143 and error["details"]["removed"] == 3
        assert "terminated (SIGTERM)" in error["error"]
    else:
        assert "interrupted" in err
    # The handler lived only while provisioning: nothing else changed.
    after = pod("ls", "--json", cwd=pod_project)
    assert after.returncode == 0 and json.loads(after.stdout) == {"pods": []}


def test_gc_removes_old_pod_images_no_container_uses(
    pod_project: Path, engine: Any, tmp_path: Path
) -> None:
    from docker.errors import ImageNotFound
    from seedbed.plugins.pods.image import template_dir

    (name,) = [item["name"] for item in up(pod_project, 1)]
    current = engine.api.inspect_container(name)["Config"]["Image"]
    assert current.startswith("seedbed-pod:")
    assert pod("down", "--all", cwd=pod_project).returncode == 0
    # Two images as an older template would have left: one unused, one that a
    # (non-seedbed) container still uses. A label makes them distinct images.
    old, used = (f"seedbed-pod:gc-test-{uuid.uuid4().hex[:8]}" for _ in range(2))
    for tag in (old, used):
        engine.images.build(
            path=str(template_dir()),
            tag=tag,
            buildargs={"BASE_IMAGE": BASE_IMAGE},
            pull=False,
            rm=True,
            forcerm=True,
            network_mode="none",
            labels={"seedbed.image": "pod", "seedbed.test": tag},
        )
    user = engine.containers.create(used, ["true"])
    try:
        out = pod("gc", "--json", cwd=pod_project)
        assert out.returncode == 0, out.stderr
        report = json.loads(out.stdout)
        assert old in report["removed_images"]
        assert current not in report["removed_images"]
        assert used not in report["removed_images"]
        with pytest.raises(ImageNotFound):
            engine.images.get(old)
        assert engine.images.get(current).id and engine.images.get(used).id
        again = pod("gc", cwd=pod_project)
        assert again.returncode == 0 and old not in again.stdout
        # The next `pod up` reuses the kept image: no build.
        fast = pod("up", "1", cwd=pod_project)
        assert fast.returncode == 0 and "building" not in fast.stderr, fast.stderr
    finally:
        user.remove(force=True)
        for tag in (old, used):
            with contextlib.suppress(ImageNotFound):
                engine.images.remove(tag)


def test_gc_removes_pods_of_a_removed_worktree(
    pod_project: Path, engine: Any, tmp_path: Path
) -> None:
    linked = tmp_path / "project-feat"
    out = worktree_add(pod_project, linked, "feat")
    assert out.returncode == 0, out.stderr
    hand_over(linked)
    doomed = [item["name"] for item in up(linked, 2)]
    (kept,) = [item["name"] for item in up(pod_project, 1)]
    # The linked worktree's `.git` file names the common dir by absolute path:
    # mounted at the same path, it resolves inside the pod (git would work).
    resolve = (
        "import pathlib\n"
        "gitdir = pathlib.Path('.git').read_text().split(':', 1)[1].strip()\n"
        "print((pathlib.Path(gitdir) / 'HEAD').read_text().strip())\n"
    )
    inside = pod("exec", doomed[0], "--", "python", "-c", resolve, cwd=linked)
    assert inside.returncode == 0, inside.stderr
    assert inside.stdout.strip() == "ref: refs/heads/feat"

    git("worktree", "remove", "--force", str(linked), cwd=pod_project)
    out = pod("gc", "--json", cwd=pod_project)
    assert out.returncode == 0, out.stderr
    assert sorted(json.loads(out.stdout)["removed"]) == sorted(doomed)
    assert [p["Names"][0].lstrip("/") for p in ours(engine, tmp_path)] == [kept]
    again = pod("gc", "--json", cwd=pod_project)
    assert json.loads(again.stdout)["removed"] == []


def test_stats_warns_near_the_memory_limit_and_records_it(
    pod_project: Path, engine: Any
) -> None:
    configure(pod_project, memory="100m", memory_warn_percent=50)
    (name,) = [item["name"] for item in up(pod_project, 1)]
    hog = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "seedbed.core",
            "pod",
            "exec",
            name,
            "--",
            "python",
            "-c",
            "import time; block = bytearray(70 * 2**20); print('held', flush=True);"
            " time.sleep(30)",
        ],
        cwd=pod_project,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert hog.stdout is not None and hog.stdout.readline().strip() == "held"
        out = pod("stats", "--json", cwd=pod_project)
    finally:
        hog.kill()
        hog.wait()
    assert out.returncode == 0, out.stderr
    (figures,) = json.loads(out.stdout)["pods"]
    assert figures["memory_limit_bytes"] == 100 * 2**20
    assert figures["memory_percent"] >= 50
    assert f"warning: {name} uses" in out.stderr
    (row,) = metrics(pod_project, "memory")
    assert row["figure"] == figures["memory_percent"]


def test_an_unreachable_engine_is_exit_code_9_with_what_to_check(
    tmp_path: Path,
) -> None:
    env = {**os.environ, "DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock"}
    out = seedbed("pod", "ls", "--json", cwd=tmp_path, env=env)
    assert out.returncode == 9, out.stdout + out.stderr
    error = json.loads(out.stdout)
    assert error["exit_code"] == 9
    assert "cannot reach the Docker engine at unix://" in error["error"]
    assert "No such file or directory" in error["error"]
    assert "docker info" in error["hint"] and "DOCKER_HOST" in error["hint"]
    text = seedbed("pod", "up", cwd=tmp_path, env=env)
    assert text.returncode in (4, 9)  # not a repository is checked first
