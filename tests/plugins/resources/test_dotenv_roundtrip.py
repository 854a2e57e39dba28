"""`.env` values read back the same in every dotenv-style reader (hypothesis).

Generated values are written with render_block, then read back by real sh
(dash), bash and zsh (`set -a; . ./f`), by python-dotenv's dotenv_values, by
the module's own read(), and by a transcription of docker compose's env-file
parser (compose-go's dotenv/parser.go; no compose v2 is installable from the
distribution's or the Python index's packages here). A value the module refuses
must be one of the documented cases, and nothing else is refused.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from seedbed.plugins.resources import dotenv

from tests.conftest import require

dotenv_values = pytest.importorskip("dotenv").dotenv_values

SHELLS = ("dash", "bash", "zsh")
# Characters that matter to some reader, mixed with anything else Unicode has.
SPECIAL = list("'\"`$\\ \n\t#{}()!;&|<>*?~=%:,@+-\x0b\x0c\x1c\x85\u2028\u00e9\r")
CHARS = st.one_of(
    st.sampled_from(SPECIAL),
    st.characters(exclude_characters="\0"),
)
VALUES = st.lists(st.text(CHARS, max_size=24), min_size=1, max_size=12)
COMPOSE_ESCAPES = dict(zip('abfnrtv\\"', '\a\b\f\n\r\t\v\\"', strict=True))
EXPANDED = re.compile(r"\$\{[^}:]*(?::-[^}]*)?\}")


def must_refuse(value: str) -> bool:
    """The documented cases no quoting carries to every reader."""
    shell_expands = "$" in value or "`" in value
    no_single_quotes = "'" in value or "\\\\" in value or value.endswith("\\")
    return bool(
        "\0" in value
        or "\r" in value
        or EXPANDED.search(value)
        or any("\ud800" <= char <= "\udfff" for char in value)  # not UTF-8
        or (shell_expands and no_single_quotes)
        or any(line.strip() in (dotenv.BEGIN, dotenv.END) for line in value.split("\n"))
    )


def sourced(shell: str, folder: Path, keys: list[str]) -> dict[str, str]:
    script = "set -a; . ./.env; printf '%s\\0' " + " ".join(f'"${k}"' for k in keys)
    out = subprocess.run(
        [require(shell), "-c", script],
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert out.returncode == 0 and not out.stderr, (shell, out.stderr)
    # printf with no arguments still prints its format once
    printed = out.stdout.split("\0")[:-1] if keys else []
    return dict(zip(keys, printed, strict=True))


def compose_values(text: str) -> dict[str, str]:
    """compose-go's dotenv parser for the forms seedbed writes (bare, '...',
    "..."): quoted values end at the first quote with no backslash before it;
    inside, a backslash before the quote is dropped and any other is kept;
    double quotes then expand \\n \\r \\t ... \\\\ \\" and interpolate $."""
    values: dict[str, str] = {}
    rest = text
    while rest:
        rest = rest.lstrip(" \t\n")
        if not rest or rest.startswith("#"):
            rest = rest.partition("\n")[2]
            continue
        key, _, rest = rest.partition("=")
        if rest[:1] not in ("'", '"'):
            line, _, rest = rest.partition("\n")
            assert "$" not in line
            values[key] = line.partition(" #")[0].rstrip()
            continue
        quote, chars, escaped, i = rest[0], [], False, 1
        while rest[i] != quote or escaped:
            char, i = rest[i], i + 1
            if char == "\\" and not escaped:
                escaped = True
                continue
            if escaped and char != quote:
                chars.append("\\")
            chars.append(char)
            escaped = False
        value, rest = "".join(chars), rest[i + 1 :]
        if quote == '"':
            assert "$" not in value
            value = re.sub(r"\\([abfnrtv\\\"])", lambda m: COMPOSE_ESCAPES[m[1]], value)
        values[key] = value
    return values


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(values=VALUES)
def test_written_values_read_back_the_same_everywhere(
    values: list[str], tmp_path: Path
) -> None:
    kept: dict[str, str] = {}
    for number, value in enumerate(values):
        key = f"V{number}"
        if must_refuse(value):
            with pytest.raises(dotenv.UnwritableValue, match=key):
                dotenv.quote(value, key)
        else:
            kept[key] = value
    folder = tmp_path / "case"
    folder.mkdir(exist_ok=True)
    env = folder / ".env"
    env.unlink(missing_ok=True)
    dotenv.write(env, kept)
    keys = sorted(kept)
    for shell in SHELLS:
        assert sourced(shell, folder, keys) == kept, shell
    assert sorted(p.name for p in folder.iterdir()) == [".env"]  # nothing ran
    assert dict(dotenv_values(env)) == kept
    assert dotenv.read(env) == kept
    block = dotenv.split(env.read_text(encoding="utf-8"))[1]
    assert compose_values(block) == kept


@settings(max_examples=100, deadline=None)
@given(st.text(CHARS, max_size=40))
def test_refusal_happens_exactly_in_the_documented_cases(value: str) -> None:
    if must_refuse(value):
        with pytest.raises(dotenv.UnwritableValue) as caught:
            dotenv.quote(value, "KEY")
        assert caught.value.exit_code == 5 and "KEY" in str(caught.value)
    else:
        dotenv.quote(value, "KEY")


HOSTILE = "/tmp/a b/x`touch c`$(touch d)\"q'+%\u00e9#?\n/db.sqlite3"


def test_a_sqlite_url_is_percent_encoded_and_written_bare(tmp_path: Path) -> None:
    from urllib.parse import unquote, urlsplit

    from seedbed.plugins.resources.database import Database

    url = Database("sqlite", HOSTILE, HOSTILE + "-test").url
    assert url.startswith("sqlite:////tmp/a%20b/x%60touch%20c%60%24%28")
    assert unquote(urlsplit(url).path)[1:] == HOSTILE
    assert dotenv.quote(url) == url  # bare: nothing for a shell to expand
    env = tmp_path / ".env"
    dotenv.write(env, {"DATABASE_URL": url})
    assert dict(dotenv_values(env)) == {"DATABASE_URL": url}
    assert sourced("dash", tmp_path, ["DATABASE_URL"]) == {"DATABASE_URL": url}


def test_postgres_names_and_users_are_percent_encoded() -> None:
    from urllib.parse import unquote, urlsplit

    from seedbed.plugins.resources.database import Database
    from seedbed.plugins.resources.postgres import Server

    server = Server(host="db.local", port=5433, user="me@x y")
    url = Database("postgres", "n/a me?#", "t", server).url
    parts = urlsplit(url)
    assert url == "postgresql://me%40x%20y@db.local:5433/n%2Fa%20me%3F%23"
    assert unquote(parts.username or "") == "me@x y"
    assert unquote(parts.path[1:]) == "n/a me?#"
    assert dotenv.quote(url) == url
