"""The gate contract, selection, records, hook definitions and init's merging."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pluggy
import pytest
import yaml
from seedbed.core import hookspecs
from seedbed.core.errors import SeedbedError
from seedbed.core.types import Finding, GateContext, GateResult
from seedbed.plugins.gates import hookdefs, initialise, migrations, render, secret_scan
from seedbed.plugins.gates.run import load_gates, select
from seedbed.plugins.gates.settings import CONFIG_KEYS, DEFAULT_STAGES

from tests.conftest import REPO

hookimpl = pluggy.HookimplMarker("seedbed")


class Dummy:
    def __init__(self, name: str, stage: str = "pre-commit") -> None:
        self.name, self.stage, self.description = name, stage, "dummy"

    def run(self, context: GateContext) -> GateResult:
        return GateResult(self.name, True)


def manager_with(*plugins: object) -> pluggy.PluginManager:
    pm = pluggy.PluginManager("seedbed")
    pm.add_hookspecs(hookspecs)
    for index, plugin in enumerate(plugins):
        pm.register(plugin, name=f"plugin{index}")
    return pm


class Offers:
    def __init__(self, *gates: object) -> None:
        self.gates = gates

    @hookimpl
    def seedbed_gates(self) -> list[object]:
        return list(self.gates)


def test_duplicate_gate_names_name_both_plugins() -> None:
    pm = manager_with(Offers(Dummy("lint")), Offers(Dummy("lint")))
    with pytest.raises(SeedbedError) as caught:
        load_gates(pm)
    assert "'plugin0'" in caught.value.message and "'plugin1'" in caught.value.message


def test_a_non_gate_is_rejected_naming_the_plugin() -> None:
    with pytest.raises(SeedbedError, match="plugin0"):
        load_gates(manager_with(Offers(object())))


def test_selection_by_stage_config_and_only() -> None:
    gates = {
        name: Dummy(name, stage)
        for name, stage in [("a", "pre-commit"), ("b", "pre-push"), ("c", "manual")]
    }
    assert [g.name for g in select(gates, {}, "pre-commit")] == ["a"]
    assert [g.name for g in select(gates, {}, None)] == ["a", "b"]
    moved = {"b_stage": "pre-commit"}
    assert [g.name for g in select(gates, moved, "pre-commit")] == ["a", "b"]
    assert [g.name for g in select(gates, {}, "pre-push", ["c"])] == ["c"]
    with pytest.raises(SeedbedError, match="unknown gate 'zz'"):
        select(gates, {}, None, ["zz"])


def test_builtin_gates_and_their_default_stages() -> None:
    import seedbed.plugins.gates as builtin

    gates = load_gates(manager_with(builtin))
    assert list(gates) == list(DEFAULT_STAGES)
    assert {g.name: g.stage for g in gates.values()} == DEFAULT_STAGES
    names = {key.name for key in CONFIG_KEYS}
    assert {"coverage_floor", "mypy_strict", "line_length", "secrets_baseline"} <= names
    assert {f"{gate}_stage" for gate in DEFAULT_STAGES} <= names


def test_hooks_yaml_matches_the_definitions() -> None:
    shipped = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert shipped == hookdefs.definitions()
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["scripts"]
    for hook in shipped[:-1]:
        assert hook["entry"] in scripts  # each gate's console script exists


def test_rendering_shows_figures_and_findings_never_more() -> None:
    results = [
        GateResult("tests", True, 1.5, figure=81.25, message="ok"),
        GateResult(
            "secrets",
            False,
            0.1,
            figure=1.0,
            findings=(Finding("a.py", 3, "AWS Access Key"),),
            message="1 potential secret",
        ),
    ]
    text = render.table(results)
    assert "81.2% coverage" in text and "1 finding" in text and "FAIL" in text
    assert render.details(results) == [
        "secrets: 1 potential secret",
        "  a.py:3: AWS Access Key",
    ]


# --- secrets -------------------------------------------------------------------

AWS_KEY = "AKIA" + "IOSFODNN7EXAMPLE"
PRIVATE_KEY = (
    "-----BEGIN RSA " + "PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n"
)
URL_PASSWORD = "hunter2" + "secretpw"
DB_URL = f"postgres://admin:{URL_PASSWORD}@db.example.com:5432/app"


def plant(root: Path) -> None:
    (root / "aws.py").write_text(f'KEY = "{AWS_KEY}"\n')
    (root / "id_rsa").write_text(PRIVATE_KEY)
    (root / "settings.py").write_text(f'DATABASE = "{DB_URL}"\n')
    (root / "ordinary.py").write_text('import os\n\nNAME = "hello world"\n')


def test_scanner_finds_each_kind_and_keeps_values_out(tmp_path: Path) -> None:
    plant(tmp_path)
    names = ["aws.py", "id_rsa", "settings.py", "ordinary.py"]
    found = secret_scan.scan(tmp_path, names, tmp_path / ".secrets.baseline")
    assert {(f.file, f.line, f.kind) for f in found} == {
        ("aws.py", 1, "AWS Access Key"),
        ("id_rsa", 1, "Private Key"),
        ("settings.py", 1, "Basic Auth Credentials"),
    }
    shown = repr(found) + "".join(map(str, found))
    assert AWS_KEY not in shown and URL_PASSWORD not in shown


def test_baseline_accepts_known_findings(tmp_path: Path) -> None:
    from detect_secrets.core import baseline

    plant(tmp_path)
    import os

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        from detect_secrets.settings import default_settings

        with default_settings():
            known = baseline.create("aws.py", should_scan_all_files=True)
            baseline.save_to_file(known, ".secrets.baseline")
    finally:
        os.chdir(cwd)
    found = secret_scan.scan(
        tmp_path, ["aws.py", "settings.py"], tmp_path / ".secrets.baseline"
    )
    assert [f.file for f in found] == ["settings.py"]


def test_broken_baseline_is_a_clear_failure(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / ".secrets.baseline").write_text("not json")
    with pytest.raises(secret_scan.BaselineError, match="seedbed secrets baseline"):
        secret_scan.scan(tmp_path, ["a.py"], tmp_path / ".secrets.baseline")


# --- alembic, read without alembic --------------------------------------------


def alembic_revision(rev: str, down: str | None) -> str:
    return (
        f'"""rev {rev}"""\n\nrevision = "{rev}"\n'
        f"down_revision = {down!r}\nbranch_labels = None\ndepends_on = None\n\n\n"
        "def upgrade() -> None:\n    pass\n\n\ndef downgrade() -> None:\n    pass\n"
    )


def write_alembic(root: Path, revisions: dict[str, str | None]) -> None:
    (root / "alembic.ini").write_text("[alembic]\nscript_location = migrations\n")
    versions = root / "migrations" / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    for rev, down in revisions.items():
        (versions / f"{rev}_step.py").write_text(alembic_revision(rev, down))


def test_static_heads(tmp_path: Path) -> None:
    write_alembic(tmp_path, {"a1": None, "b2": "a1", "c3": "a1"})
    assert migrations.static_heads(tmp_path) == ["b2", "c3"]
    (tmp_path / "migrations" / "versions" / "d4_merge.py").write_text(
        alembic_revision("d4", None).replace(
            "down_revision = None", "down_revision = ('b2', 'c3')"
        )
    )
    assert migrations.static_heads(tmp_path) == ["d4"]


# --- init --------------------------------------------------------------------

USER_CONFIG = """\
# my hooks: keep this comment
repos:
  - repo: https://example.invalid/hooks
    rev: v1.0.0
    hooks:
      - id: trailing-whitespace
"""


def test_init_creates_then_is_idempotent(tmp_path: Path) -> None:
    change = initialise.precommit_config(tmp_path, DEFAULT_STAGES)
    assert change.action == "created"
    data = yaml.safe_load((tmp_path / ".pre-commit-config.yaml").read_text())
    (local,) = data["repos"]
    assert local["repo"] == "local"
    ids = [h["id"] for h in local["hooks"]]
    assert ids == [hookdefs.hook_id(g) for g in hookdefs.GATE_HOOKS] + ["seedbed-setup"]
    assert all(h["language"] == "system" for h in local["hooks"])
    assert set(data["default_install_hook_types"]) == {
        "pre-commit",
        "pre-push",
        "post-checkout",
    }
    again = initialise.precommit_config(tmp_path, DEFAULT_STAGES)
    assert again.action == "unchanged"


def test_init_merges_keeping_the_users_entries_and_comments(tmp_path: Path) -> None:
    path = tmp_path / ".pre-commit-config.yaml"
    path.write_text(USER_CONFIG)
    stages = {**DEFAULT_STAGES, "types": "pre-commit"}
    change = initialise.precommit_config(
        tmp_path, stages, "https://example.invalid/seedbed", "v0.1.0"
    )
    assert change.action == "updated"
    text = path.read_text()
    assert text.startswith("default_install_hook_types") or "# my hooks" in text
    assert "# my hooks: keep this comment" in text
    data = yaml.safe_load(text)
    assert data["repos"][0]["hooks"] == [{"id": "trailing-whitespace"}]
    ours = data["repos"][1]
    assert ours["repo"] == "https://example.invalid/seedbed" and ours["rev"] == "v0.1.0"
    assert {"id": "seedbed-types", "stages": ["pre-commit"]} in ours["hooks"]
    # The user edits one of our hooks; init again keeps the edit.
    data["repos"][1]["hooks"][0]["args"] = ["--verbose"]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    assert (
        initialise.precommit_config(
            tmp_path, stages, "https://example.invalid/seedbed"
        ).action
        == "unchanged"
    )
    assert yaml.safe_load(path.read_text())["repos"][1]["hooks"][0]["args"] == [
        "--verbose"
    ]


def test_init_appends_the_table_only_when_absent(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    original = (
        '# my project\n[project]\nname = "x"  # keep\n\n'
        "[tool.ruff]\nline-length = 100\n"
    )
    path.write_text(original)
    change = initialise.seedbed_table(tmp_path, CONFIG_KEYS)
    assert change.action == "updated"
    text = path.read_text()
    assert text.startswith(original)  # the user's text is untouched
    data = tomllib.loads(text)
    assert data["tool"]["ruff"] == {"line-length": 100}
    gates = data["tool"]["seedbed"]["gates"]
    assert gates["coverage_floor"] == 80.0 and gates["mypy_strict"] is True
    assert gates["tests_stage"] == "pre-push" and gates["line_length"] == 88
    assert initialise.seedbed_table(tmp_path, CONFIG_KEYS).action == "unchanged"
    assert path.read_text() == text


def test_init_adds_only_the_missing_gates_table(tmp_path: Path) -> None:
    path = tmp_path / "pyproject.toml"
    path.write_text('[tool.seedbed]\nmanager = "uv"\n')
    initialise.seedbed_table(tmp_path, CONFIG_KEYS)
    seedbed = tomllib.loads(path.read_text())["tool"]["seedbed"]
    assert seedbed["manager"] == "uv" and "gates" in seedbed
