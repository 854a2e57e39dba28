"""`seedbed init` with flags (no terminal): hooks, defaults, agents, CI; idempotent."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import seedbed


def test_init_writes_agent_entries_and_ci_workflow_once(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0"\n')
    out = seedbed("init", "--agents", "--ci", "github", "--json", cwd=repo)
    assert out.returncode == 0, out.stdout + out.stderr
    result = json.loads(out.stdout)
    written = {Path(f["path"]).relative_to(repo).as_posix() for f in result["files"]}
    assert {".cursor/worktrees.json", "conductor.json"} <= written
    assert any(name.startswith(".github/workflows/") for name in written)
    cursor = json.loads((repo / ".cursor" / "worktrees.json").read_text())
    assert any("seedbed setup" in step for step in cursor["setup-worktree"])
    assert (repo / ".pre-commit-config.yaml").exists()
    assert "[tool.seedbed]" in (repo / "pyproject.toml").read_text()
    again = json.loads(
        seedbed("init", "--agents", "--ci", "github", "--json", cwd=repo).stdout
    )
    assert {f["result"] for f in again["files"]} == {"unchanged"}
    assert {c["action"] for c in again["changes"]} <= {"unchanged", "kept"}


def test_init_trusts_the_configuration_it_wrote(repo: Path) -> None:
    """The pre-commit route has no `hooks install`: a checkout must still act on
    the [tool.seedbed] table that init wrote at the user's request."""
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\nversion = "0"\n')
    out = seedbed("init", "--json", cwd=repo)
    assert out.returncode == 0, out.stdout + out.stderr
    digest = json.loads(out.stdout)["trust"]["digest"]
    shown = json.loads(seedbed("trust", "--show", "--json", cwd=repo).stdout)
    assert shown["trusted"] is True
    assert shown["digest"] == digest


def test_init_without_a_terminal_asks_nothing_and_writes_no_agent_files(
    repo: Path,
) -> None:
    out = seedbed("init", cwd=repo)
    assert out.returncode == 0, out.stderr
    assert not (repo / "conductor.json").exists()
