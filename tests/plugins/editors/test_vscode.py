"""VS Code files: merged into the user's, idempotent, launch.json on the port."""

from __future__ import annotations

import json
from pathlib import Path

from seedbed.core.types import ConfigKey
from seedbed.core.workspace import Workspace
from seedbed.plugins.editors import CONFIG_KEYS, jsonc, vscode
from seedbed.plugins.editors.files import exclude

USER_SETTINGS = """\
// Team settings: do not lose this comment.
{
    "editor.tabSize": 2, // we like two
    /* the interpreter is ours */
    "python.defaultInterpreterPath": "/opt/python/bin/python",
    "[python]": {"editor.formatOnSave": false},
}
"""


def workspace(root: Path, keys: tuple[ConfigKey, ...] = CONFIG_KEYS) -> Workspace:
    return Workspace.discover(root, keys)


def test_new_settings_from_the_template(repo: Path) -> None:
    written = vscode.write_settings(workspace(repo))
    assert written.status == "created"
    data = jsonc.parse((repo / vscode.SETTINGS).read_text()).python()
    assert (
        data["python.defaultInterpreterPath"] == "${workspaceFolder}/.venv/bin/python"
    )
    assert data["[python]"]["editor.defaultFormatter"] == "charliermarsh.ruff"
    assert data["[python]"]["editor.rulers"] == [88]
    assert data["python.testing.pytestEnabled"] is True


def test_merged_into_user_settings_keeping_keys_and_comments(repo: Path) -> None:
    path = repo / vscode.SETTINGS
    path.parent.mkdir()
    path.write_text(USER_SETTINGS)
    written = vscode.write_settings(workspace(repo))
    assert written.status == "updated"
    assert set(written.kept) == {"python.defaultInterpreterPath", "[python]"}
    text = path.read_text()
    for line in USER_SETTINGS.splitlines():
        assert line in text.splitlines()
    data = jsonc.parse(text).python()
    assert data["python.defaultInterpreterPath"] == "/opt/python/bin/python"
    assert data["[python]"] == {"editor.formatOnSave": False}
    assert data["python.testing.pytestEnabled"] is True
    # A second run changes nothing, byte for byte.
    again = vscode.write_settings(workspace(repo))
    assert again.status == "unchanged"
    assert path.read_text() == text


def test_ruler_follows_ruff_line_length_and_env_dir(repo: Path) -> None:
    (repo / "pyproject.toml").write_text(
        '[project]\nname = "x"\nversion = "0"\n\n[tool.ruff]\nline-length = 100\n\n'
        '[tool.seedbed]\nenv_dir = "venvs/dev"\n'
    )
    vscode.write_settings(workspace(repo))
    data = jsonc.parse((repo / vscode.SETTINGS).read_text()).python()
    assert data["[python]"]["editor.rulers"] == [100]
    assert data["python.defaultInterpreterPath"].endswith("/venvs/dev/bin/python")


def test_invalid_user_file_is_left_alone(repo: Path) -> None:
    path = repo / vscode.SETTINGS
    path.parent.mkdir()
    path.write_text('{"a": 1,,}')
    written = vscode.write_settings(workspace(repo))
    assert written.status == "skipped" and "line 1" in written.note
    assert path.read_text() == '{"a": 1,,}'


def test_extensions_added_to_the_users_and_unwanted_respected(repo: Path) -> None:
    path = repo / vscode.EXTENSIONS
    path.parent.mkdir()
    path.write_text(
        '{\n  // ours\n  "recommendations": ["ms-python.python", "foo.bar"],\n'
        '  "unwantedRecommendations": ["ms-python.vscode-pylance"]\n}\n'
    )
    written = vscode.write_extensions(workspace(repo))
    data = jsonc.parse(path.read_text()).python()
    assert data["recommendations"] == [
        "ms-python.python",
        "foo.bar",
        "ms-python.debugpy",
        "charliermarsh.ruff",
    ]
    assert written.kept == ("ms-python.vscode-pylance",)
    assert "// ours" in path.read_text()
    assert vscode.write_extensions(workspace(repo)).status == "unchanged"


def server(
    port: int, argv: tuple[str, ...], framework: str = "flask"
) -> vscode.DevServer:
    return vscode.DevServer(framework, port, argv, {"FLASK_APP": "app.py", "PATH": "x"})


def test_launch_json_runs_the_dev_server_on_the_port(repo: Path) -> None:
    ws = workspace(repo)
    written = vscode.write_launch(
        ws, server(8012, ("python", "-m", "flask", "run", "--port", "8012"))
    )
    assert written is not None and written.status == "created"
    data = jsonc.parse((repo / vscode.LAUNCH).read_text()).python()
    assert data["version"] == "0.2.0"
    (config,) = data["configurations"]
    assert config["type"] == "debugpy" and config["request"] == "launch"
    assert config["module"] == "flask"
    assert config["args"] == ["run", "--port", "8012"]
    assert config["env"] == {"FLASK_APP": "app.py", "PORT": "8012"}
    assert config["jinja"] is True


def test_launch_json_merged_and_rewritten_when_the_port_changes(repo: Path) -> None:
    path = repo / vscode.LAUNCH
    path.parent.mkdir()
    path.write_text(
        '{\n  "version": "0.2.0",\n  // mine\n  "configurations": [\n'
        '    {"name": "mine", "type": "debugpy", "request": "launch"}\n  ]\n}\n'
    )
    ws = workspace(repo)
    argv = ("python", "manage.py", "runserver", "127.0.0.1:8020")
    assert vscode.write_launch(ws, server(8020, argv, "django")).status == "updated"
    assert vscode.write_launch(ws, server(8020, argv, "django")).status == "unchanged"
    data = jsonc.parse(path.read_text()).python()
    mine, ours = data["configurations"]
    assert mine["name"] == "mine"
    assert ours["program"] == "${workspaceFolder}/manage.py"
    assert ours["django"] is True and ours["env"]["PORT"] == "8020"
    argv = ("python", "manage.py", "runserver", "127.0.0.1:8030")
    assert vscode.write_launch(ws, server(8030, argv, "django")).status == "updated"
    data = jsonc.parse(path.read_text()).python()
    assert [c["name"] for c in data["configurations"]] == ["mine", vscode.LAUNCH_NAME]
    assert data["configurations"][1]["env"]["PORT"] == "8030"
    assert "// mine" in path.read_text()


def test_no_server_no_launch_json(repo: Path) -> None:
    assert vscode.write_launch(workspace(repo), None) is None
    assert not (repo / vscode.LAUNCH).exists()


def test_console_script_and_worktree_paths_made_portable(repo: Path) -> None:
    ws = workspace(repo)
    argv = ("uvicorn", "app.main:app", "--app-dir", str(repo / "src"), "--port", "9")
    config = vscode.launch_configuration(ws, server(9, argv, "fastapi"))
    assert config["module"] == "uvicorn"
    assert config["args"][2] == "${workspaceFolder}/src"


def test_created_untracked_files_are_excluded_once(repo: Path) -> None:
    (repo / ".vscode").mkdir()
    (repo / ".vscode/settings.json").write_text("{}")
    (repo / "tracked.json").write_text("{}")
    from tests.factories.git import git

    git("add", "tracked.json", cwd=repo)
    added = exclude(repo / ".git", repo, [".vscode/settings.json", "tracked.json"])
    assert added == ["/.vscode/settings.json"]
    assert exclude(repo / ".git", repo, [".vscode/settings.json"]) == []
    assert git("status", "--porcelain", "--untracked-files=all", cwd=repo) == (
        "A  tracked.json"
    )
    assert json.loads((repo / ".vscode/settings.json").read_text()) == {}


def test_blank_file_is_filled_like_a_new_one(repo: Path) -> None:
    path = repo / vscode.SETTINGS
    path.parent.mkdir()
    path.write_text("\n")
    assert vscode.write_settings(workspace(repo)).changed
    assert "python.defaultInterpreterPath" in jsonc.parse(path.read_text()).python()
