"""`seedbed run` in a web project takes the fast path with the plugins'
variables, and never with stale ones (issue 15).

The sample is a uv project holding a Flask app (detected from its code, so
Flask itself need not be installed) that reads DATABASE_URL: the resources
family gives PORT, SEEDBED_PORTS, DATABASE_URL, FLASK_APP... Which path ran
is read from Python's import log (tests/e2e/test_fast_paths.took_click); the
full command is forced with SEEDBED_TRACE=1.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.conftest import require, seedbed
from tests.e2e.test_fast_paths import took_click
from tests.factories.git import git
from tests.factories.projects import uv_project
from tests.factories.web import django_project
from tests.factories.wheels import offline_env, web_wheelhouse

KEYS = (
    "PORT",
    "SEEDBED_PORTS",
    "DATABASE_URL",
    "TEST_DB_NAME",
    "FLASK_APP",
    "FLASK_DEBUG",
    "DEBUG",
    "DJANGO_SETTINGS_MODULE",
    "LEVEL",
)
SHOW = f"import json, os; print(json.dumps({{k: os.environ.get(k) for k in {KEYS}}}))"
APP = (
    "import os\n\nfrom flask import Flask\n\n"
    "app = Flask(__name__)\n"
    'DATABASE = os.environ.get("DATABASE_URL", "sqlite:///notes.db")\n'
)


@pytest.fixture
def web(tmp_path: Path, offline: Path) -> Path:
    require("uv")
    main = uv_project(tmp_path / "web", offline)
    (main / "app.py").write_text(APP)
    git("add", "app.py", cwd=main)
    git("commit", "-q", "-m", "a flask app", cwd=main)
    out = seedbed("setup", cwd=main)
    assert out.returncode == 0, out.stderr
    return main


def run(cwd: Path, **extra: str) -> tuple[dict[str, str | None], bool]:
    """The variables the command saw, and whether the full command ran."""
    env = {**os.environ, "PYTHONPROFILEIMPORTTIME": "1", **extra}
    out = seedbed("run", "--", "python", "-c", SHOW, cwd=cwd, env=env)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout), took_click(out)


def settled(cwd: Path, **extra: str) -> dict[str, str | None]:
    """After the full command left its note, the fast path gives exactly the
    full command's variables."""
    fast, full_ran = run(cwd, **extra)
    assert not full_ran, "the note should have been fresh"
    full, full_ran = run(cwd, SEEDBED_TRACE="1", **extra)
    assert full_ran and fast == full
    # The traced run's note keys SEEDBED_TRACE: the next one is full again
    # and leaves a note for the next test.
    again, full_ran = run(cwd, **extra)
    assert full_ran and again == fast
    return fast


def changed(cwd: Path, rewrites: bool = False, **extra: str) -> dict[str, str | None]:
    """The first run after a change takes the full path; the next the fast
    (rewrites: the first may rewrite `.env`'s block meanwhile, then it leaves
    no note and the second is full too)."""
    first, full_ran = run(cwd, **extra)
    assert full_ran, "a changed input must not reuse the note's variables"
    if rewrites:
        second, _ = run(cwd, **extra)
        assert second == first
    assert settled(cwd, **extra) == first
    return first


def test_web_run_is_fast_and_follows_every_input(web: Path, tmp_path: Path) -> None:
    main = web
    before = changed(main)
    assert before["PORT"] and before["FLASK_APP"] == str(main / "app.py")
    assert before["DATABASE_URL"] and before["DEBUG"] == "1"
    assert before == settled(main)
    note = main / ".git" / "seedbed-run.json"
    assert stat.S_IMODE(note.stat().st_mode) == 0o600
    # The database the app writes is not an input: still fast.
    (main / "notes.db").write_bytes(b"x")
    (main / "notes.db-journal").write_bytes(b"x")
    assert settled(main) == before
    # Code no detection reads (no marker): still fast after the first run
    # (a new file is a new name: that one run is full).
    helper = main / "helpers.py"
    helper.write_text("def twice(x):\n    return 2 * x\n")
    assert changed(main) == before
    helper.write_text("def twice(x):\n    return x + x  # edited\n")
    assert settled(main) == before
    # ...until it holds what detection looks for.
    helper.write_text("from flask import Flask\n\napp = Flask('helpers')\n")
    seen, full_ran = run(main)
    assert full_ran and seen == before  # app.py is still preferred
    helper.unlink()
    assert changed(main) == before

    # The user's own line in .env wins over seedbed's value.
    with (main / ".env").open("a") as handle:
        handle.write("DEBUG=7\n")
    assert changed(main, rewrites=True)["DEBUG"] == "7"

    # A local config change (not in git, not in the environment's fingerprint).
    (main / ".seedbed.toml").write_text("[resources]\ndebug = false\n")
    assert changed(main)["FLASK_DEBUG"] == "0"

    # The app moves to another file: detection over the code says so.
    (main / "app.py").rename(main / "server.py")
    assert changed(main, rewrites=True)["FLASK_APP"] == str(main / "server.py")

    # A new port block in the registry (as a new setup after a release).
    registry = Path(os.environ["SEEDBED_HOME"]) / "ports.json"
    data = json.loads(registry.read_text())
    for block in data["blocks"].values():
        block["start"] += 100
    registry.write_text(json.dumps(data))
    port = str(int(str(before["PORT"])) + 100)
    assert changed(main, rewrites=True)["PORT"] == port

    # A variable a plugin reads: another home has no port block for it.
    other = tmp_path / "other-home"
    other.mkdir()
    moved = changed(main, SEEDBED_HOME=str(other))
    assert moved["PORT"] is None and moved["FLASK_APP"] == str(main / "server.py")
    assert changed(main)["PORT"] == port  # and back

    # No variable is printed by seedbed itself.
    out = seedbed("run", "--", "python", "-c", "pass", cwd=main)
    assert str(before["DATABASE_URL"]) not in out.stdout + out.stderr


FOREIGN = {
    # variables of its own, from whatever it reads
    "run_env": (
        '@hookimpl\ndef seedbed_run_env(workspace):\n    return {"LOUD": "1"}\n'
    ),
    # a framework the resources family asks: its detection may read anything
    "framework": (
        "class Quiet:\n"
        '    name = "quiet"\n'
        "    def detect(self, workspace):\n"
        "        return None\n"
        "    def env(self, workspace, detection):\n"
        "        return {}\n"
        "    def setup_steps(self, context):\n"
        "        return []\n"
        "    def serve_command(self, workspace, detection, port):\n"
        "        raise NotImplementedError\n"
        "    def test_command(self, workspace, detection, args):\n"
        "        raise NotImplementedError\n\n"
        "@hookimpl\ndef seedbed_frameworks():\n"
        "    return [Quiet()]\n"
    ),
}


@pytest.mark.parametrize("kind", sorted(FOREIGN))
def test_third_party_plugins_keep_the_full_path(
    web: Path, tmp_path: Path, kind: str
) -> None:
    """A plugin from another package cannot say what its answer comes from."""
    plugin = tmp_path / "plugin"
    plugin.mkdir()
    (plugin / "loud_seedbed_plugin.py").write_text(
        "from seedbed.core.hookspecs import hookimpl\n\n" + FOREIGN[kind]
    )
    info = plugin / "loud_seedbed_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: loud-seedbed-plugin\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text("[seedbed]\nloud = loud_seedbed_plugin\n")
    extra = {"PYTHONPATH": str(plugin)}
    for _ in range(2):
        seen, full_ran = run(web, **extra)
        assert full_ran and seen["PORT"]
    assert not (web / ".git" / "seedbed-run.json").exists()
    # Without it, the fast path again.
    run(web)
    assert not run(web)[1]


def test_a_declared_third_party_plugin_is_keyed(web: Path, tmp_path: Path) -> None:
    """A plugin that says what its variables come from keeps the fast path."""
    plugin = tmp_path / "plugin"
    plugin.mkdir()
    (plugin / "said_seedbed_plugin.py").write_text(
        "from pathlib import Path\n\n"
        "from seedbed.core.hookspecs import hookimpl\n\n"
        'LEVEL = Path(__file__).with_name("level.txt")  # outside the project\n\n'
        "@hookimpl\ndef seedbed_run_env_inputs(workspace):\n"
        '    return {"files": [LEVEL], "tree": False}\n\n'
        "@hookimpl\ndef seedbed_run_env(workspace):\n"
        '    return {"LEVEL": LEVEL.read_text().strip()}\n'
    )
    info = plugin / "said_seedbed_plugin-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: said-seedbed-plugin\nVersion: 1.0\n"
    )
    (info / "entry_points.txt").write_text("[seedbed]\nsaid = said_seedbed_plugin\n")
    (plugin / "level.txt").write_text("3\n")
    extra = {"PYTHONPATH": str(plugin)}
    assert changed(web, **extra)["LEVEL"] == "3"
    (plugin / "level.txt").write_text("4\n")
    assert changed(web, **extra)["LEVEL"] == "4"


def test_a_web_run_from_a_new_worktree(web: Path, tmp_path: Path) -> None:
    """Each worktree its own port, each note its own variables."""
    feat = tmp_path / "feat"
    out = subprocess.run(
        ["git", "worktree", "add", "-q", str(feat), "-b", "feat"],
        cwd=web,
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 0, out.stderr
    assert seedbed("setup", cwd=feat).returncode == 0
    mine, theirs = changed(web), changed(feat)
    assert mine["PORT"] != theirs["PORT"]
    assert settled(web) == mine and settled(feat) == theirs


def test_django_sample_from_its_generator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`django-admin startproject`: DJANGO_SETTINGS_MODULE from manage.py."""
    require("uv")
    for name, value in offline_env(web_wheelhouse()).items():
        monkeypatch.setenv(name, value)
    site = django_project(tmp_path / "site")
    out = seedbed("setup", cwd=site)
    assert out.returncode == 0, out.stderr
    before = changed(site)
    assert before["DJANGO_SETTINGS_MODULE"] == "mysite.settings" and before["PORT"]
    assert str(before["DATABASE_URL"]).startswith("sqlite:///")
    # The app's own commands write its database (in .seedbed/): still fast.
    check = seedbed("run", "--", "python", "manage.py", "migrate", cwd=site)
    assert check.returncode == 0, check.stderr
    assert settled(site) == before
    # An edit of the settings (read whole, whatever they hold) is seen; the
    # sample's resources.database = "sqlite" keeps DATABASE_URL.
    settings = site / "mysite" / "settings.py"
    text = settings.read_text()
    settings.write_text(text.replace('os.environ.get("DATABASE_URL", ', "(", 1))
    assert changed(site) == before
    # manage.py names other settings: detection over the code says so.
    (site / "mysite" / "local.py").write_text("from .settings import *  # noqa\n")
    manage = site / "manage.py"
    manage.write_text(manage.read_text().replace("mysite.settings", "mysite.local"))
    after = changed(site, rewrites=True)
    assert after["DJANGO_SETTINGS_MODULE"] == "mysite.local"
    assert after["PORT"] == before["PORT"]


def test_markers_follow_what_the_project_reads() -> None:
    """resources.MARKERS are the literal parts of the patterns that decide
    the database: a changed pattern must change them too."""
    from seedbed.plugins import resources
    from seedbed.plugins.resources import project

    assert project.READS_URL.pattern == (
        r"DATABASE_URL|\benv\.db\(|dj_database_url|\bdb_url\("
    )
    assert project.POSTGRES.pattern == (
        r"django\.db\.backends\.postgresql|django\.contrib\.gis\.db\.backends\.postgis"
        r"|\bpostgres(?:ql|is)?(?:\+\w+)?://"
    )
    assert set(resources.MARKERS) == {
        "DATABASE_URL",
        "env.db(",
        "dj_database_url",
        "db_url(",
        "postgres",
        "postgis",
    }


def test_an_app_appearing_in_a_plain_project_is_seen(
    tmp_path: Path, offline: Path
) -> None:
    """No variables is an answer too: it holds only while the code says so."""
    require("uv")
    main = uv_project(tmp_path / "plain", offline)
    assert seedbed("setup", cwd=main).returncode == 0
    none = changed(main)
    assert set(none.values()) == {None}
    (main / "notes.log").write_text("not an input\n")
    assert settled(main) == none
    (main / "app.py").write_text(APP)
    seen, full_ran = run(main)
    assert full_ran and seen["FLASK_APP"] == str(main / "app.py")
