"""core.trust and `seedbed trust`: the config digest, the diff shown, the
store in the common git dir (damaged files, concurrent writers)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from seedbed.core import trust
from seedbed.core.errors import ConfigError

from tests.conftest import BIN, seedbed
from tests.factories.git import git


def write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).write_text(text)


def test_no_configuration_is_trusted_implicitly(repo: Path) -> None:
    (repo / "pyproject.toml").write_text('[project]\nname = "x"\n')
    snap = trust.snapshot(repo)
    assert snap.implicit and snap.files == []
    assert trust.check(repo, repo / ".git") == trust.Verdict(True, "")
    assert trust.untrusted_note(repo, repo / ".git") is None


def test_the_digest_follows_parsed_values_not_formatting_or_other_tables(
    repo: Path,
) -> None:
    write(
        repo, {"pyproject.toml": '[project]\nname = "x"\n[tool.seedbed]\ndev = true\n'}
    )
    first = trust.snapshot(repo).digest
    write(
        repo,
        {
            "pyproject.toml": "# reformatted\n[tool.seedbed]\ndev   =   true\n\n"
            '[project]\nname = "x"\ndependencies = ["tinyalpha"]\n'
        },
    )
    assert trust.snapshot(repo).digest == first
    write(repo, {"pyproject.toml": "[tool.seedbed]\ndev = false\n"})
    assert trust.snapshot(repo).digest != first
    # .worktreeinclude is text: any change to it counts.
    before = trust.snapshot(repo).digest
    write(repo, {".worktreeinclude": ".env\n"})
    assert trust.snapshot(repo).digest != before


def test_changes_name_added_removed_and_changed_keys_and_lines(repo: Path) -> None:
    write(
        repo,
        {
            ".seedbed.toml": 'env_dir = ".venv"\nreuse = true\n'
            "[django]\nmigrate = true\n",
            ".worktreeinclude": ".env\n",
        },
    )
    trust.record(repo / ".git", trust.snapshot(repo), "seedbed trust")
    write(
        repo,
        {
            ".seedbed.toml": 'env_dir = "/tmp/x"\n[django]\nmigrate = true\n'
            "[flask]\nport = 5\n",
            ".worktreeinclude": ".env.local\n",
        },
    )
    snap = trust.snapshot(repo)
    store = trust.read_store(repo / ".git")
    found = trust.changes(snap, store.latest())
    assert {(c["change"], c.get("key") or c.get("line")) for c in found} == {
        ("changed", "env_dir"),
        ("removed", "reuse"),
        ("added", "flask.port"),
        ("removed", ".env"),
        ("added", ".env.local"),
    }
    lines = [trust.describe(c) for c in found]
    assert '.seedbed.toml: changed env_dir = "/tmp/x"' in lines
    assert ".worktreeinclude: added line: .env.local" in lines
    verdict = trust.check(repo, repo / ".git")
    assert not verdict.trusted
    assert verdict.line == (
        "seedbed: this checkout's seedbed configuration (.seedbed.toml, "
        ".worktreeinclude) is not trusted; nothing was run. Review it, then run: "
        "seedbed trust"
    )
    assert "not trusted" in (trust.untrusted_note(repo, repo / ".git") or "")


def test_the_store_keeps_values_out_and_one_record_per_digest(repo: Path) -> None:
    write(repo, {".seedbed.toml": 'python = "3.12"\n'})
    one = trust.snapshot(repo)
    trust.record(repo / ".git", one, "hooks install")
    write(repo, {".seedbed.toml": 'python = "3.13"\n'})
    two = trust.snapshot(repo)
    trust.record(repo / ".git", two, "seedbed trust")
    trust.record(repo / ".git", one, "seedbed trust")  # trusted again: newest
    text = trust.store_path(repo / ".git").read_text()
    assert "3.12" not in text and "3.13" not in text  # keys and short hashes only
    store = trust.read_store(repo / ".git")
    assert [r["digest"] for r in store.records] == [two.digest, one.digest]
    latest = store.latest() or {}
    assert latest["how"] == "seedbed trust" and latest["when"][-6] in "+-"


@pytest.mark.parametrize(
    "content",
    [b"{not json", b"[]", b'{"records": {}}', b'{"records": [{"digest": 1}]}', b"\xff"],
)
def test_a_damaged_store_trusts_nothing(repo: Path, content: bytes) -> None:
    write(repo, {".seedbed.toml": "dev = true\n"})
    path = trust.store_path(repo / ".git")
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    store = trust.read_store(repo / ".git")
    assert store.records == [] and "damaged" in store.problem
    verdict = trust.check(repo, repo / ".git")
    assert not verdict.trusted and "trust.json: damaged" in verdict.line
    recorded = trust.record(repo / ".git", trust.snapshot(repo), "seedbed trust")
    assert Path(recorded.moved_aside).read_bytes() == content
    assert trust.check(repo, repo / ".git").trusted


def test_malformed_config_is_named_and_never_trusted(repo: Path) -> None:
    write(repo, {".seedbed.toml": "[x\n"})
    with pytest.raises(ConfigError, match=r"\.seedbed\.toml: malformed TOML"):
        trust.snapshot(repo)
    verdict = trust.check(repo, repo / ".git")
    assert not verdict.trusted and ".seedbed.toml: malformed TOML" in verdict.line
    assert "\n" not in verdict.line
    assert trust.untrusted_note(repo, repo / ".git") is None  # setup says it
    out = seedbed("trust", cwd=repo)
    assert out.returncode == 3 and ".seedbed.toml" in out.stderr
    write(repo, {".seedbed.toml": "", "pyproject.toml": "[tool]\nseedbed = 1\n"})
    out = seedbed("trust", "--json", cwd=repo)
    assert out.returncode == 3
    assert "[tool.seedbed]: expected a table" in json.loads(out.stdout)["error"]


def test_trust_outside_a_repository_exits_4(tmp_path: Path) -> None:
    out = seedbed("trust", cwd=tmp_path)
    assert out.returncode == 4 and "not inside a git repository" in out.stderr


def test_show_json_records_nothing_then_trust_records(repo: Path) -> None:
    write(repo, {".seedbed.toml": "background = true\n"})
    out = seedbed("trust", "--show", "--json", cwd=repo)
    assert out.returncode == 0, out.stderr
    shown = json.loads(out.stdout)
    assert set(shown) == {"trusted", "digest", "files", "changes", "recorded"}
    assert shown["trusted"] is False and shown["recorded"] is False
    assert shown["files"] == [".seedbed.toml"]
    assert shown["changes"] == [
        {"file": ".seedbed.toml", "change": "added", "key": "background", "value": True}
    ]
    assert not trust.store_path(repo / ".git").exists()
    out = seedbed("trust", "--json", cwd=repo)
    done = json.loads(out.stdout)
    assert done["trusted"] and done["recorded"] and done["digest"] == shown["digest"]
    out = seedbed("trust", "--show", cwd=repo)
    assert "already trusted" in out.stdout


def test_trust_with_no_configuration_records_nothing(repo: Path) -> None:
    out = seedbed("trust", cwd=repo)
    assert out.returncode == 0 and "need no trust" in out.stdout
    assert not trust.store_path(repo / ".git").exists()


def test_concurrent_trust_writers_keep_every_record(repo: Path) -> None:
    worktrees = []
    for i in range(6):
        wt = repo.parent / f"wt{i}"
        git("worktree", "add", "-q", str(wt), "-b", f"b{i}", cwd=repo)
        write(wt, {".seedbed.toml": f"step_timeout = {100 + i}\n"})
        worktrees.append(wt)
    running = [
        subprocess.Popen(
            [str(BIN / "seedbed"), "trust"], cwd=wt, stdout=subprocess.PIPE
        )
        for wt in worktrees
    ]
    assert [p.wait(timeout=120) for p in running] == [0] * 6
    for process in running:
        assert process.stdout is not None
        process.stdout.close()
    digests = {r["digest"] for r in trust.read_store(repo / ".git").records}
    assert digests == {trust.snapshot(wt).digest for wt in worktrees}


def test_hooks_install_trusts_the_current_configuration(repo: Path) -> None:
    write(repo, {".seedbed.toml": "dev = false\n"})
    out = seedbed("hooks", "install", cwd=repo)
    assert out.returncode == 0, out.stderr
    assert "trusted this worktree's seedbed configuration (.seedbed.toml" in out.stdout
    store = trust.read_store(repo / ".git")
    assert [r["how"] for r in store.records] == ["hooks install"]
    assert store.trusts(trust.snapshot(repo).digest)


def test_many_writers_at_once_lose_no_record(repo: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def trust_many(worker: int) -> None:
        for i in range(10):
            digest = f"{worker:02d}{i:02d}".ljust(64, "0")
            snap = trust.Snapshot(repo, {".seedbed.toml": {"n": i}}, digest)
            trust.record(repo / ".git", snap, "seedbed trust")

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(trust_many, range(8)))
    assert len(trust.read_store(repo / ".git").records) == 80
