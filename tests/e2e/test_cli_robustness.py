"""No traceback from any command in any directory; hidden commands honour
--help; one step counter over the whole setup; a failed setup in a git hook
shows the tool's own last lines and the log.

The commands come from the real click group (`seedbed --help`, plugin commands
included, groups walked recursively) plus the hidden `seedbed hook`, so a
command added later is covered without touching this file.
"""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import click
import pytest
from seedbed.core.setup.run import StepRunner
from seedbed.core.types import Step, StepResult

from tests.conftest import require, seedbed, worktree_add
from tests.factories.git import git
from tests.factories.projects import pip_project, uv_project

# The exit codes the README documents (docs/json.md: "Exit codes").
DOCUMENTED = set(range(12))
# Run with --help only: they download, or build a container image.
HELP_ONLY = {"audit update": "the network", "pod up": "an image build"}
COUNTER = re.compile(r"^seedbed: \[(\d+)(?:/(\d+))?\] ", re.M)


def all_commands() -> list[tuple[str, bool]]:
    """(command path, is a group) for every command under `seedbed`."""
    from seedbed.core.cli import cli

    found: list[tuple[str, bool]] = []

    def walk(command: click.Command, path: list[str], ctx: click.Context) -> None:
        if path:
            found.append((" ".join(path), isinstance(command, click.Group)))
        if isinstance(command, click.Group):
            for name in command.list_commands(ctx):
                sub = command.get_command(ctx, name)
                if sub is not None:
                    walk(sub, [*path, name], click.Context(sub, parent=ctx))

    walk(cli, [], click.Context(cli, info_name="seedbed"))
    return found


@pytest.fixture
def places(tmp_path: Path) -> dict[str, Path]:
    """Outside any git repository, an empty repository, a repository with no
    Python project."""
    outside = tmp_path / "outside"
    outside.mkdir()
    empty = tmp_path / "empty"
    empty.mkdir()
    git("init", "-q", "-b", "main", cwd=empty)
    plain = tmp_path / "plain"
    plain.mkdir()
    git("init", "-q", "-b", "main", cwd=plain)
    (plain / "README.md").write_text("no Python here\n")
    git("add", "-A", cwd=plain)
    git("commit", "-q", "-m", "init", cwd=plain)
    return {"outside": outside, "empty": empty, "plain": plain}


def _env(tmp_path: Path) -> dict[str, str]:
    # git must not find the repository tmp_path may sit in.
    return {**os.environ, "GIT_CEILING_DIRECTORIES": str(tmp_path)}


def _problem(out: subprocess.CompletedProcess[str]) -> str:
    text = out.stdout + out.stderr
    if "Traceback" in text:
        return f"traceback:\n{text[-1500:]}"
    if out.returncode not in DOCUMENTED and out.returncode != 127:
        return f"exit {out.returncode} is not documented:\n{text[-600:]}"
    if out.returncode != 0 and not out.stderr.strip() and not out.stdout.strip():
        return f"exit {out.returncode} without a word"
    return ""


def test_every_command_and_group_honours_help(
    places: dict[str, Path], tmp_path: Path
) -> None:
    env = _env(tmp_path)
    bad = {}
    for name, _ in [*all_commands(), ("hook", False), ("hook pre-commit", False)]:
        out = seedbed(*name.split(), "--help", cwd=places["outside"], env=env)
        if (
            out.returncode != 0
            or "Usage:" not in out.stdout
            or "Traceback" in (out.stdout + out.stderr)
        ):
            bad[name] = f"exit {out.returncode}: {(out.stdout + out.stderr)[-400:]}"
    assert not bad, bad


def test_no_command_gives_a_traceback_anywhere(
    places: dict[str, Path], tmp_path: Path
) -> None:
    env = _env(tmp_path)
    bad: dict[str, str] = {}
    for name, is_group in all_commands():
        if name in HELP_ONLY:
            continue
        for where, folder in places.items():
            try:
                out = seedbed(*name.split(), cwd=folder, env=env, timeout=120)
            except subprocess.TimeoutExpired:
                bad[f"{name} ({where})"] = "still running after 120 s"
                continue
            problem = _problem(out)
            if problem:
                bad[f"{name} ({where})"] = problem
            if where == "plain" and not is_group and out.returncode not in (0, 127):
                json_out = seedbed(*name.split(), "--json", cwd=folder, env=env)
                if "Traceback" in json_out.stdout + json_out.stderr:
                    bad[f"{name} --json ({where})"] = json_out.stderr[-600:]
    assert not bad, "\n".join(f"{k}: {v}" for k, v in bad.items())


def test_outside_a_repository_is_exit_4(places: dict[str, Path], tmp_path: Path):
    for name in ("ls", "conflicts", "status", "setup", "gc"):
        out = seedbed(name, cwd=places["outside"], env=_env(tmp_path))
        assert out.returncode == 4, (name, out.stdout + out.stderr)
        assert "not inside a git repository" in out.stderr, name


def test_hook_help_runs_no_setup(tmp_path: Path, offline: Path) -> None:
    require("uv")
    main = uv_project(tmp_path / "proj", offline)
    for args in (("hook", "pre-commit", "--help"), ("hook", "--help"), ("hook", "-h")):
        out = seedbed(*args, cwd=main)
        assert out.returncode == 0 and "Usage: seedbed hook" in out.stdout, out
    post = seedbed("hook", "post-checkout", "0" * 40, "abc", "1", "--help", cwd=main)
    assert post.returncode == 0 and "Usage:" in post.stdout
    assert not (main / ".venv").exists() and not (main / ".seedbed").exists()


def test_an_unexpected_error_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    """A plugin that fails to import (a bug) is named in one line, exit 1."""
    site = tmp_path / "site"
    (site / "brokenplug-1.0.dist-info").mkdir(parents=True)
    (site / "brokenplug.py").write_text("raise RuntimeError('plugin bug')\n")
    info = site / "brokenplug-1.0.dist-info"
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: brokenplug\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text("[seedbed]\nbrokenplug = brokenplug\n")
    env = {**os.environ, "PYTHONPATH": str(site)}
    out = seedbed("plugins", cwd=tmp_path, env=env)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "internal error: RuntimeError: plugin bug" in out.stderr
    assert "brokenplug.py" in out.stderr
    as_json = seedbed("plugins", "--json", cwd=tmp_path, env=env)
    assert '"exit_code": 1' in as_json.stdout and "plugin bug" in as_json.stdout
    traced = seedbed("plugins", cwd=tmp_path, env={**env, "SEEDBED_TRACE": "1"})
    assert "Traceback" in traced.stderr


# ---------------------------------------------------------------------------
# One step counter


def test_the_setup_counts_its_steps_once_across_phases(
    tmp_path: Path, offline: Path
) -> None:
    require("uv")
    main = uv_project(tmp_path / "proj", offline)
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    out = worktree_add(main, tmp_path / "feat", "feat")
    assert out.returncode == 0, out.stderr
    shown = COUNTER.findall(out.stderr)
    assert len(shown) >= 3, out.stderr  # worktreeinclude, the install, editors
    assert [int(i) for i, _ in shown] == list(range(1, len(shown) + 1)), out.stderr
    totals = {t for _, t in shown}
    assert totals in ({""}, {str(len(shown))}), out.stderr


class Recorder:
    def __init__(self) -> None:
        self.seen: list[tuple[str, int, int]] = []
        self.notes: list[str] = []

    def begin(self, step: Step, index: int, total: int) -> None:
        self.seen.append((step.name, index, total))

    def end(self, result: StepResult) -> None:
        pass

    def note(self, text: str) -> None:
        self.notes.append(text)


def _steps(*names: str) -> list[Step]:
    return [Step(name, action=lambda: None) for name in names]


def test_an_announced_plan_is_numbered_i_of_n(tmp_path: Path) -> None:
    progress = Recorder()
    with open(tmp_path / "setup.log", "ab") as log:
        steps = StepRunner(log, progress, False, 60, tmp_path / "child", [])
        steps.expect(4)
        assert steps.run(_steps("worktreeinclude")) is None
        assert steps.run(_steps("uv sync")) is None
        assert steps.run(_steps("dotenv", "editor files")) is None
    assert progress.seen == [
        ("worktreeinclude", 1, 4),
        ("uv sync", 2, 4),
        ("dotenv", 3, 4),
        ("editor files", 4, 4),
    ]


def test_a_reuse_fallback_adds_its_steps_and_says_so(tmp_path: Path) -> None:
    progress = Recorder()
    with open(tmp_path / "setup.log", "ab") as log:
        steps = StepRunner(log, progress, False, 60, tmp_path / "child", [])
        steps.expect(3)  # worktreeinclude, reuse, editor files
        steps.run(_steps("worktreeinclude", "reuse"))
        steps.add(2, "reuse failed (step 'reuse' failed); full install")
        steps.run(_steps("remove .venv", "uv sync", "editor files"))
    # The plan grew by the fallback's steps, said between the steps.
    assert [(i, n) for _, i, n in progress.seen] == [
        (1, 3),
        (2, 3),
        (3, 5),
        (4, 5),
        (5, 5),
    ]
    assert progress.notes == [
        "reuse failed (step 'reuse' failed); full install: 2 more step(s)"
    ]


# ---------------------------------------------------------------------------
# A failed setup inside a git hook


def test_a_failed_setup_in_a_hook_shows_the_tools_error_and_the_log(
    tmp_path: Path, offline: Path
) -> None:
    require("uv")
    main = pip_project(tmp_path / "proj", requirements="no-such-package-xyz\n")
    assert seedbed("hooks", "install", cwd=main).returncode == 0
    feat = tmp_path / "feat"
    out = worktree_add(main, feat, "feat")
    assert out.returncode == 0, out.stderr  # a hook never fails the checkout
    assert "seedbed: setup failed:" in out.stderr, out.stderr
    # The package manager's own words, not only seedbed's summary.
    tool_lines = [
        line
        for line in out.stderr.splitlines()
        if "no-such-package-xyz" in line and not line.startswith("seedbed:")
    ]
    assert tool_lines, out.stderr
    assert f"full log: {feat / '.seedbed' / 'setup.log'}" in out.stderr, out.stderr
