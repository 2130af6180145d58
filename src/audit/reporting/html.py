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
import json
import math
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from audit.reporting.diff import DIFF_COLUMNS, diff_counts
from audit.reporting.guide import health_definition, markdown_paragraphs, why_it_matters
from audit.reporting.run import FINDING_COLUMNS, PAGE_COLUMNS, health_score
from audit.reporting.tables import RunTables, write_text
from audit.rules import find_rule

SEVERITIES = ("error", "warning", "notice")
SEVERITY_COLOURS = {"error": "#c62828", "warning": "#b45309", "notice": "#1d4ed8"}
NO_RESPONSE = "no response / blocked"
MAX_PAGES = 20_000
"""Pages embedded in report.html (every page with a finding, then the first others)."""
FINDING_FIELDS = FINDING_COLUMNS[1:]  # all but the id, which only the diff needs
DIFF_FIELDS = tuple(name for name in DIFF_COLUMNS if name != "id")
_JSON_ESCAPES = {char: f"\\u{ord(char):04x}" for char in "<>&\u2028\u2029"}


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
    html = env.get_template("report.html.j2").render(
        **_context(tables),
        data_json=Markup(script_json(_payload(tables))),  # escaped by script_json
        script=Markup(script),  # our own static file
        style=Markup(style),  # our own static file
        csp=_csp(script, style),
    )
    write_text(path, html)


def script_json(value: Any) -> str:
    """JSON that is inert inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return re.sub("[<>&\u2028\u2029]", lambda match: _JSON_ESCAPES[match.group()], text)


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


def _context(tables: RunTables) -> dict[str, Any]:
    meta, findings, pages = tables.meta, tables.findings, tables.pages
    summary = _summary(tables.summary)
    counts = Counter(_column(findings, "severity"))
    severities = {name: int(summary.get(f"{name}s", counts[name])) for name in SEVERITIES}
    fallback = health_score(findings, pages) if {"url", "severity"} <= set(findings) else 100
    score = int(float(summary.get("health_score", fallback)))
    changes = diff_counts(tables.diff) if tables.diff is not None else None
    top_issues = _top_issues(findings)
    return {
        "site": str(meta.get("site") or summary.get("site") or "site"),
        "run": str(meta.get("run") or summary.get("run") or tables.run_dir.name),
        "started": _when(meta.get("started_at") or summary.get("started_at")),
        "duration": meta.get("duration_s"),
        "interrupted": (meta.get("status") or summary.get("status")) == "interrupted",
        "previous_run": meta.get("previous_run") or summary.get("previous_run") or "",
        "pages": int(summary.get("pages", len(pages))),
        "html_pages": (meta.get("counts") or {}).get("html_pages"),
        "severities": severities,
        "total": sum(severities.values()),
        "score": score,
        "score_ring": _ring([("score", score, _score_colour(score))], 100),
        "score_definition": [health_definition()],
        "changes": changes,
        "severity_ring": _ring([(s, severities[s], SEVERITY_COLOURS[s]) for s in SEVERITIES]),
        "pages_listed": len(_pages_shown(tables)),
        "pages_omitted": len(pages) - len(_pages_shown(tables)),
        "charts": _charts(findings, pages, top_issues),
        "top_issues": top_issues,
    }


def _summary(frame: pd.DataFrame) -> dict[str, str]:
    if frame.empty or "metric" not in frame:
        return {}
    values = {
        str(k): str(_plain_value(v, ""))
        for k, v in zip(frame["metric"], frame["value"], strict=False)
    }
    return {key: value for key, value in values.items() if value != ""}


def _charts(findings: pd.DataFrame, pages: pd.DataFrame, top: list[dict[str, Any]]) -> list[Chart]:
    categories = Counter(_column(findings, "category")).most_common()
    rules = [(i["rule"], i["count"], SEVERITY_COLOURS[i["severity"]]) for i in top]
    statuses = Counter(_status(value) for value in _column(pages, "status", None))
    status_rows = sorted(statuses.items(), key=lambda item: (item[0] == NO_RESPONSE, item[0]))
    return [
        _bar_chart("category", "Findings by category", [(c, n, "#4f46e5") for c, n in categories]),
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


def _top_issues(findings: pd.DataFrame, limit: int = 10) -> list[dict[str, Any]]:
    if findings.empty or "rule" not in findings:
        return []
    issues = []
    for rule_name, group in findings.groupby("rule", sort=False):
        rule = find_rule(str(rule_name))
        fixes = Counter(text for text in _column(group, "fix") if text)
        messages = Counter(_column(group, "message"))
        present = set(_column(group, "severity"))
        urls = list(dict.fromkeys(_column(group, "url")))
        issues.append(
            {
                "rule": str(rule_name),
                "count": len(group),
                "pages": len(urls),
                "severity": next((s for s in SEVERITIES if s in present), "notice"),
                "category": rule.meta.category if rule else _first(_column(group, "category")),
                "summary": " ".join(markdown_paragraphs(rule.summary))
                if rule
                else _first(messages),
                "why": why_it_matters(str(rule_name)).split("\n\n") if rule else [],
                "fix": fixes.most_common(1)[0][0] if fixes else "",
                "examples": urls[:3],
            }
        )
    rank = {name: index for index, name in enumerate(SEVERITIES)}
    issues.sort(key=lambda item: (-item["count"], rank[item["severity"]], item["rule"]))
    return issues[:limit]


def _payload(tables: RunTables) -> dict[str, Any]:
    """The rows the report's script renders, as arrays (field names alongside).

    URLs and fix texts repeat a lot, so rows refer to them by index in ``urls``/``fixes``.
    """
    urls: dict[str, int] = {}
    fixes: dict[str, int] = {}

    def rows(frame: pd.DataFrame, fields: tuple[str, ...], default: Any = "") -> Iterator[list]:
        at = fields.index("url")
        for row in map(list, zip(*(_column(frame, name, default) for name in fields), strict=True)):
            row[at] = urls.setdefault(str(row[at]), len(urls))
            yield row

    diff = tables.diff if tables.diff is not None else pd.DataFrame()
    return {
        "findingFields": FINDING_FIELDS,
        "pageFields": PAGE_COLUMNS,
        "diffFields": DIFF_FIELDS,
        "hasDiff": tables.diff is not None,
        "findings": [
            [*row[:-1], fixes.setdefault(row[-1], len(fixes))]
            for row in rows(tables.findings, FINDING_FIELDS)
        ],
        "pages": list(rows(_pages_shown(tables), PAGE_COLUMNS, None)),
        "diff": [row for row in rows(diff, DIFF_FIELDS) if row[0] in ("new", "resolved")],
        "urls": list(urls),
        "fixes": list(fixes),
    }


def _pages_shown(tables: RunTables) -> pd.DataFrame:
    """Every page with a finding, then others up to :data:`MAX_PAGES` (pages.csv has all)."""
    pages = tables.pages
    if len(pages) <= MAX_PAGES or "url" not in pages:
        return pages
    flagged = pages["url"].isin(set(_column(tables.findings, "url")))
    others = (~flagged).cumsum() <= max(0, MAX_PAGES - int(flagged.sum()))
    return pages[flagged | (~flagged & others)]


def _column(frame: pd.DataFrame, name: str, default: Any = "") -> list[Any]:
    """A column as plain Python values (missing values become ``default``)."""
    if name not in frame:
        return [default] * len(frame)
    return [_plain_value(value, default) for value in frame[name].tolist()]


def _plain_value(value: Any, default: Any) -> Any:
    if value is None or (not isinstance(value, str | list | tuple) and pd.isna(value)):
        return default
    if isinstance(value, bool | str):
        return value
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return default
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int | float) else str(value)


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
        return str(_plain_value(value, ""))
    zone = "UTC" if moment.utcoffset() is not None and not moment.utcoffset() else ""
    return f"{moment:%d %b %Y, %H:%M} {zone}".strip()


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _first(values: Any) -> str:
    return str(next(iter(values), ""))
