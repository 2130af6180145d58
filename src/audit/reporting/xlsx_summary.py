"""report.xlsx's Summary sheet: headline numbers, counts by severity and category, top rules.

Built from the summary table, run.json and the findings' counts
(:class:`~audit.reporting.stats.FindingStats`), never from the findings rows,
so it costs the same for ten findings or a million.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from audit.reporting.guide import health_definition
from audit.reporting.stats import SEVERITIES, FindingStats
from audit.reporting.tables import RunTables
from audit.reporting.xlsx import _Cells, _Styles
from audit.reporting.xlsx_text import fit_row
from audit.rules import find_rule

if TYPE_CHECKING:
    import xlsxwriter

TOP_RULES = 15
INTERRUPTED_NOTE = (
    "This run was interrupted: the tables cover only the pages fetched before it "
    "stopped, and findings of pages it did not reach are not counted as resolved."
)
_METRIC_COLOURS = {"errors": "error", "warnings": "warning", "notices": "notice"}
_NUMERIC_METRICS = frozenset(
    {"pages", "html_pages", "errors", "warnings", "notices", "health_score"}
    | {"new", "resolved", "unchanged"}
)


def summary_sheet(
    workbook: xlsxwriter.Workbook, styles: _Styles, tables: RunTables, links_note: str | None
) -> None:
    """Add the Summary sheet to ``workbook``."""
    sheet = workbook.add_worksheet("Summary")
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)
    cells = _Cells(sheet, styles)
    sheet.set_column(0, 0, 28)
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 4, 14)
    sheet.set_column(5, 5, 80)
    metrics = _metrics(tables)
    site = metrics.get("site") or tables.meta.get("site", "")
    cells.write(0, 0, f"Site audit: {site}", styles.title)
    row = 1
    if metrics.get("status", tables.meta.get("status")) == "interrupted":
        sheet.set_row(row, 32)
        sheet.merge_range(row, 0, row, 5, INTERRUPTED_NOTE, styles.alert)
        row += 1
    row += 1
    cells.write(row, 0, "metric", styles.header)
    cells.write(row, 1, "value", styles.header)
    row += 1
    for metric, value in metrics.items():
        if tables.diff is None and metric in {"new", "resolved", "unchanged"}:
            continue
        if value is None or value == "":
            continue
        level = _METRIC_COLOURS.get(metric)
        if metric == "status" and value == "interrupted":
            level = "error"
        fmt = styles.fills[level] if level else None
        cells.write(row, 0, metric.replace("_", " "), fmt)
        cells.write(row, 1, value, fmt)
        row += 1
    notes = {
        "health score definition": health_definition(),
        "changes": "No earlier run of this site to compare with."
        if tables.diff is None
        else "The Changes sheet lists every finding as new, resolved or unchanged.",
        "links": links_note,
    }
    for label, text in notes.items():
        if text:
            fit_row(sheet, row, [text], 60)
            cells.write(row, 0, label, styles.note)
            cells.write(row, 1, text, styles.note)
            row += 1

    stats = tables.stats
    row = _count_table(
        cells,
        row + 1,
        "Findings by severity",
        ("severity", "findings"),
        [(level, int(stats.severities.get(level, 0))) for level in SEVERITIES],
        fill_first=True,
    )
    row = _count_table(
        cells,
        row + 1,
        "Findings by category",
        ("category", "findings"),
        [
            (str(name), int(count))
            for name, count in stats.categories.most_common()
            if name is not None
        ],
    )
    row = _count_table(
        cells,
        row + 1,
        "Status codes",
        ("HTTP status", "URLs"),
        [(str(code), int(n)) for code, n in (tables.meta.get("status_codes") or {}).items()],
    )
    _top_rules(cells, row + 1, stats)


def _metrics(tables: RunTables) -> dict[str, Any]:
    """The summary's metric/value rows with numbers as numbers, timings from run.json."""
    rows: list[tuple[str, Any]] = []
    summary = tables.summary
    if {"metric", "value"} <= set(summary.columns):
        rows = [
            (str(metric), _number(value) if metric in _NUMERIC_METRICS else value)
            for metric, value in zip(summary["metric"], summary["value"], strict=True)
        ]
    metrics: dict[str, Any] = {}
    for metric, value in rows:
        metrics[metric] = value
        if metric == "started_at":
            metrics.update(_from_meta(tables.meta, ("finished_at", "duration_s")))
    for key, value in _from_meta(
        tables.meta, ("site", "run", "status", "started_at", "finished_at", "duration_s")
    ).items():
        metrics.setdefault(key, value)
    return metrics


def _from_meta(meta: dict[str, Any], keys: Iterable[str]) -> dict[str, Any]:
    return {key: meta[key] for key in keys if meta.get(key) is not None}


def _number(value: Any) -> Any:
    try:
        return int(str(value))
    except ValueError:
        return value


def _count_table(
    cells: _Cells,
    row: int,
    title: str,
    headers: tuple[str, str],
    rows: Sequence[tuple[Any, int]],
    *,
    fill_first: bool = False,
) -> int:
    """A titled two-column table; returns the next free row."""
    cells.write(row, 0, title, cells.styles.section)
    cells.write(row + 1, 0, headers[0], cells.styles.header)
    cells.write(row + 1, 1, headers[1], cells.styles.header)
    row += 2
    if not rows:
        cells.write(row, 0, "none", cells.styles.note)
        return row + 1
    for name, count in rows:
        fmt = cells.styles.fills.get(name) if fill_first else None
        cells.write(row, 0, name, fmt)
        cells.write(row, 1, count, fmt)
        row += 1
    return row


def _top_rules(cells: _Cells, row: int, stats: FindingStats) -> int:
    """The rules with the most findings, each with its first finding's code, level, category."""
    styles = cells.styles
    cells.write(row, 0, f"Top {TOP_RULES} rules", styles.section)
    headers = ("rule", "code", "severity", "category", "findings", "what it reports")
    for col, header in enumerate(headers):
        cells.write(row + 1, col, header, styles.header)
    row += 2
    if not stats.rows or "rule" not in stats.columns:
        cells.write(row, 0, "none", styles.note)
        return row + 1
    for found in stats.top_rules(TOP_RULES):
        rule = find_rule(str(found.name))
        values = (
            found.name,
            found.code,
            found.severity,
            found.category,
            found.count,
            rule.summary if rule else "",
        )
        for col, value in enumerate(values):
            fmt = styles.fills.get(str(found.severity)) if col == 2 else None
            cells.write(row, col, value, fmt)
        row += 1
    return row
