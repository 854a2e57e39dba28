"""`seedbed report html`: one self-contained page, rendered by real headless
Chromium to a PNG whose pixels are checked (not blank, many colours: the
charts are drawn), and whose SVG charts are each present with data."""

from __future__ import annotations

import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from seedbed.plugins.reports.html import CHARTS

from tests.factories.metrics import dashboard_store, record_runs, run

SEEDBED = str(Path(sys.executable).parent / "seedbed")
CHART_IDS = [chart_id for chart_id, _ in CHARTS]
# Set to a path to keep the screenshot (the README's docs/report.png).
KEEP_SCREENSHOT = os.environ.get("SEEDBED_REPORT_SCREENSHOT")


def seedbed(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [SEEDBED, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=cwd,
    )


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        if os.environ.get("SEEDBED_STRICT"):
            pytest.fail("chromium is missing: run tests/setup/chromium.sh")
        pytest.skip("chromium is missing: run tests/setup/chromium.sh")
    return found


def screenshot(page: Path, png: Path, profile: Path) -> None:
    done = subprocess.run(
        [
            chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={profile}",
            "--hide-scrollbars",
            "--window-size=1240,1500",
            f"--screenshot={png}",
            page.resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0 and png.is_file(), done.stderr[-2000:]


def decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the rows of RGB(A) bytes of an 8-bit PNG."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, idat = 8, b""
    width = height = channels = 0
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                guess = left + up - corner
                pa, pb, pc = abs(guess - left), abs(guess - up), abs(guess - corner)
                pick = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + pick) & 0xFF
        rows.append(bytes(line) if channels == 3 else bytes(_rgb(line)))
        previous = line
    return width, height, rows


def _rgb(line: bytearray) -> bytearray:
    out = bytearray()
    for x in range(0, len(line), 4):
        out += line[x : x + 3]
    return out


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("html")
    db = dashboard_store(root / "metrics.db")
    out = root / "report.html"
    done = seedbed("report", "html", str(out), "--db", str(db), "--json")
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer == {"path": str(out.resolve()), "charts": CHART_IDS}
    return out


def test_the_page_is_self_contained(page: Path) -> None:
    html = page.read_text()
    assert html.startswith("<!DOCTYPE html>")
    # No script, no external reference of any kind: it opens offline.
    assert "<script" not in html
    assert not re.search(r"(src|href)\s*=", html)
    assert not re.search(r"url\(", html)
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in html


def test_every_chart_is_drawn_with_data(page: Path) -> None:
    html = page.read_text()
    for chart_id in CHART_IDS:
        match = re.search(rf'<svg id="{chart_id}" class="(chart[^"]*)"', html)
        assert match and match[1] == "chart", chart_id
    setup = html.split('<svg id="setup-time"', 1)[1].split("</svg>", 1)[0]
    series = re.findall(r'data-series="([^"]+)"', setup)
    assert series == [
        "pip · first",
        "pip · reused",
        "poetry · first",
        "poetry · reused",
        "uv · first",
        "uv · reused",
    ]
    memory = html.split('<svg id="pod-memory"', 1)[1].split("</svg>", 1)[0]
    assert ">limit</text>" in memory and "alert at 90%" in memory
    # Resource use: each environment's size on disk, as recorded at setup.
    sizes = re.findall(
        r"<tr><td>(pip|poetry|uv)</td>(?:<td>[^<]*</td>){5}<td>(\d+) MiB</td></tr>",
        html,
    )
    assert [name for name, _ in sizes] == ["pip", "poetry", "uv"]
    assert all(180 <= int(size) <= 220 for _, size in sizes)


def test_rendered_by_chromium_the_page_is_not_blank(page: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    screenshot(page, png, tmp_path / "profile")
    width, height, rows = decode_png(png.read_bytes())
    assert (width, height) == (1240, 1500)
    colours: set[bytes] = set()
    ink = 0
    for row in rows[::2]:
        for x in range(0, len(row), 6):
            pixel = row[x : x + 3]
            colours.add(pixel)
            ink += pixel != b"\xff\xff\xff"
    assert ink > 0.1 * (width // 2) * (height // 2)  # more than a tenth is drawn
    assert len(colours) > 50  # the palette, text and anti-aliasing
    # Each series colour of the palette appears: the charts were painted.
    for colour in (b"\x1f\x77\xb4", b"\xff\x7f\x0e", b"\x2c\xa0\x2c"):
        assert colour in colours
    if KEEP_SCREENSHOT:
        shutil.copyfile(png, KEEP_SCREENSHOT)


def test_an_empty_chart_says_so(tmp_path: Path) -> None:
    db = record_runs(tmp_path / "metrics.db", [run("gate", "lint", 1.0, 1.7e9)])
    out = tmp_path / "page.html"
    done = seedbed("report", "html", str(out), "--db", str(db), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["charts"] == ["gate-pass-rate", "gate-duration"]
    html = out.read_text()
    assert '<svg id="pod-memory" class="chart empty"' in html
    assert "no container workspace sampled yet" in html


def test_default_path_and_missing_store(tmp_path: Path) -> None:
    db = record_runs(tmp_path / "metrics.db", [run("gate", "lint", 1.0, 1.7e9)])
    done = seedbed("report", "html", "--db", str(db), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "seedbed-report.html").is_file()
    missing = seedbed("report", "html", "--db", str(tmp_path / "none.db"))
    assert missing.returncode == 10
