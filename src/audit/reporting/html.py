"""report.html: one self-contained page for people, safe to open offline or as an attachment.

Everything is inline (CSS, JavaScript, SVG charts) and nothing is fetched from
the network. Every value from a crawled page is treated as hostile:

- the template is rendered with autoescape on, so text lands in the page as text;
- the findings, pages and diff rows travel as JSON inside a
  ``<script type="application/json">`` element, with ``<``, ``>``, ``&``, U+2028
  and U+2029 written as ``\\uXXXX`` escapes so no value can close the element;
  the script reads them with ``JSON.parse`` and builds rows with ``textContent``;
- a crawled URL becomes a link only when it is http(s);
- a Content-Security-Policy allows only this report's own script and style
  (by hash) and no network access, so a mistake in escaping still runs nothing.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import math
import secrets
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from audit.reporting.diff import diff_counts
from audit.reporting.guide import health_definition, markdown_paragraphs, why_it_matters
from audit.reporting.html_data import PageSlices, column_values, json_pieces, payload_stream
from audit.reporting.html_data import script_json as script_json  # part of this module's API
from audit.reporting.stats import FindingStats, health_of
from audit.reporting.tables import (
    RunTables,
    Table,
    column_names,
    frames,
    plain_value,
    row_count,
)
from audit.rules import find_rule

SEVERITIES = ("error", "warning", "notice")
SEVERITY_COLOURS = {"error": "#c62828", "warning": "#b45309", "notice": "#1d4ed8"}
NO_RESPONSE = "no response / blocked"
MAX_PAGES = 20_000
"""Pages embedded in report.html (every page with a finding, then the first others)."""


@dataclass(frozen=True)
class Bar:
    """One bar of a horizontal bar chart, in SVG user units."""

    label: str
    full_label: str
    value: int
    y: float
    width: float
    colour: str


@dataclass(frozen=True)
class Chart:
    """A horizontal bar chart: the template draws it as inline SVG."""

    key: str
    title: str
    description: str
    bars: tuple[Bar, ...]
    height: float
    note: str = ""
    label_width: float = 190  # then 250 units of bars and 70 for the value


@dataclass(frozen=True)
class Segment:
    """One arc of a ring chart (a circle stroke with a dash pattern)."""

    label: str
    value: int
    colour: str
    dash: str
    offset: float


def write_html(tables: RunTables, path: Path) -> None:
    """Render ``report.html`` for a run and write it atomically (temporary name + rename)."""
    env = Environment(
        loader=PackageLoader("audit.reporting", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["http_href"] = http_href
    env.filters["number"] = lambda value: f"{int(value):,}"
    script = env.get_template("report.js").render()
    style = env.get_template("report.css").render()
    listed, shown = _pages_shown(tables)
    # The rows go into the page as JSON written piece by piece: as one string (and its
    # escaped copy, and the page around it) they would take several times the file's size.
    marker = f"report-data-{secrets.token_hex(16)}"
    html = env.get_template("report.html.j2").render(
        **_context(tables, listed),
        data_json=Markup(marker),  # replaced by the escaped JSON below
        script=Markup(script),  # our own static file
        style=Markup(style),  # our own static file
        csp=_csp(script, style),
    )
    before, _, after = html.partition(marker)
    del html
    temporary = path.with_name(f".{path.name}.tmp")
    try:
        with temporary.open("w", encoding="utf-8") as out:
            out.write(before)
            for piece in json_pieces(payload_stream(tables, shown)):
                out.write(piece)
            out.write(after)
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def http_href(value: Any) -> str | None:
    """``value`` when it is an absolute http(s) URL (safe as a link), else None."""
    if not isinstance(value, str):
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    return value.strip() if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def _csp(script: str, style: str) -> str:
    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    return (
        "default-src 'none'; "
        f"script-src 'sha256-{digest(script)}'; style-src 'sha256-{digest(style)}'; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )


def _context(tables: RunTables, pages_listed: int) -> dict[str, Any]:
    meta, pages, stats = tables.meta, tables.pages, tables.stats
    summary = _summary(tables.summary)
    severities = {
        name: int(summary.get(f"{name}s", stats.severities.get(name, 0))) for name in SEVERITIES
    }
    if "health_score" in summary:
        score = int(float(summary["health_score"]))
    else:
        score = health_of(stats.worst, pages) if {"url", "severity"} <= stats.columns else 100
    changes = diff_counts(tables.diff) if tables.diff is not None else None
    top_issues = _top_issues(stats)
    total_pages = row_count(pages)
    return {
        "site": str(meta.get("site") or summary.get("site") or "site"),
        "run": str(meta.get("run") or summary.get("run") or tables.run_dir.name),
        "started": _when(meta.get("started_at") or summary.get("started_at")),
        "duration": meta.get("duration_s"),
        "interrupted": (meta.get("status") or summary.get("status")) == "interrupted",
        "previous_run": meta.get("previous_run") or summary.get("previous_run") or "",
        "pages": int(summary["pages"]) if "pages" in summary else total_pages,
        "html_pages": (meta.get("counts") or {}).get("html_pages"),
        "severities": severities,
        "total": sum(severities.values()),
        "score": score,
        "score_ring": _ring([("score", score, _score_colour(score))], 100),
        "score_definition": [health_definition()],
        "changes": changes,
        "severity_ring": _ring([(s, severities[s], SEVERITY_COLOURS[s]) for s in SEVERITIES]),
        "pages_listed": pages_listed,
        "pages_omitted": total_pages - pages_listed,
        "charts": _charts(stats, pages, top_issues),
        "top_issues": top_issues,
    }


def _summary(frame: pd.DataFrame) -> dict[str, str]:
    if frame.empty or "metric" not in frame:
        return {}
    values = {
        str(k): str(plain_value(v, ""))
        for k, v in zip(frame["metric"], frame["value"], strict=False)
    }
    return {key: value for key, value in values.items() if value != ""}


def _charts(stats: FindingStats, pages: Table, top: list[dict[str, Any]]) -> list[Chart]:
    categories: Counter[Any] = Counter()
    for category, count in stats.categories.items():
        categories["" if category is None else category] += count
    rules = [(i["rule"], i["count"], SEVERITY_COLOURS[i["severity"]]) for i in top]
    statuses = Counter(
        _status(value)
        for part in frames(pages, columns=("status",))
        for value in column_values(part, "status", None)
    )
    status_rows = sorted(statuses.items(), key=lambda item: (item[0] == NO_RESPONSE, item[0]))
    return [
        _bar_chart(
            "category",
            "Findings by category",
            [(c, n, "#4f46e5") for c, n in categories.most_common()],
        ),
        _bar_chart("rules", "Top 10 rules", rules, "Coloured by their most severe finding."),
        _bar_chart(
            "status",
            "Status codes",
            [(s, n, _status_colour(s)) for s, n in status_rows],
            "URLs per HTTP status of their first response.",
            unit="URLs",
        ),
    ]


def _bar_chart(
    key: str, title: str, items: list[tuple[str, int, str]], note: str = "", unit: str = "findings"
) -> Chart:
    top = max((value for _, value, _ in items), default=0) or 1
    bars = tuple(
        Bar(_clip(label, 28), label, value, 6 + index * 30, max(2.0, 250 * value / top), colour)
        for index, (label, value, colour) in enumerate(items)
    )
    listed = ", ".join(f"{label}: {value}" for label, value, _ in items) or "none"
    height = 12 + 30 * max(1, len(bars))
    return Chart(key, title, f"{title} ({unit}): {listed}", bars, height, note)


def _ring(items: list[tuple[str, int, str]], total: int | None = None) -> list[Segment]:
    """Arcs of a ring of radius 40 (circumference ~251.3), starting at 12 o'clock."""
    circumference = 2 * math.pi * 40
    whole = total if total is not None else sum(value for _, value, _ in items)
    segments, start = [], 0.0
    for label, value, colour in items:
        length = circumference * value / whole if whole else 0.0
        dash = f"{length:.2f} {circumference - length:.2f}"
        segments.append(Segment(label, value, colour, dash, round(-start, 2)))
        start += length
    return segments


def _top_issues(stats: FindingStats, limit: int = 10) -> list[dict[str, Any]]:
    issues = []
    for found in stats.rules.values():
        rule = find_rule(str(found.name))
        issues.append(
            {
                "rule": str(found.name),
                "count": found.count,
                "pages": len(found.urls),
                "severity": next((s for s in SEVERITIES if s in found.levels), "notice"),
                "category": rule.meta.category if rule else str(plain_value(found.category, "")),
                "summary": " ".join(markdown_paragraphs(rule.summary))
                if rule
                else str(found.message),
                "why": why_it_matters(str(found.name)).split("\n\n") if rule else [],
                "fix": found.fixes.most_common(1)[0][0] if found.fixes else "",
                "examples": list(itertools.islice(found.urls, 3)),
            }
        )
    rank = {name: index for index, name in enumerate(SEVERITIES)}
    issues.sort(key=lambda item: (-item["count"], rank[item["severity"]], item["rule"]))
    return issues[:limit]


def _payload(tables: RunTables) -> dict[str, Any]:
    """The report's data block as one dict (see :func:`payload_stream`), lists filled in."""
    stream = payload_stream(tables, _pages_shown(tables)[1])
    # In order: the rows fill the URL and fix lists that come after them.
    return {
        key: list(value) if isinstance(value, Iterator) else value() if callable(value) else value
        for key, value in stream.items()
    }


def _pages_shown(tables: RunTables) -> tuple[int, PageSlices]:
    """Every page with a finding, then others up to :data:`MAX_PAGES` (pages.csv has all).

    Returns how many pages that is, and a function that reads them in slices
    (of some ``columns`` only, when given; ``url`` is always among them).
    """
    pages = tables.pages
    total = row_count(pages)
    if total <= MAX_PAGES or "url" not in column_names(pages):
        return total, lambda columns=None: frames(pages, columns=columns)
    with_findings = set(tables.stats.worst)

    def has_finding(part: pd.DataFrame) -> pd.Series:
        # Not Series.isin: on Arrow-backed text it converts the whole set on every call.
        flags = [url in with_findings for url in part["url"].tolist()]
        return pd.Series(flags, index=part.index, dtype=bool)

    flagged = sum(int(has_finding(part).sum()) for part in frames(pages, columns=("url",)))
    room = max(0, MAX_PAGES - flagged)

    def shown(columns: Sequence[str] | None = None) -> Iterator[pd.DataFrame]:
        read = None if columns is None else ["url", *columns]
        others = 0  # pages without a finding before this slice
        for part in frames(pages, columns=read):
            with_finding = has_finding(part)
            without = ~with_finding
            yield part[with_finding | (without & (without.cumsum() + others <= room))]
            others += int(without.sum())

    return flagged + min(room, total - flagged), shown


def _status(value: Any) -> str:
    if value in (None, ""):
        return NO_RESPONSE
    try:
        return str(int(float(value)))
    except (TypeError, ValueError):
        return NO_RESPONSE if str(value).lower() in ("blocked", "none", "nan") else str(value)


def _status_colour(status: str) -> str:
    colours = {"2": "#15803d", "3": "#1d4ed8", "4": "#b45309", "5": "#c62828"}
    return colours.get(status[:1], "#6b7280") if status != NO_RESPONSE else "#6b7280"


def _score_colour(score: int) -> str:
    return "#15803d" if score >= 80 else "#b45309" if score >= 50 else "#c62828"


def _when(value: Any) -> str:
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        return str(plain_value(value, ""))
    zone = "UTC" if moment.utcoffset() is not None and not moment.utcoffset() else ""
    return f"{moment:%d %b %Y, %H:%M} {zone}".strip()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
