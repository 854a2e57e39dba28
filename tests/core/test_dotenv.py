"""The marked .env block: seedbed's lines replaced, the user's untouched, 0600."""

from __future__ import annotations

import stat
from pathlib import Path

from core import dotenv


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
