"""The lock gate with real poetry and pdm, the migrations gate with real Django.

lock: a poetry or pdm sample locked offline (poetry against the wheelhouse as
a simple index on localhost, pdm against it as find-links) passes `seedbed
gate --only lock`; a dependency added to pyproject.toml without re-locking
fails through the manager's own check (`poetry check --lock`, `pdm lock
--check`); re-locking makes it pass again. It also passes on a fresh checkout
before setup, and fails without claiming drift when the manager is missing.

migrations: a Django sample made by `django-admin startproject` (its
environment made by `seedbed setup`, offline from the web wheelhouse) passes;
a model changed without a migration fails naming the app; two leaf migrations
in one app (two branches each added a 0002) fail as a conflict.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import TOOLS_BIN, require, seedbed
from tests.factories.git import git
from tests.factories.projects import pdm_lock, pdm_project, poetry_lock, poetry_project
from tests.factories.web import django_project
from tests.factories.wheels import offline_env, web_wheelhouse


def gate(root: Path, only: str) -> dict:
    """`seedbed gate --only <only> --json`: the gate's record; the exit status
    agrees with it."""
    out = seedbed("gate", "--json", "--only", only, cwd=root)
    assert out.stdout, out.stderr
    data = json.loads(out.stdout)
    assert out.returncode == (0 if data["passed"] else 1), out.stderr
    (result,) = data["gates"]
    assert result["name"] == only
    return result


# --- lock: poetry and pdm ----------------------------------------------------


def locked_project(kind: str, root: Path, wheelhouse: Path, index: str) -> Path:
    require(kind)
    if kind == "poetry":
        return poetry_project(root, index)
    return pdm_project(root, wheelhouse)


def relock(kind: str, root: Path) -> None:
    if kind == "poetry":
        poetry_lock(root)
    else:
        pdm_lock(root)


def add_dependency(root: Path, requirement: str) -> None:
    """Edit [project] dependencies by hand, as a user would, without locking."""
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text()
    old = 'dependencies = ["tinybeta"]'
    assert old in text
    pyproject.write_text(
        text.replace(old, f'dependencies = ["tinybeta", "{requirement}"]')
    )


@pytest.mark.parametrize("kind", ("poetry", "pdm"))
def test_lock_gate_passes_in_agreement_and_fails_on_drift(
    kind: str, tmp_path: Path, offline: Path, index: str
) -> None:
    main = locked_project(kind, tmp_path / "proj", offline, index)
    lock_file = main / f"{kind}.lock"
    # A fresh checkout, before any setup: the check needs no environment and
    # leaves nothing behind (no .venv, no .pdm-python).
    assert gate(main, "lock")["status"] == "pass"
    assert git("status", "--porcelain", "--ignored", cwd=main) == ""

    setup = seedbed("setup", "--json", cwd=main)
    assert setup.returncode == 0, setup.stdout + setup.stderr
    assert json.loads(setup.stdout)["manager"] == kind

    agreed = gate(main, "lock")
    assert agreed["status"] == "pass", agreed
    assert agreed["message"] == f"{kind}: lock agrees with pyproject.toml"
    assert Path(agreed["tool"]).name == kind

    locked = lock_file.read_bytes()
    add_dependency(main, "tinygamma")
    drifted = gate(main, "lock")
    assert drifted["status"] == "fail", drifted
    assert drifted["findings"] == [
        {"file": "pyproject.toml", "line": 0, "kind": "lock drift"}
    ]
    check = "poetry check --lock" if kind == "poetry" else "pdm lock --check"
    assert (
        f"{kind}: the lock file does not match pyproject.toml ({check})"
        in (drifted["message"])
    )
    assert drifted["output"], drifted  # the manager's own words are shown
    # The check only reads: the lock is left as it was.
    assert lock_file.read_bytes() == locked

    relock(kind, main)
    assert lock_file.read_bytes() != locked
    assert "tinygamma" in lock_file.read_text()
    assert gate(main, "lock")["status"] == "pass"


@pytest.mark.parametrize("kind", ("poetry", "pdm"))
def test_lock_gate_without_the_manager_is_an_error_without_claiming_drift(
    kind: str,
    tmp_path: Path,
    offline: Path,
    index: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    main = locked_project(kind, tmp_path / "proj", offline, index)
    monkeypatch.setenv("PATH", without_tools(os.environ["PATH"]))
    assert shutil.which(kind) is None
    result = gate(main, "lock")
    assert result["status"] == "error", result
    assert f"cannot run {kind}: No such file or directory" in result["message"]
    assert "re-lock" not in result["message"]
    assert result["findings"] == []  # never checked, so no drift is claimed


def without_tools(path: str) -> str:
    return os.pathsep.join(p for p in path.split(os.pathsep) if Path(p) != TOOLS_BIN)


# --- migrations: Django --------------------------------------------------------


@pytest.fixture(scope="module")
def django_main(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One Django sample set up once; each test resets it (the .venv stays)."""
    require("uv")
    wheels = web_wheelhouse()
    home = tmp_path_factory.mktemp("django-home")
    with pytest.MonkeyPatch.context() as patch:
        # What conftest's isolated_user does per test, for this module's setup.
        isolated = {
            "SEEDBED_CONFIG": str(home / "seedbed-config.toml"),
            "XDG_CONFIG_HOME": str(home / ".config"),
            "SEEDBED_HOME": str(home / "seedbed-home"),
            "GIT_CONFIG_GLOBAL": str(home / ".gitconfig"),
            "GIT_CONFIG_NOSYSTEM": "1",
            **offline_env(wheels),
        }
        for name, value in isolated.items():
            patch.setenv(name, value)
        for name in ("SEEDBED_DISABLE_PLUGINS", "SEEDBED_MANAGER", "VIRTUAL_ENV"):
            patch.delenv(name, raising=False)
        root = django_project(tmp_path_factory.mktemp("django") / "site")
        out = seedbed("setup", "--json", cwd=root)
        assert out.returncode == 0, out.stdout + out.stderr
        yield root


@pytest.fixture
def django_site(django_main: Path) -> Iterator[Path]:
    yield django_main
    git("reset", "-q", "--hard", "main", cwd=django_main)
    git("clean", "-fdq", cwd=django_main)  # ignored files (.venv) stay


MIGRATION = """from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("notes", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="note",
            name="{field}",
            field=models.IntegerField(default=0),
        ),
    ]
"""


def add_field(root: Path, field: str) -> None:
    models = root / "notes" / "models.py"
    models.write_text(
        models.read_text() + f"    {field} = models.IntegerField(default=0)\n"
    )


def test_migrations_gate_passes_on_a_clean_django_project(django_site: Path) -> None:
    result = gate(django_site, "migrations")
    assert result["status"] == "pass", result
    assert result["message"] == "Django: migrations complete"
    assert result["tool"] == str(django_site / ".venv" / "bin" / "python")
    # --dry-run: nothing was written.
    assert git("status", "--porcelain", cwd=django_site) == ""


def test_migrations_gate_fails_on_a_model_without_its_migration(
    django_site: Path,
) -> None:
    add_field(django_site, "stars")
    result = gate(django_site, "migrations")
    assert result["status"] == "fail", result
    assert result["findings"] == [
        {"file": "notes/migrations", "line": 0, "kind": "missing migration"}
    ]
    assert "makemigrations" in result["message"]
    assert "stars" in result["output"], result["output"]
    # --dry-run: the missing migration was reported, not written.
    assert sorted(
        p.name for p in (django_site / "notes" / "migrations").glob("0*")
    ) == ["0001_initial.py"]


def test_migrations_gate_fails_on_two_leaf_migrations_in_one_app(
    django_site: Path,
) -> None:
    # Two branches each added a field with its own 0002 migration; merged, the
    # models match the migrations but the app has two leaves.
    folder = django_site / "notes" / "migrations"
    for field in ("stars", "likes"):
        add_field(django_site, field)
        (folder / f"0002_note_{field}.py").write_text(MIGRATION.format(field=field))
    result = gate(django_site, "migrations")
    assert result["status"] == "fail", result
    assert {"file": "migrations", "line": 0, "kind": "conflicting migrations"} in (
        result["findings"]
    )
    assert "0002_note_stars" in result["output"], result["output"]
    assert "0002_note_likes" in result["output"]

    # The merge Django proposes makes the gate pass again.
    (folder / "0003_merge.py").write_text(
        "from django.db import migrations\n\n\n"
        "class Migration(migrations.Migration):\n"
        '    dependencies = [("notes", "0002_note_stars"),\n'
        '                    ("notes", "0002_note_likes")]\n'
        "    operations = []\n"
    )
    assert gate(django_site, "migrations")["status"] == "pass"


# --- tests: manage.py test for a Django project without pytest ------------------


def test_tests_gate_runs_manage_py_test_without_pytest(django_site: Path) -> None:
    tests = django_site / "notes" / "tests.py"
    tests.write_text(
        "from django.test import SimpleTestCase\n\n\n"
        "class Plain(SimpleTestCase):\n"
        "    def test_ok(self):\n"
        "        self.assertEqual(1 + 1, 2)\n"
    )
    result = gate(django_site, "tests")
    assert result["status"] == "pass", result
    assert result["tool"] == str(django_site / ".venv" / "bin" / "python")
    assert "coverage not measured" in result["message"]
    bad = "\n    def test_bad(self):\n        self.assertEqual(1, 2)\n"
    tests.write_text(tests.read_text() + bad)
    failed = gate(django_site, "tests")
    assert failed["status"] == "fail", failed
    (finding,) = failed["findings"]
    assert finding["file"].startswith("notes.tests.Plain"), finding
    assert finding["kind"] == "fail: test_bad"
