"""The marked .env block: seedbed's lines replaced, the user's untouched, 0600."""

from __future__ import annotations

import stat
import subprocess
from pathlib import Path

import pytest
from seedbed.core.errors import ConfigError, SetupError
from seedbed.plugins.resources import dotenv

from tests.conftest import require


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_new_file_gets_the_block_and_mode_0600(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    assert dotenv.write(env, {"PORT": "8000", "DEBUG": "1"})
    text = env.read_text()
    assert text.startswith(dotenv.BEGIN) and text.rstrip().endswith(dotenv.END)
    assert "PORT=8000\n" in text and "DEBUG=1\n" in text
    assert mode(env) == 0o600


def test_user_lines_are_untouched_and_the_block_is_replaced(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("SECRET_KEY=mine\n# a comment\nAPI=https://x.invalid/a b")
    env.chmod(0o644)
    dotenv.write(env, {"PORT": "8000"})
    dotenv.write(env, {"PORT": "8010", "DATABASE_URL": "sqlite:////tmp/x"})
    text = env.read_text()
    assert text.startswith("SECRET_KEY=mine\n# a comment\nAPI=https://x.invalid/a b\n")
    assert text.count(dotenv.BEGIN) == 1 and "PORT=8000" not in text
    assert dotenv.read(env)["PORT"] == "8010"
    assert mode(env) == 0o600
    # Lines the user adds after the block survive the next write.
    env.write_text(env.read_text() + "LATER=1\n")
    assert not dotenv.write(env, {"PORT": "8010", "DATABASE_URL": "sqlite:////tmp/x"})
    assert env.read_text().endswith("LATER=1\n")


def test_values_round_trip_through_quoting(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    values = {
        "A": "plain",
        "B": 'with "quotes" and $dollar',
        "C": "two words",
        "D": "",
        "E": "back\\slash",
        "F": "line\nbreak",
    }
    dotenv.write(env, values)
    assert {k: v for k, v in dotenv.read(env).items() if k in values} == values


def test_a_broken_block_is_repaired_not_duplicated(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(f"KEEP=1\n{dotenv.BEGIN}\nPORT=1\n")  # end marker lost
    dotenv.write(env, {"PORT": "2"})
    text = env.read_text()
    assert text.count(dotenv.BEGIN) == 1 and text.count(dotenv.END) == 1
    assert dotenv.read(env) == {"KEEP": "1", "PORT": "2"}


def test_remove_block_keeps_user_lines_or_deletes_the_file(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    dotenv.write(env, {"PORT": "1"})
    assert dotenv.remove_block(env) and not env.exists()
    env.write_text("KEEP=1\n")
    dotenv.write(env, {"PORT": "1"})
    assert dotenv.remove_block(env)
    assert env.read_text() == "KEEP=1\n"
    assert not dotenv.remove_block(env)


def test_read_understands_common_forms(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text(
        "export A=1\nB='single quoted'\nC=x # trailing comment\nnot a line\n1BAD=2\n"
    )
    assert dotenv.read(env) == {"A": "1", "B": "single quoted", "C": "x"}


def test_the_users_lines_are_kept_byte_for_byte(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    mine = b"A=1\r\nB='x\xff'\r\n\x0cC=\xe9\x85\n# \xe2\x80\xa8 note"
    env.write_bytes(mine)
    dotenv.write(env, {"PORT": "8000"})
    assert env.read_bytes().startswith(mine + b"\n" + dotenv.BEGIN.encode())
    env.write_bytes(env.read_bytes() + b"AFTER=\xfe\r\n")
    dotenv.write(env, {"PORT": "8001"})
    dotenv.remove_block(env)
    assert env.read_bytes() == mine + b"\nAFTER=\xfe\r\n"


def test_a_symlink_out_of_the_folder_is_neither_read_nor_written(
    tmp_path: Path,
) -> None:
    secret = tmp_path / "secret.env"
    secret.write_text("TOKEN=top-secret\n")
    worktree = tmp_path / "wt"
    worktree.mkdir()
    env = worktree / ".env"
    env.symlink_to(secret)
    for action in (
        lambda: dotenv.write(env, {"PORT": "1"}),
        lambda: dotenv.read(env),
        lambda: dotenv.remove_block(env),
    ):
        with pytest.raises(ConfigError) as caught:
            action()
        assert str(env) in str(caught.value) and caught.value.exit_code == 3
    assert secret.read_text() == "TOKEN=top-secret\n"
    assert env.is_symlink()


def test_a_symlink_inside_the_folder_is_replaced_not_written_through(
    tmp_path: Path,
) -> None:
    (tmp_path / "dev.env").write_text("MINE=1\n")
    env = tmp_path / ".env"
    env.symlink_to("dev.env")
    dotenv.write(env, {"PORT": "1"})
    assert not env.is_symlink() and dotenv.read(env) == {"MINE": "1", "PORT": "1"}
    assert (tmp_path / "dev.env").read_text() == "MINE=1\n"


@pytest.mark.parametrize(
    ("value", "named"),
    [
        ("a\0b", "NUL"),
        ("a\rb", "carriage return"),
        ("x${HOME}", "${HOME}"),
        ("it's `here`", "'"),
        ("it's $HOME", "'"),
        ("a\\\\b$c", "backslash"),
        ("a$b\\", "backslash"),
        (f"x\n{dotenv.END}\ny", "marker"),
    ],
)
def test_a_value_no_reader_agrees_on_is_refused_naming_key_and_character(
    tmp_path: Path, value: str, named: str
) -> None:
    env = tmp_path / ".env"
    env.write_text("MINE=1\n")
    with pytest.raises(SetupError) as caught:
        dotenv.write(env, {"TEST_DB_NAME": value, "PORT": "1"})
    assert "TEST_DB_NAME" in str(caught.value) and named in str(caught.value)
    assert caught.value.exit_code == 5
    assert env.read_text() == "MINE=1\n"  # nothing written


def test_sourcing_runs_nothing(tmp_path: Path) -> None:
    canary = tmp_path / "canary"
    values = {
        "A": f"`touch {canary}`",
        "B": f"$(touch {canary})",
        "C": f'"; touch {canary}; "',
        "D": f"'; touch {canary}; '",
        "E": f"\\`touch {canary}\\`",
    }
    dotenv.write(tmp_path / ".env", values)
    for shell in ("dash", "bash", "zsh"):
        script = 'set -a; . ./.env; printf "%s\\0" "$A" "$B" "$C" "$D" "$E"'
        out = subprocess.run(
            [require(shell), "-c", script],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            check=True,
        )
        assert out.stdout.split("\0")[:-1] == list(values.values()), shell
        assert not canary.exists(), shell
