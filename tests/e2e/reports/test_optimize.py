"""`seedbed report optimize`: each piece of advice with the figure it rests on,
and checked against the repository where it speaks of it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from seedbed.core.metrics import Record

from tests.e2e.reports.common import CLI, MAIN, NOW, gate, nu, nu_json, series, store
from tests.factories.git import git
from tests.factories.metrics import DAY, run


def advice_by_topic(db: Path, *flags: str) -> dict[str, dict[str, Any]]:
    return {item["topic"]: item for item in nu_json("optimize", db, *flags)}


def setups(
    installer: str, seconds: list[float], lock: str, **fields: Any
) -> list[Record]:
    return [
        run(
            "setup",
            "sync",
            value,
            NOW - i * 60,
            manager="pip",
            installer=installer,
            detail={"fingerprint": lock, "reused_from": MAIN},
            **fields,
        )
        for i, value in enumerate(seconds)
    ]


def test_optimize_installer_on_the_same_lock(tmp_path: Path) -> None:
    db = store(
        tmp_path,
        setups("pip", [14.0, 14.2, 14.4], "lock-1")
        + setups("uv", [0.8, 0.9, 1.0], "lock-1")
        + setups("uv", [0.1], "lock-2"),  # only uv on this lock: not compared
    )
    advice = advice_by_topic(db)["installer"]
    assert advice["advice"] == (
        "pip installs here take 14.2 s median, uv 0.9 s on the same lock:"
        ' set installer = "uv"'
    )
    assert (advice["figure"], advice["unit"]) == (15.8, "times faster")  # 14.2/0.9


def test_optimize_installer_across_locks(tmp_path: Path) -> None:
    db = store(
        tmp_path, setups("pip", [10.0], "lock-1") + setups("uv", [2.0], "lock-2")
    )
    advice = advice_by_topic(db)["installer"]
    assert advice["advice"].endswith('uv 2.0 s across locks: set installer = "uv"')
    assert advice["figure"] == 5.0


def test_optimize_slowest_tests(tmp_path: Path) -> None:
    slowest = [
        ["t_a", 3.0],
        ["t_b", 2.0],
        ["t_c", 1.0],
        ["t_d", 0.5],
        ["t_e", 0.6],
        ["t_f", 0.1],
    ]
    db = store(
        tmp_path,
        [
            run("test", "pytest", 50.0, NOW - DAY, detail={"slowest": [["old", 49.0]]}),
            run("test", "pytest", 10.0, NOW, detail={"slowest": slowest}),
        ],
    )
    advice = advice_by_topic(db)["slow-tests"]
    # 3 + 2 + 1 + 0.6 + 0.5 = 7.1 of the latest run's 10 s.
    assert advice["figure"] == 71
    assert advice["advice"] == (
        "these 5 tests take 71% of the latest test run (10.0 s in main-1a2b3c):"
        " t_a, t_b, t_c, t_e, t_d"
    )


def builds(worktree_path: Path, reuse: str | None = None) -> list[Record]:
    """Twelve new worktrees built from scratch (10 s each), three reused, and
    two --recreate rebuilds (asked for: never counted)."""
    detail: dict[str, Any] = {"fingerprint": "l"}
    if reuse is not None:
        detail["reuse"] = reuse
    built = [
        run("setup", "create", 10.0, NOW - i * 60, worktree=f"wt-{i}", detail=detail)
        for i in range(12)
    ]
    reused = [
        run(
            "setup",
            "create",
            1.0,
            NOW - i * 60,
            worktree=f"re-{i}",
            detail={"fingerprint": "l", "reused_from": MAIN},
        )
        for i in range(3)
    ]
    recreated = [
        replace(
            run("setup", "recreate", 30.0, NOW - i, worktree=MAIN),
            worktree_path=str(worktree_path),
        )
        for i in (1, 2)
    ]
    return built + reused + recreated


def test_rebuilds_advise_a_lock_only_when_git_tracks_none(
    tmp_path: Path, repo: Path
) -> None:
    db = store(tmp_path, builds(repo))
    advice = advice_by_topic(db, "--repo", str(repo))["rebuilds"]
    assert (advice["figure"], advice["unit"]) == (12, "builds")
    assert advice["advice"].startswith(
        "12 new worktrees installed everything (120 s in total) and git tracks no"
        " lock file: commit your lock"
    )
    # The newest recorded worktree is the repository when --repo is not given.
    assert "rebuilds" in advice_by_topic(db)


def test_a_committed_lock_is_not_advised(tmp_path: Path, repo: Path) -> None:
    """Before: "keep the lock file committed" when it was (the rebuilds came
    from --recreate)."""
    (repo / "uv.lock").write_text("version = 1\n")
    git("add", "uv.lock", cwd=repo)
    git("commit", "-q", "-m", "lock", cwd=repo)
    recreated_only = store(tmp_path / "a", builds(repo)[12:])
    assert advice_by_topic(recreated_only, "--repo", str(repo)) == {}
    reason = "failed: copying site-packages: disk full; full install instead"
    db = store(tmp_path / "b", builds(repo, reuse=reason))
    topics = advice_by_topic(db, "--repo", str(repo))
    assert "rebuilds" not in topics
    advice = topics["reuse"]
    assert advice["advice"] == (
        "12 new worktrees installed everything (120 s in total) although uv.lock is"
        f" committed; the reason recorded most (12x): {reason}"
    )


def test_no_advice_about_a_repository_that_cannot_be_checked(tmp_path: Path) -> None:
    db = store(tmp_path, builds(tmp_path / "gone"))
    assert "rebuilds" not in advice_by_topic(db)


def test_optimize_dominant_step_and_frequent_failures(tmp_path: Path) -> None:
    records = [run("step", "pip install", 16.0, NOW - i * 60) for i in range(5)]
    records += [run("step", "venv", 4.0, NOW - i * 60) for i in range(5)]
    records += gate("types", MAIN, [0, 1, 0, 0, 1, 0, 0, 1, 0, 0])
    advice = advice_by_topic(store(tmp_path, records))
    step = advice["slow-step"]
    assert step["figure"] == 80
    assert step["advice"] == (
        "the step 'pip install' takes 80% of all setup step time"
        " (median 16.0 s over 5 runs)"
    )
    failures = advice["failures"]
    assert failures["figure"] == 30
    assert failures["advice"].startswith("gate types failed 3 of its 10 runs (30%)")


def test_optimize_with_nothing_to_advise(tmp_path: Path) -> None:
    db = store(tmp_path, series([1.0] * 3))
    assert nu_json("optimize", db) == []
    done = nu(str(CLI), "optimize", "--db", str(db))
    assert "no advice" in done.stdout
