"""`seedbed report html`: one self-contained page of the trends people would
rather see than read. Read-only SQL over the store, inline SVG (svg.py), no
script and no network: the file opens anywhere, offline, and can be mailed."""

from __future__ import annotations

import json
import re
import sqlite3
import statistics
import time
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from seedbed.core.files import write_atomic
from seedbed.plugins.reports.svg import Bar, Line, Point, bar_chart, line_chart

if TYPE_CHECKING:
    from seedbed.plugins.reports.store import Target

# The charts on the page, by the id of their <svg>, in order.
CHARTS = (
    ("setup-time", "Setup time per package manager: first vs reused worktree"),
    ("gate-pass-rate", "Gate pass rate"),
    ("gate-duration", "Gate duration: median, with the p95 marked"),
    ("coverage", "Coverage over time"),
    ("pod-memory", "Container workspace memory against its limit"),
    ("slowest-steps", "Slowest setup steps: median, with the p95 marked"),
)
HOUR, DAY = 3600.0, 86_400.0


def bucket_for(span: float) -> float:
    """The period that fits a span (as `perf` picks it): hours, days, weeks."""
    if span <= 2 * DAY:
        return HOUR
    return DAY if span <= 84 * DAY else 7 * DAY


class Page:
    """The figures behind the page, read once from the store."""

    def __init__(self, db: sqlite3.Connection, where: str, params: Mapping[str, Any]):
        self.db = db
        self.where = where
        self.params = dict(params)

    def rows(self, condition: str, columns: str) -> list[sqlite3.Row]:
        sql = f"SELECT {columns} FROM runs WHERE ({condition}) AND {self.where}"
        return list(self.db.execute(sql, self.params))


def _filters(options: Mapping[str, Any], now: float) -> tuple[str, dict[str, Any]]:
    since = options.get("since_seconds")
    params = {
        "worktree": options.get("worktree"),
        "branch": options.get("branch"),
        "manager": options.get("manager"),
        "since": None if since is None else now - since,
    }
    where = (
        "(:worktree IS NULL OR worktree = :worktree)"
        " AND (:branch IS NULL OR branch = :branch)"
        " AND (:manager IS NULL OR manager = :manager OR installer = :manager)"
        " AND (:since IS NULL OR started_at >= :since)"
    )
    return where, params


def _bucketed(
    points: Iterable[Point], bucket: float, how: str = "median"
) -> list[Point]:
    """Points grouped into periods: the median (or max) of each, at its start."""
    grouped: dict[float, list[float]] = defaultdict(list)
    for x, y in points:
        grouped[x // bucket * bucket].append(y)
    pick = statistics.median if how == "median" else max
    return [(start, float(pick(values))) for start, values in sorted(grouped.items())]


def _tools(manager: str, installer: str) -> str:
    if installer and installer != manager:
        return f"{manager}/{installer}"
    return manager or installer or "no manager"


def setup_chart(page: Page, bucket: float) -> str:
    series: dict[str, list[Point]] = defaultdict(list)
    for row in page.rows(
        "kind = 'setup' AND ok = 1",
        "started_at, seconds, manager, installer,"
        " COALESCE(json_extract(detail, '$.reused_from'), '') != '' AS reused",
    ):
        label = f"{_tools(row['manager'], row['installer'])} · "
        label += "reused" if row["reused"] else "first"
        series[label].append((row["started_at"], row["seconds"]))
    shown = {name: _bucketed(points, bucket) for name, points in sorted(series.items())}
    return line_chart("setup-time", shown, "seconds")


def gate_charts(page: Page) -> tuple[str, str]:
    by_gate: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for row in page.rows(
        "kind = 'gate' AND COALESCE(json_extract(detail, '$.skipped'), 0) = 0",
        "name, seconds, ok",
    ):
        by_gate[row["name"]].append((row["seconds"], row["ok"]))
    rates, durations = [], []
    for name, runs in sorted(by_gate.items()):
        passed = sum(ok for _, ok in runs)
        rate = 100 * passed / len(runs)
        rates.append(Bar(name, rate, f"{rate:.0f}% of {len(runs)} runs"))
        seconds = sorted(s for s, _ in runs)
        median = statistics.median(seconds)
        p95 = seconds[(95 * len(seconds) + 99) // 100 - 1]
        durations.append(
            Bar(name, median, f"{median:.2f} s (p95 {p95:.2f} s)", marker=p95)
        )
    durations.sort(key=lambda bar: -bar.value)
    return (
        bar_chart("gate-pass-rate", rates, "%", top=100.0),
        bar_chart("gate-duration", durations, "seconds"),
    )


def coverage_chart(page: Page, bucket: float) -> str:
    series: dict[str, list[Point]] = defaultdict(list)
    for row in page.rows(
        "figure IS NOT NULL AND (kind = 'test' OR (kind = 'gate' AND name = 'tests'))",
        "worktree, started_at, figure",
    ):
        series[row["worktree"]].append((row["started_at"], row["figure"]))
    shown = {name: _bucketed(points, bucket) for name, points in sorted(series.items())}
    return line_chart("coverage", shown, "% covered", zoom=True)


def memory_chart(page: Page, bucket: float, alert_percent: float) -> str:
    series: dict[str, list[Point]] = defaultdict(list)
    for row in page.rows(
        "kind = 'pod' AND name = 'memory' AND figure IS NOT NULL",
        "COALESCE(json_extract(detail, '$.container'), worktree) AS container,"
        " started_at, figure",
    ):
        series[row["container"]].append((row["started_at"], row["figure"]))
    shown = {
        name: _bucketed(points, bucket, "max")
        for name, points in sorted(series.items())
    }
    lines = [
        Line(100.0, "limit"),
        Line(alert_percent, f"alert at {alert_percent:g}%", "#ff7f0e"),
    ]
    return line_chart(
        "pod-memory",
        shown,
        "% of limit",
        lines,
        empty="no container workspace sampled yet (`seedbed pod stats`)",
    )


def steps_chart(page: Page) -> str:
    by_step: dict[str, list[float]] = defaultdict(list)
    for row in page.rows("kind = 'step' AND ok = 1", "name, seconds"):
        by_step[row["name"]].append(row["seconds"])
    bars = []
    for name, seconds in by_step.items():
        seconds.sort()
        median = statistics.median(seconds)
        p95 = seconds[(95 * len(seconds) + 99) // 100 - 1]
        text = f"{median:.2f} s (p95 {p95:.2f} s)"
        bars.append(Bar(name, median, text, marker=p95))
    bars.sort(key=lambda bar: -bar.value)
    return bar_chart("slowest-steps", bars[:10], "seconds")


def environment_table(page: Page) -> list[list[str]]:
    """Build cost and resource use per package manager and installer."""
    groups: dict[str, list[sqlite3.Row]] = defaultdict(list)
    for row in page.rows(
        "kind = 'setup' AND ok = 1",
        "manager, installer, seconds, cpu_seconds, peak_rss_kb, package_count,"
        " json_extract(detail, '$.env_bytes') AS env_bytes",
    ):
        groups[_tools(row["manager"], row["installer"])].append(row)
    table = []
    for name, rows in sorted(groups.items()):
        sizes = [r["env_bytes"] for r in rows if r["env_bytes"] is not None]
        packages = [r["package_count"] for r in rows if r["package_count"] is not None]
        table.append(
            [
                name,
                str(len(rows)),
                f"{statistics.median(r['seconds'] for r in rows):.2f} s",
                f"{statistics.median(r['cpu_seconds'] for r in rows):.2f} s",
                f"{max(r['peak_rss_kb'] for r in rows) / 1024:.0f} MiB",
                str(max(packages)) if packages else "—",
                f"{sizes[-1] / 2**20:.0f} MiB" if sizes else "not recorded",
            ]
        )
    return table


QUALITY = (
    (
        "coverage",
        "figure IS NOT NULL AND (kind = 'test' OR (kind = 'gate' AND name = 'tests'))",
    ),
    ("lint", "kind = 'gate' AND name = 'lint'"),
    ("types", "kind = 'gate' AND name = 'types'"),
    ("secrets", "kind = 'gate' AND name = 'secrets'"),
    ("audit", "kind = 'gate' AND name = 'audit'"),
)


def quality_table(page: Page) -> list[list[str]]:
    """Per worktree, the latest coverage and findings of each quality gate."""
    latest: dict[str, dict[str, str]] = defaultdict(dict)
    for column, condition in QUALITY:
        for row in _latest(page, condition):
            latest[row["worktree"]][column] = _quality_cell(column, row)
    return [
        [worktree, *(cells.get(column, "—") for column, _ in QUALITY)]
        for worktree, cells in sorted(latest.items())
    ]


def _latest(page: Page, condition: str) -> list[sqlite3.Row]:
    sql = (
        "SELECT worktree, figure, ok, detail, MAX(started_at) AS at FROM runs"
        f" WHERE ({condition}) AND {page.where} GROUP BY worktree"
    )
    return list(page.db.execute(sql, page.params))


def _quality_cell(column: str, row: sqlite3.Row) -> str:
    if column == "coverage":
        return f"{row['figure']:.1f}%"
    findings = row["figure"]
    if findings is None:
        found = json.loads(row["detail"] or "{}").get("findings")
        findings = len(found) if isinstance(found, list) else found
    verdict = "pass" if row["ok"] else "fail"
    if findings is None:
        return verdict
    return f"{verdict} ({findings:g} finding{'' if findings == 1 else 's'})"


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], empty: str) -> str:
    if not rows:
        return f'<p class="empty">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


STYLE = """
body{font-family:sans-serif;margin:24px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 4px}p.meta{color:#666;margin:0 0 16px}
.grid{display:flex;flex-wrap:wrap;gap:16px}
section{border:1px solid #ddd;border-radius:6px;padding:12px;background:#fafafa}
h2{font-size:15px;margin:0 0 8px}
table{border-collapse:collapse;font-size:13px}
td,th{border:1px solid #ddd;padding:4px 8px;text-align:left}th{background:#eee}
p.empty{color:#777}
"""


def render(
    db_path: Path, options: Mapping[str, Any], now: float
) -> tuple[str, list[str]]:
    """The page, and the ids of the charts that have data."""
    where, params = _filters(options, now)
    uri = f"{db_path.resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as db:
        db.row_factory = sqlite3.Row
        page = Page(db, where, params)
        first, last, runs = db.execute(
            "SELECT MIN(started_at), MAX(started_at), COUNT(*)"
            f" FROM runs WHERE {where}",
            params,
        ).fetchone()
        bucket = bucket_for((last or 0) - (first or 0))
        gate_rate, gate_time = gate_charts(page)
        charts = {
            "setup-time": setup_chart(page, bucket),
            "gate-pass-rate": gate_rate,
            "gate-duration": gate_time,
            "coverage": coverage_chart(page, bucket),
            "pod-memory": memory_chart(page, bucket, options["memory_percent"]),
            "slowest-steps": steps_chart(page),
        }
        environments = environment_table(page)
        quality = quality_table(page)
    sections = "".join(
        f"<section><h2>{escape(title)}</h2>{charts[chart_id]}</section>"
        for chart_id, title in CHARTS
    )
    period = {HOUR: "hour", DAY: "day"}.get(bucket, "week")
    stamp = datetime.fromtimestamp(now, UTC).isoformat(timespec="seconds")
    span = (
        f"{_day(first)} to {_day(last)}, one point per {period}" if runs else "no runs"
    )
    tables = (
        "<section><h2>Environments: build time and resources</h2>"
        + _table(
            [
                "manager",
                "setups",
                "median install",
                "median CPU",
                "peak memory",
                "packages",
                "env size",
            ],
            environments,
            "no setup recorded yet",
        )
        + "</section><section><h2>Quality and security: the latest run in each"
        " worktree</h2>"
        + _table(
            ["worktree", *(column for column, _ in QUALITY)],
            quality,
            "no gate or test run recorded yet",
        )
        + "</section>"
    )
    html = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        "<title>seedbed report</title>"
        f"<style>{STYLE}</style></head><body>"
        "<h1>seedbed report</h1>"
        f'<p class="meta">{runs} runs, {escape(span)} · {escape(str(db_path))}'
        f" · written {stamp}</p>"
        f'<div class="grid">{sections}{tables}</div></body></html>\n'
    )
    drawn = [cid for cid, _ in CHARTS if 'class="chart empty"' not in charts[cid]]
    return html, drawn


def _day(epoch: float | None) -> str:
    if epoch is None:
        return "—"
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%d %H:%M UTC")


UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "sec": 1, "min": 60, "hr": HOUR}
UNITS |= {"day": DAY, "wk": 7 * DAY}


def duration_seconds(text: str) -> float:
    """A Nushell duration literal (7day, 12hr) in seconds."""
    found = re.fullmatch(r"(\d+(?:\.\d+)?)(ns|us|ms|sec|min|hr|day|wk)", text)
    if found is None:
        raise ValueError(f"{text!r} is not a duration")
    return float(found[1]) * UNITS[found[2]]


def write_page(target: Target, out: Path, options: Mapping[str, Any]) -> list[str]:
    """Write the page for the store and settings of target; the charts drawn."""
    since = options.get("since")
    figures = {
        **options,
        "since_seconds": None if since is None else duration_seconds(since),
        "memory_percent": float(target.settings["memory_alert_percent"]),
    }
    html, drawn = render(target.db, figures, time.time())
    write_atomic(out, html)
    return drawn
