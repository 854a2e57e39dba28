"""The acceptance file: live, expired and broken entries."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
from seedbed.core.errors import ConfigError
from seedbed.plugins.audit import accept, osv

from tests.plugins.audit.samples import PACKAGES, write_zip

TODAY = datetime.date(2026, 12, 1)


def matches(tmp_path: Path) -> list[osv.Match]:
    return osv.match(osv.load(write_zip(tmp_path / "all.zip")), PACKAGES)


def test_live_by_alias_and_expired_by_id(tmp_path: Path) -> None:
    path = tmp_path / ".seedbed-audit.toml"
    path.write_text(
        "[[accept]]\n"
        'id = "CVE-2026-10101"\n'
        'reason = "the affected reader is never called"\n'
        "expires = 2027-01-31\n"
        "\n[[accept]]\n"
        'id = "GHSA-xxxx-yyyy-zzzz"\n'
        'reason = "waiting for upstream"\n'
        "expires = 2026-11-30\n"
    )
    verdict = accept.apply(matches(tmp_path), accept.read(path), TODAY)
    assert [m.advisory.id for m, _ in verdict.accepted] == ["PYSEC-2026-101"]
    (failing,) = verdict.failing
    assert failing.advisory.id == "GHSA-xxxx-yyyy-zzzz"
    assert verdict.expired[failing].expires == datetime.date(2026, 11, 30)


def test_the_expiry_day_itself_still_holds(tmp_path: Path) -> None:
    path = tmp_path / "a.toml"
    path.write_text(
        '[[accept]]\nid = "GHSA-xxxx-yyyy-zzzz"\nreason = "r"\nexpires = "2026-12-01"\n'
    )
    verdict = accept.apply(matches(tmp_path), accept.read(path), TODAY)
    assert len(verdict.accepted) == 1 and len(verdict.failing) == 1


def test_no_file_accepts_nothing(tmp_path: Path) -> None:
    assert accept.read(tmp_path / "absent.toml") == []


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[[accept]\n", "cannot read"),
        ('[[accept]]\nreason = "r"\n', "'id'"),
        ('[[accept]]\nid = "X"\n', "'reason' is required"),
        ('[[accept]]\nid = "X"\nreason = "r"\nexpires = "soon"\n', "must be a date"),
    ],
)
def test_broken_file_is_a_config_error(tmp_path: Path, text: str, says: str) -> None:
    path = tmp_path / ".seedbed-audit.toml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        accept.read(path)
    assert says in caught.value.message and caught.value.exit_code == 3
