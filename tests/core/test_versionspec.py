"""core.versionspec answers simple Python version requests without packaging,
exactly as packaging would; anything else is left to packaging (None)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from packaging.specifiers import SpecifierSet
from packaging.version import Version
from seedbed.core import interpreters, versionspec
from seedbed.core.errors import ConfigError

OPERATORS = ("==", "!=", "<=", ">=", "<", ">", "~=")
RELEASES = ("3", "3.11", "3.11.2", "3.12", "3.10.0", "4", "2.7.18")
VERSIONS = ("3", "3.11", "3.11.0", "3.11.2", "3.11.7", "3.12.0", "3.12.1", "4.0")
CLAUSES = [
    f"{op}{release}{star}"
    for op, release in itertools.product(OPERATORS, RELEASES)
    for star in ("", ".*")
    if not star or op in ("==", "!=")
]


def valid(text: str) -> bool:
    try:
        SpecifierSet(text)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize(
    "text", [*CLAUSES, ">=3.9, <4", " >= 3.11 , != 3.11.1 ", ">=3.8,<3.13,!=3.10.*"]
)
def test_simple_requests_match_as_packaging_says(text: str) -> None:
    if not valid(text):  # ~=3: packaging refuses it, so does the fast path
        assert versionspec.parse(text) is None
        return
    assert versionspec.parse(text) is not None
    for version in VERSIONS:
        expected = Version(version) in SpecifierSet(text)
        assert versionspec.contains(text, version) is expected, (text, version)


@pytest.mark.parametrize(
    "text", ["", "===3.11", ">=3.11.*", "=3.11", ">=3.x", "~=3", ">=3.11a1"]
)
def test_other_shapes_are_left_to_packaging(text: str) -> None:
    assert versionspec.parse(text) is None
    assert versionspec.contains(text, "3.11.2") is None


def test_a_version_that_is_not_plain_is_left_to_packaging() -> None:
    assert versionspec.contains(">=3.11", "3.13.0rc1") is None
    assert interpreters.matches(">=3.13", "3.13.0rc1") is False  # packaging's answer
    assert interpreters.matches(">=3.12", "3.13.0rc1") is True


def test_requests_keep_their_spec_and_errors(tmp_path: Path) -> None:
    request = interpreters.request_for(
        tmp_path,
        "",
        {"project": {"requires-python": ">=3.11"}},
    )
    assert request.spec_text == ">=3.11" and request.admits("3.11.7")
    assert not request.admits("3.10.14")
    assert request.spec == SpecifierSet(">=3.11")  # packaging's, when asked for
    unusual = interpreters.request_for(
        tmp_path,
        "",
        {"project": {"requires-python": "===3.11.7"}},
    )
    assert unusual.admits("3.11.7") and not unusual.admits("3.11.8")
    with pytest.raises(ConfigError):
        interpreters.request_for(tmp_path, ">=3.x", {})
