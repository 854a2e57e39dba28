from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from seedbed.core import interpreter_cache, interpreters
from seedbed.core.errors import EXIT_ENVIRONMENT, ConfigError, EnvironmentProblem

CURRENT = "{}.{}".format(*sys.version_info[:2])


def test_python_version_file_is_honoured(tmp_path: Path) -> None:
    (tmp_path / ".python-version").write_text(f"{CURRENT}\n")
    request = interpreters.request_for(tmp_path, "", {})
    found = interpreters.find(request)
    assert found.short == CURRENT
    assert request.origin.endswith(".python-version")


def test_requires_python_is_honoured(tmp_path: Path) -> None:
    pyproject = {"project": {"requires-python": f">={CURRENT}"}}
    found = interpreters.find(interpreters.request_for(tmp_path, "", pyproject))
    assert tuple(map(int, found.version.split(".")[:2])) >= sys.version_info[:2]


def test_config_wins_over_files(tmp_path: Path) -> None:
    (tmp_path / ".python-version").write_text("2.1\n")
    request = interpreters.request_for(tmp_path, CURRENT, {})
    assert request.origin == "config key 'python'"


def test_missing_interpreter_names_what_was_wanted_and_found(tmp_path: Path) -> None:
    (tmp_path / ".python-version").write_text("3.99\n")
    with pytest.raises(EnvironmentProblem) as caught:
        interpreters.find(interpreters.request_for(tmp_path, "", {}))
    message = caught.value.message
    assert "3.99" in message and ".python-version" in message and "found:" in message
    assert CURRENT in message
    assert caught.value.exit_code == EXIT_ENVIRONMENT


def test_nonsense_version_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a Python version"):
        interpreters.request_for(tmp_path, "latest please", {})


def test_pyenv_shims_on_path_mean_the_users_global_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shim re-dispatches on the cwd, so seedbed takes pyenv's global version."""
    root = tmp_path / "pyenv"
    (root / "shims").mkdir(parents=True)
    bin_dir = root / "versions" / "9.9.9" / "bin"
    bin_dir.mkdir(parents=True)
    base = Path(sys.base_prefix) / "bin" / "python3"
    (bin_dir / "python3").symlink_to(base)
    (root / "version").write_text("9.9.9\n")
    monkeypatch.setenv("PYENV_ROOT", str(root))
    monkeypatch.delenv("PYENV_VERSION", raising=False)
    monkeypatch.setenv("PATH", f"{root / 'shims'}:/usr/bin:/bin")
    found = interpreters.find(interpreters.request_for(tmp_path, "", {}))
    assert found.path == bin_dir / "python3"


def test_runtime_txt_is_read_when_the_manager_names_it(tmp_path: Path) -> None:
    """pip projects pin their Python in runtime.txt (python-3.12.1)."""
    (tmp_path / "runtime.txt").write_text(f"python-{CURRENT}\n")
    plain = interpreters.request_for(tmp_path, "", {})
    assert plain.origin == "default"  # not a version file for every manager
    files = (".python-version", "runtime.txt")
    request = interpreters.request_for(tmp_path, "", {}, files)
    assert request.origin.endswith("runtime.txt")
    assert interpreters.find(request).short == CURRENT
    (tmp_path / ".python-version").write_text("3.99\n")  # comes first
    assert interpreters.request_for(tmp_path, "", {}, files).text == "3.99"


def test_runtime_txt_exact_pin_accepts_the_same_minor_series(tmp_path: Path) -> None:
    """A deployment pins python-3.12.4; a worktree with 3.12.1 is fine."""
    (tmp_path / "runtime.txt").write_text(f"python-{CURRENT}.99\n")
    files = (".python-version", "runtime.txt")
    request = interpreters.request_for(tmp_path, "", {}, files)
    assert interpreters.find(request).short == CURRENT


def test_each_interpreter_is_listed_once(tmp_path: Path) -> None:
    assert interpreters.distinct(["3.11", "3.11.7", "3.12", "3.11.7"]) == [
        "3.11.7",
        "3.12",
    ]
    (tmp_path / ".python-version").write_text("3.99\n")
    with pytest.raises(EnvironmentProblem) as caught:
        interpreters.find(interpreters.request_for(tmp_path, "", {}))
    found = caught.value.message.split("found: ")[1].split(", ")
    assert len(found) == len(set(found))
    assert not any(
        len(v.split(".")) == 2 and any(f.startswith(v + ".") for f in found)
        for v in found
    )
    assert "pyenv install 3.99" in caught.value.hint


def test_an_exact_patch_pin_is_found(tmp_path: Path) -> None:
    """A pin such as 3.11.7 (.python-version, runtime.txt) was skipped when
    its patch was not one of the few probed at the ends of a range."""
    exact = "{}.{}.{}".format(*sys.version_info[:3])
    (tmp_path / ".python-version").write_text(f"{exact}\n")
    found = interpreters.find(interpreters.request_for(tmp_path, "", {}))
    assert found.version == exact


# --- the probe cache ------------------------------------------------------------


def _copy_interpreter(folder: Path) -> Path:
    """A copy of this test's interpreter binary (a new file, same version)."""
    import os
    import shutil

    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / "python3"
    shutil.copy2(os.path.realpath(sys.executable), copy.with_suffix(".new"))
    os.replace(copy.with_suffix(".new"), copy)  # a new inode, as an upgrade gives
    if interpreters._ask(copy) is None:
        pytest.skip("a copy of this interpreter's binary does not run here")
    return copy


def test_the_probe_is_cached_until_the_interpreter_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SEEDBED_HOME", str(tmp_path / "home"))
    python = _copy_interpreter(tmp_path / "bin")
    real = "{}.{}.{}".format(*sys.version_info[:3])
    assert interpreters.probe(python) == real
    cache = tmp_path / "home" / "cache" / interpreter_cache.VERSIONS
    entries = json.loads(cache.read_text())
    assert entries[str(python.resolve())][-1] == real
    # The cache answers (no process): a planted answer proves it is read.
    entries[str(python.resolve())][-1] = "3.0.1"
    cache.write_text(json.dumps(entries))
    assert interpreters.probe(python) == "3.0.1"
    assert interpreter_cache.known(python) == "3.0.1"
    # The interpreter is replaced (an upgrade, a rebuild): asked again.
    _copy_interpreter(tmp_path / "bin")
    assert interpreter_cache.known(python) is None
    assert interpreters.probe(python) == real


def test_a_script_interpreter_is_always_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A wrapper script (a pyenv shim) may run another interpreter each time
    without changing itself: it is never cached."""
    import os

    monkeypatch.setenv("SEEDBED_HOME", str(tmp_path / "home"))
    script = tmp_path / "python3"
    script.write_text("#!/bin/sh\necho 3.12.1\n")
    script.chmod(0o755)
    assert interpreters.probe(script) == "3.12.1"
    stat = script.stat()
    script.write_text("#!/bin/sh\necho 3.12.2\n")
    os.utime(script, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert interpreters.probe(script) == "3.12.2"
    assert interpreter_cache.known(script) is None


def test_the_choice_is_cached_until_a_searched_folder_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    monkeypatch.setenv("SEEDBED_HOME", str(tmp_path / "home"))
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    python = _copy_interpreter(second)
    monkeypatch.setenv("PATH", f"{first}{os.pathsep}{second}{os.pathsep}/usr/bin")
    request = interpreters.Request(None, "", "default")
    assert interpreters.find(request).path == python
    choices = tmp_path / "home" / "cache" / interpreter_cache.CHOICES
    assert str(python) in choices.read_text()
    assert interpreters.find(request).path == python  # from the cache
    # An interpreter installed earlier on PATH: its folder changed, searched again.
    newer = _copy_interpreter(first)
    assert interpreters.find(request).path == newer
