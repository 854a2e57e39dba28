"""`seedbed setup` with its own options skips click (core/setupfast.py) and
then prints, exits and records exactly as the click command does (issue 15).

The click route is the CLI's own main (`seedbed.core.cli.main`) run from a
script also named `seedbed`; which route ran is read from Python's import log
(PYTHONPROFILEIMPORTTIME). A setup changes its worktree, so runs that set one
up compare twin repositories built alike, their paths and timings masked.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BIN, require, seedbed, worktree_add
from tests.factories.disks import fill, small_disk
from tests.factories.metrics import metric_rows
from tests.factories.projects import pip_project, uv_project

TIMES = re.compile(r"\d+\.\d+ s\b")
MEASURES = re.compile(r'"(seconds|peak_rss_kb|env_bytes)": [0-9.]+')
ROUTES = ("fast", "click")
MEASURED = ("seconds", "env_bytes")


@pytest.fixture
def click_route(tmp_path: Path) -> Path:
    """A `seedbed` script that runs the click CLI directly, as the console
    script does for any form the fast route leaves to it."""
    folder = tmp_path / "click-route"
    folder.mkdir()
    script = folder / "seedbed"
    script.write_text(
        f"#!{BIN / 'python'}\n"
        "import sys\n\nfrom seedbed.core.cli import main\n\nsys.exit(main())\n"
    )
    script.chmod(0o755)
    return script


def run(route: str, click_route: Path, cwd: Path, *args: str) -> tuple[Any, ...]:
    """(stdout, stderr, exit code) of one route, after checking it took it."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    argv = [str(click_route if route == "click" else BIN / "seedbed"), *args]
    out = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )
    imports = [line for line in out.stderr.splitlines() if line.startswith("import ")]
    took_click = any(line.split("|")[-1].strip() == "click" for line in imports)
    assert took_click == (route == "click"), f"{args} in {cwd}: not the {route} route"
    stderr = "".join(
        line
        for line in out.stderr.splitlines(keepends=True)
        if not line.startswith("import time:")
    )
    return out.stdout, stderr, out.returncode


def masked(text: str, root: Path) -> str:
    """Text with the twin's folder and every timing masked."""
    text = text.replace(str(root), "<root>")
    return MEASURES.sub(r'"\1": N', TIMES.sub("N s", text))


def same_in(cwd: Path, click_route: Path, *args: str) -> tuple[Any, ...]:
    """Both routes in one worktree (for runs that change nothing)."""
    fast = run("fast", click_route, cwd, *args)
    full = run("click", click_route, cwd, *args)
    assert fast == full, (args, cwd)
    return fast


def rows(main: Path) -> list[tuple[Any, ...]]:
    """What the metrics store holds for setups, less measurements (times,
    the environment's size on disk) and run ids."""
    kept = []
    for kind in ("setup", "step"):
        for row in metric_rows(main, kind):
            detail = {k: v for k, v in row["detail"].items() if k not in MEASURED}
            kept.append(
                (
                    kind,
                    row["name"],
                    row["exit_code"],
                    row["installer"],
                    masked(str(detail), main.parent),
                )
            )
    return kept


def twins(tmp_path: Path, make: Any) -> dict[str, Path]:
    """The same project built twice, at <route>/proj."""
    return {route: make(tmp_path / route / "proj") for route in ROUTES}


def compare_twins(worktrees: dict[str, Path], click_route: Path, *args: str) -> Any:
    results = {
        route: run(route, click_route, worktrees[route], *args) for route in ROUTES
    }
    fast, full = (
        tuple(masked(str(part), worktrees[route].parent) for part in results[route])
        for route in ROUTES
    )
    assert fast == full, args
    return results["fast"]


def test_in_sync_forms(tmp_path: Path, offline: Path, click_route: Path) -> None:
    require("uv")
    main = uv_project(tmp_path / "proj", offline)
    assert seedbed("setup", cwd=main).returncode == 0
    before = rows(main)
    (main / "src" / "sub").mkdir(exist_ok=True)
    for args in (
        (),
        ("--json",),
        ("--trigger", "checkout"),
        ("--trigger=merge", "--json"),
        ("-v",),
        ("--verbose", "--json", "--trigger", "create"),
    ):
        stdout, _, code = same_in(main, click_route, "setup", *args)
        assert code == 0
        if "--json" in args:
            assert json.loads(stdout)["skipped"] is True
        else:
            assert "already ready" in stdout
    same_in(main / "src" / "sub", click_route, "setup")  # from inside the tree
    assert rows(main) == before  # an in-sync setup records nothing, either way


def test_fresh_worktree(tmp_path: Path, offline: Path, click_route: Path) -> None:
    require("uv")
    mains = twins(tmp_path, lambda root: uv_project(root, offline))
    feats = {}
    for route, main in mains.items():
        assert seedbed("setup", cwd=main).returncode == 0
        feats[route] = main.parent / "feat"
        assert worktree_add(main, feats[route], "feat").returncode == 0
    stdout, stderr, code = compare_twins(feats, click_route, "setup")
    assert code == 0 and ": ready (uv via uv" in stdout and "[1/" in stderr
    assert rows(mains["fast"]) == rows(mains["click"])
    # --recreate in the same twins: a rebuild, reported alike.
    compare_twins(feats, click_route, "setup", "--recreate", "--json")
    assert rows(mains["fast"]) == rows(mains["click"])


def test_failing_setup(tmp_path: Path, offline: Path, click_route: Path) -> None:
    mains = twins(
        tmp_path,
        lambda root: pip_project(root, requirements="no-such-package-xyz\n"),
    )
    _, stderr, code = compare_twins(mains, click_route, "setup")
    assert code == 5 and "seedbed: error:" in stderr
    assert "no-such-package-xyz" in stderr
    stdout, _, code = compare_twins(mains, click_route, "setup", "--json")
    assert code == 5 and json.loads(stdout)["ok"] is False
    assert rows(mains["fast"]) == rows(mains["click"])
    assert [row[2] for row in rows(mains["fast"]) if row[0] == "setup"] == [1, 1]


def test_bad_config(tmp_path: Path, offline: Path, click_route: Path) -> None:
    main = pip_project(tmp_path / "proj")
    (main / ".seedbed.toml").write_text('python_version = "3.11"\n')
    _, stderr, code = same_in(main, click_route, "setup")
    assert code == 3 and ".seedbed.toml" in stderr
    stdout, stderr, code = same_in(main, click_route, "setup", "--json")
    assert code == 3 and json.loads(stdout)["exit_code"] == 3 and stderr == ""
    (main / ".seedbed.toml").write_text("[broken\n")
    assert same_in(main, click_route, "setup")[2] == 3
    assert not (main / ".venv").exists()
    outside = tmp_path / "outside"
    outside.mkdir()
    assert same_in(outside, click_route, "setup", "--json")[2] == 4


def test_full_disk(tmp_path: Path, offline: Path, click_route: Path) -> None:
    with small_disk(tmp_path / "disk", "4m") as disk:
        main = pip_project(disk / "proj")
        fill(disk)
        # Which write meets the full disk first depends on the bytes the run
        # before left free, so the two routes are compared by outcome, not bytes.
        assert seedbed("setup", cwd=main).returncode == 5
        for args in ((), ("--json",)):
            for route in ("fast", "click"):
                stdout, stderr, code = run(route, click_route, main, "setup", *args)
                assert code == 5 and "Traceback" not in stderr, (route, stderr)
                if args:
                    assert json.loads(stdout)["ok"] is False
                else:
                    assert stdout == "" and stderr.startswith("seedbed: "), stderr


@pytest.mark.parametrize(
    "args",
    [
        ("--help",),
        ("-h",),
        ("--bogus",),
        ("--trigger", "nope"),
        ("--trigger",),
        ("--json", "--json"),
        ("-v", "--verbose"),
        ("--json", "--", "x"),
        ("extra",),
    ],
)
def test_other_forms_are_clicks(
    args: tuple[str, ...], tmp_path: Path, click_route: Path
) -> None:
    """Help and usage errors stay click's: the console script hands them on."""
    main = pip_project(tmp_path / "proj", requirements="no-such-package-xyz\n")
    (main / ".seedbed.toml").write_text('python_version = "3.11"\n')  # no setup
    out = run("click", click_route, main, "setup", *args)
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1"}
    via_script = subprocess.run(
        [str(BIN / "seedbed"), "setup", *args],
        cwd=main,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert any(
        line.split("|")[-1].strip() == "click"
        for line in via_script.stderr.splitlines()
    )
    plain = "".join(
        line
        for line in via_script.stderr.splitlines(keepends=True)
        if not line.startswith("import time:")
    )
    assert (via_script.stdout, plain, via_script.returncode) == out


def test_which_forms_take_the_fast_route() -> None:
    from seedbed.core.setupfast import parse

    assert parse([]) == {
        "recreate": False,
        "verbose": False,
        "as_json": False,
        "trigger": "manual",
    }
    assert parse(["--json", "--recreate", "-v", "--trigger=rewrite"]) == {
        "recreate": True,
        "verbose": True,
        "as_json": True,
        "trigger": "rewrite",
    }
    assert parse(["--trigger", "create"]) is not None
    for args in (
        ["--help"],
        ["-h"],
        ["-vv"],
        ["--json", "--json"],
        ["--trigger"],
        ["--trigger", "Create"],
        ["--trigger=nope"],
        ["--triggered"],
        ["--jso"],
        ["--", "--json"],
        ["now"],
    ):
        assert parse(args) is None, args
