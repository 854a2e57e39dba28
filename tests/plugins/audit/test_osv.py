"""OSV reading and version matching, on advisories the tests write.

The range matcher is checked against a brute-force oracle over generated,
ordered version lists: intervals [introduced, fixed) or [introduced,
last_affected], written as shuffled OSV events.
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import Version
from seedbed.plugins.audit import osv

from tests.plugins.audit.samples import PACKAGES, osv_record, write_zip


def events(*pairs: tuple[str, str]) -> tuple[osv.Event, ...]:
    return tuple(osv.Event(kind, version) for kind, version in pairs)


@pytest.mark.parametrize(
    ("version", "affected"),
    [("0.9", False), ("1.0", True), ("1.4.9", True), ("1.5", False), ("2.0", False)],
)
def test_introduced_fixed(version: str, affected: bool) -> None:
    walk = events(("introduced", "1.0"), ("fixed", "1.5"))
    assert osv.in_range(Version(version), walk) is affected


def test_zero_means_from_the_start_and_last_affected_is_inclusive() -> None:
    walk = events(("last_affected", "2.0"), ("introduced", "0"))
    assert osv.in_range(Version("0.0.1.dev0"), walk)
    assert osv.in_range(Version("2.0"), walk)
    assert not osv.in_range(Version("2.0.post1"), walk)


def test_pep440_order_not_text_order() -> None:
    walk = events(("introduced", "1.9"), ("fixed", "1.10"))
    assert osv.in_range(Version("1.9.5"), walk)
    assert not osv.in_range(Version("1.10"), walk)
    assert osv.in_range(Version("1.10rc1"), walk)  # a pre-release of the fix


def test_explicit_versions_and_normalised_names(tmp_path: Path) -> None:
    database = osv.load(write_zip(tmp_path / "all.zip"))
    assert database.count == 3  # the withdrawn one and the Go one are left out
    found = {(m.package, m.advisory.id): m for m in osv.match(database, PACKAGES)}
    assert set(found) == {
        ("vulnrange", "PYSEC-2026-101"),
        ("Vuln_Exact", "GHSA-xxxx-yyyy-zzzz"),
    }
    ranged = found["vulnrange", "PYSEC-2026-101"]
    assert ranged.fixed == "1.5"
    assert ranged.advisory.aliases == ("CVE-2026-10101", "GHSA-aaaa-bbbb-cccc")
    assert "CVE-2026-10101" in ranged.line() and "fixed in 1.5" in ranged.line()
    assert found["Vuln_Exact", "GHSA-xxxx-yyyy-zzzz"].fixed == ""


def test_folder_of_json_files(tmp_path: Path) -> None:
    from tests.plugins.audit.samples import write_folder

    database = osv.load(write_folder(tmp_path / "osv"))
    assert {m.advisory.id for m in osv.match(database, PACKAGES)} == {
        "PYSEC-2026-101",
        "GHSA-xxxx-yyyy-zzzz",
    }


def test_first_fix_is_the_lowest_above_the_installed(tmp_path: Path) -> None:
    record = osv_record(
        "PYSEC-X",
        "pkg",
        events=[
            {"introduced": "0"},
            {"fixed": "1.2"},
            {"introduced": "2.0"},
            {"fixed": "2.3"},
        ],
    )
    (item,) = osv.match(
        osv.load(write_zip(tmp_path / "a.zip", (record,))), [("pkg", "2.1")]
    )
    assert item.fixed == "2.3"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"not a zip at all", "damaged advisory database"),
        (None, "damaged advisory"),
    ],
)
def test_damaged_database(tmp_path: Path, content: bytes | None, reason: str) -> None:
    path = tmp_path / "all.zip"
    if content is None:
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("PYSEC-1.json", "{ not json")
    else:
        path.write_bytes(content)
    with pytest.raises(osv.DatabaseError) as caught:
        osv.load(path)
    assert reason in caught.value.message and str(path) in caught.value.message
    assert "seedbed audit update" in caught.value.hint
    assert caught.value.exit_code == 6


def test_truncated_zip_and_missing_database(tmp_path: Path) -> None:
    whole = write_zip(tmp_path / "all.zip").read_bytes()
    cut = tmp_path / "cut.zip"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(osv.DatabaseError):
        osv.load(cut)
    with pytest.raises(osv.DatabaseError, match="no advisory database"):
        osv.load(tmp_path / "absent.zip")


def test_record_without_id_is_damage(tmp_path: Path) -> None:
    folder = tmp_path / "osv"
    folder.mkdir()
    (folder / "x.json").write_text(json.dumps(["a list"]))
    with pytest.raises(osv.DatabaseError, match="not an OSV advisory"):
        osv.load(folder)


# --- the range matcher against a brute-force oracle ---------------------------

VERSION = st.tuples(
    st.integers(0, 3), st.integers(0, 3), st.sampled_from(["", "rc1", ".post1"])
).map(lambda t: Version(f"{t[0]}.{t[1]}{t[2]}"))


@st.composite
def scenario(draw: st.DrawFn) -> tuple[list[Version], list[tuple[int, int, bool]]]:
    """Distinct ordered versions, and non-overlapping intervals over their
    indexes: (start, end, inclusive end = last_affected)."""
    versions = sorted(set(draw(st.lists(VERSION, min_size=2, max_size=12))))
    cuts = sorted(set(draw(st.lists(st.integers(0, len(versions) - 1), max_size=8))))
    intervals: list[tuple[int, int, bool]] = []
    for start, end in zip(cuts[::2], cuts[1::2], strict=False):
        intervals.append((start, end, draw(st.booleans())))
    return versions, intervals


@settings(max_examples=300, deadline=None)
@given(scenario(), st.randoms(use_true_random=False), st.booleans())
def test_range_matcher_matches_the_oracle(
    case: tuple[list[Version], list[tuple[int, int, bool]]],
    random: object,
    from_zero: bool,
) -> None:
    versions, intervals = case
    written: list[tuple[str, str]] = []
    for number, (start, end, inclusive) in enumerate(intervals):
        zero = from_zero and number == 0 and start == 0
        written.append(("introduced", "0" if zero else str(versions[start])))
        written.append(("last_affected" if inclusive else "fixed", str(versions[end])))
    random.shuffle(written)  # type: ignore[attr-defined]
    walk = events(*written)

    def oracle(v: Version) -> bool:
        for number, (start, end, inclusive) in enumerate(intervals):
            low = (from_zero and number == 0 and start == 0) or v >= versions[start]
            high = v <= versions[end] if inclusive else v < versions[end]
            if low and high:
                return True
        return False

    probes = [*versions, Version("0.0.0.dev0"), Version("9.9")]
    for v in probes:
        assert osv.in_range(v, walk) is oracle(v), (v, written)
