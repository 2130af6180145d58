"""report.xlsx: the run's tables as a workbook a marketing team can filter and sort.

Sheets, in order: Summary, Changes (only when the run was compared with an
earlier one), Findings, Pages, Structured data, Links. Every data sheet has a
bold header row that stays frozen, an autofilter, column widths from the
content and clickable http(s) URLs; severities are coloured.

Every value may come from a hostile page, so no cell is ever a formula: the
workbook is opened with xlsxwriter's string-to-formula/number/URL conversions
off, every cell is written with an explicit type, and text that a spreadsheet
would evaluate (a leading ``=``, ``+``, ``-``, ``@``, tab or carriage return)
is prefixed with an apostrophe (``tables.neutralise``), so copying the cell or
exporting the sheet as CSV stays inert too. Only URLs that pass
:func:`link_target` become hyperlinks; ``javascript:`` and the like stay text.
"""

from __future__ import annotations

import math
import numbers
import re
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from audit.reporting.diff import DIFF_COLUMNS
from audit.reporting.guide import health_definition, why_it_matters
from audit.reporting.run import (
    FINDING_COLUMNS,
    LINK_COLUMNS,
    PAGE_COLUMNS,
    STRUCTURED_COLUMNS,
)
from audit.reporting.tables import REPORT_ROWS, RunTables, neutralise, table_rows
from audit.rules import find_rule

LINKS_ROW_CAP = REPORT_ROWS
"""Rows of the Links sheet; the full table is links.csv / links.parquet."""
MAX_URL_LENGTH = 2_079
"""Excel ignores longer hyperlinks."""
MAX_LINKS_PER_SHEET = 65_530
"""Excel's limit of hyperlinks on one worksheet; later URLs are written as text."""
MAX_CELL_CHARS = 32_767
TOP_RULES = 15
MAX_WIDTH = 60
MIN_WIDTH = 8
LINE_HEIGHT = 15
MAX_ROW_LINES = 12
_WIDTH_SAMPLE = 2_000
SEVERITIES = ("error", "warning", "notice")
SEVERITY_COLOURS = {
    "error": ("#FFC7CE", "#9C0006"),
    "warning": ("#FFEB9C", "#7F4F00"),
    "notice": ("#DDEBF7", "#1F3864"),
}
CHANGE_COLOURS = {"new": ("#FFC7CE", "#9C0006"), "resolved": ("#C6EFCE", "#006100")}
_WORKBOOK_OPTIONS = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    # Rows go out as they are written: a capped Links sheet still has 600,000 cells.
    "constant_memory": True,
}
_URL = re.compile(r"https?://[^\s\"<>\\^`{|}\x00-\x1f\x7f]+", re.IGNORECASE)

# (column in the frame, header in the sheet); the Findings sheet adds the rule docs.
FINDINGS_SHEET = (
    ("severity", "severity"),
    ("rule", "rule"),
    ("code", "code"),
    ("category", "category"),
    ("url", "url"),
    ("message", "message"),
    ("evidence", "evidence"),
    ("selector", "selector"),
    ("fix", "how to fix"),
    ("why", "why it matters"),
    ("id", "id"),
)
CHANGES_SHEET = ("change", "severity", "rule", "url", "message", "id")
# Only the row's own URL is a hyperlink: each costs ~0.15 ms to write (a 1,000-page run
# has 40,000 links), and Excel allows 65,530 per sheet. Other URLs stay text.
URL_COLUMNS = frozenset({"url"})
WRAP_COLUMNS = frozenset({"message", "fix", "why"})
INTERRUPTED_NOTE = (
    "This run was interrupted: the tables cover only the pages fetched before it "
    "stopped, and findings of pages it did not reach are not counted as resolved."
)
_METRIC_COLOURS = {"errors": "error", "warnings": "warning", "notices": "notice"}
_NUMERIC_METRICS = frozenset(
    {"pages", "html_pages", "errors", "warnings", "notices", "health_score"}
    | {"new", "resolved", "unchanged"}
)


def write_xlsx(tables: RunTables, path: Path) -> None:
    """Write the workbook to ``path`` atomically (a temporary name, then a rename).

    Args:
        tables: the run's tables (see :class:`RunTables`).
        path: where report.xlsx goes; an existing file is replaced only once
            the new one is complete.
    """
    temporary = path.with_name(f".{path.name}.tmp")
    links = tables.links(LINKS_ROW_CAP)
    links_note = _cap_note(tables.run_dir, "links", len(links), "links")
    structured_note = _cap_note(
        tables.run_dir, "structured_data", len(tables.structured), "structured-data rows"
    )
    try:
        workbook = xlsxwriter.Workbook(str(temporary), _WORKBOOK_OPTIONS)
        try:
            styles = _Styles(workbook)
            _summary_sheet(workbook, styles, tables, links_note)
            if tables.diff is not None:
                _data_sheet(
                    workbook.add_worksheet("Changes"),
                    styles,
                    _frame(tables.diff, DIFF_COLUMNS, CHANGES_SHEET),
                )
            _data_sheet(workbook.add_worksheet("Findings"), styles, findings_view(tables.findings))
            _data_sheet(workbook.add_worksheet("Pages"), styles, _frame(tables.pages, PAGE_COLUMNS))
            _data_sheet(
                workbook.add_worksheet("Structured data"),
                styles,
                _frame(tables.structured, STRUCTURED_COLUMNS),
                note=structured_note,
            )
            _data_sheet(
                workbook.add_worksheet("Links"),
                styles,
                _frame(links, LINK_COLUMNS),
                note=links_note,
            )
        finally:
            workbook.close()
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def findings_view(findings: pd.DataFrame) -> pd.DataFrame:
    """The Findings sheet's columns: the finding, its rule's "why it matters", worst first."""
    frame = _frame(findings, FINDING_COLUMNS)
    frame["why"] = [why_it_matters(str(rule)) for rule in frame["rule"].fillna("")]
    rank = {level: index for index, level in enumerate(SEVERITIES)}
    order = frame["severity"].map(lambda level: rank.get(level, len(rank)))
    frame = frame.assign(_rank=order).sort_values(["_rank", "rule", "url"], kind="stable")
    frame = frame.drop(columns="_rank").reset_index(drop=True)
    return frame[[name for name, _ in FINDINGS_SHEET]].rename(columns=dict(FINDINGS_SHEET))


def link_target(value: Any) -> str | None:
    """``value`` when it may become a hyperlink: an absolute http(s) URL Excel accepts."""
    if not isinstance(value, str) or not _URL.fullmatch(value):
        return None
    host = value.split("://", 1)[1].split("/", 1)[0].split("?", 1)[0].split("#", 1)[0]
    if not host or host.startswith(("@", ":")):
        return None
    # xlsxwriter escapes a lone % as %25; Excel counts UTF-16 code units.
    length = len(value.encode("utf-16-le")) // 2 + 2 * value.count("%")
    return value if length <= MAX_URL_LENGTH else None


class _Styles:
    """The workbook's formats, made once."""

    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.header = workbook.add_format(
            {"bold": True, "bg_color": "#1F3864", "font_color": "#FFFFFF", "border": 1}
        )
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.section = workbook.add_format({"bold": True, "font_size": 12})
        self.alert = workbook.add_format(
            {
                "bold": True,
                "bg_color": "#FFC7CE",
                "font_color": "#9C0006",
                "text_wrap": True,
                "valign": "vcenter",
            }
        )
        self.note = workbook.add_format(
            {"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"}
        )
        self.caption = workbook.add_format({"italic": True, "font_color": "#595959"})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.top = workbook.add_format({"valign": "top"})
        self.url = workbook.add_format({"font_color": "#0563C1", "underline": 1, "valign": "top"})
        self.fills = {
            key: workbook.add_format({"bg_color": fill, "font_color": font, "valign": "top"})
            for key, (fill, font) in (*SEVERITY_COLOURS.items(), *CHANGE_COLOURS.items())
        }


class _Cells:
    """Writes typed cells on one worksheet, counting its hyperlinks against Excel's limit."""

    def __init__(self, sheet: Worksheet, styles: _Styles) -> None:
        self.sheet = sheet
        self.styles = styles
        self.links = 0

    def write(
        self, row: int, col: int, value: Any, fmt: Format | None = None, *, url: bool = False
    ) -> None:
        """One cell: blank, boolean, number, hyperlink or neutralised text."""
        if value is None or value is pd.NA or value is pd.NaT:
            return
        if isinstance(value, bool) or type(value).__name__ == "bool_":
            self.sheet.write_boolean(row, col, bool(value), fmt)
            return
        if isinstance(value, numbers.Real):
            number = float(value)
            if math.isnan(number):
                return
            if math.isfinite(number):
                self.sheet.write_number(row, col, number, fmt)
                return
            value = str(value)
        text = value if isinstance(value, str) else str(value)
        if not text:
            return
        if url and self.links < MAX_LINKS_PER_SHEET and (target := link_target(text)):
            self.links += 1
            self.sheet.write_url(row, col, target, fmt or self.styles.url, string=target)
            return
        self.sheet.write_string(row, col, _clip(neutralise(_valid_text(text))), fmt)


def _summary_sheet(
    workbook: xlsxwriter.Workbook, styles: _Styles, tables: RunTables, links_note: str | None
) -> None:
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
            _fit_row(sheet, row, [text], 60)
            cells.write(row, 0, label, styles.note)
            cells.write(row, 1, text, styles.note)
            row += 1

    findings = tables.findings
    severity = findings["severity"] if "severity" in findings else pd.Series(dtype=object)
    counts = severity.value_counts()
    row = _count_table(
        cells,
        row + 1,
        "Findings by severity",
        ("severity", "findings"),
        [(level, int(counts.get(level, 0))) for level in SEVERITIES],
        fill_first=True,
    )
    category = findings["category"] if "category" in findings else pd.Series(dtype=object)
    row = _count_table(
        cells,
        row + 1,
        "Findings by category",
        ("category", "findings"),
        [(str(name), int(count)) for name, count in category.value_counts().items()],
    )
    row = _count_table(
        cells,
        row + 1,
        "Status codes",
        ("HTTP status", "URLs"),
        [(str(code), int(n)) for code, n in (tables.meta.get("status_codes") or {}).items()],
    )
    _top_rules(cells, row + 1, findings)


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


def _top_rules(cells: _Cells, row: int, findings: pd.DataFrame) -> int:
    styles = cells.styles
    cells.write(row, 0, f"Top {TOP_RULES} rules", styles.section)
    headers = ("rule", "code", "severity", "category", "findings", "what it reports")
    for col, header in enumerate(headers):
        cells.write(row + 1, col, header, styles.header)
    row += 2
    if findings.empty or "rule" not in findings:
        cells.write(row, 0, "none", styles.note)
        return row + 1
    for name, count in findings["rule"].value_counts().head(TOP_RULES).items():
        first = findings[findings["rule"] == name].iloc[0]
        rule = find_rule(str(name))
        level = first.get("severity")
        values = (
            name,
            first.get("code"),
            level,
            first.get("category"),
            int(count),
            rule.summary if rule else "",
        )
        for col, value in enumerate(values):
            fmt = styles.fills.get(str(level)) if col == 2 else None
            cells.write(row, col, value, fmt)
        row += 1
    return row


def _data_sheet(
    sheet: Worksheet, styles: _Styles, frame: pd.DataFrame, *, note: str | None = None
) -> None:
    """Header, rows, widths, frozen header and autofilter; ``note`` goes in the last row."""
    cells = _Cells(sheet, styles)
    sources = [_source_name(name) for name in frame.columns]
    coloured = [name in {"severity", "change"} for name in sources]
    urls = [name in URL_COLUMNS for name in sources]
    wrapped = [col for col, name in enumerate(sources) if name in WRAP_COLUMNS]
    # None lets a URL cell take the link style (or the column's style when it stays text).
    plain = [
        styles.wrap if col in wrapped else None if urls[col] else styles.top
        for col in range(len(sources))
    ]
    for col, name in enumerate(frame.columns):
        cells.write(0, col, name, styles.header)
        width = MAX_WIDTH if col in wrapped else _width(name, frame[name])
        sheet.set_column(col, col, width, styles.wrap if col in wrapped else styles.top)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(len(frame), 1), max(len(sources) - 1, 0))
    for index, values in enumerate(frame.itertuples(index=False, name=None), start=1):
        if wrapped:
            # LibreOffice does not grow rows for wrapped text on its own (Excel does).
            _fit_row(sheet, index, [values[col] for col in wrapped], MAX_WIDTH)
        for col, value in enumerate(values):
            fill = styles.fills.get(value) if coloured[col] and isinstance(value, str) else None
            cells.write(index, col, value, fill or plain[col], url=urls[col])
    if note:
        cells.write(len(frame) + 1, 0, note, styles.caption)


def _fit_row(sheet: Worksheet, row: int, texts: Iterable[Any], width: int) -> None:
    """Give a row with wrapped text the height of its longest cell, up to ``MAX_ROW_LINES``."""
    lines = 1
    for text in texts:
        if isinstance(text, str) and len(text) > width:
            sample = text[: width * MAX_ROW_LINES * 2]
            count = sum(
                max(1, math.ceil(_display_width(part) / width)) for part in sample.split("\n")
            )
            lines = max(lines, count)
        elif isinstance(text, str):
            lines = max(lines, text.count("\n") + 1)
    if lines > 1:
        sheet.set_row(row, LINE_HEIGHT * min(lines, MAX_ROW_LINES))


def _source_name(header: str) -> str:
    """The frame column behind a sheet header (``how to fix`` → ``fix``)."""
    reverse = {label: name for name, label in FINDINGS_SHEET}
    return reverse.get(header, header.replace(" ", "_"))


def _frame(
    frame: pd.DataFrame,
    expected: Iterable[str],
    selected: Iterable[str] | None = None,
) -> pd.DataFrame:
    """``frame`` with the documented columns first (missing ones empty), extras after."""
    expected = list(expected)
    order = list(selected) if selected is not None else expected
    extras = [name for name in frame.columns if name not in expected] if selected is None else []
    result = frame.copy()
    for name in order:
        if name not in result.columns:
            result[name] = pd.Series([None] * len(result), index=result.index, dtype=object)
    result = result[order + extras].reset_index(drop=True)
    if selected is None:
        result.columns = [name.replace("_", " ") for name in result.columns]
    return result


def _width(header: str, series: pd.Series) -> float:
    """Column width from the header and a sample of the content, in Excel character units."""
    widest = _display_width(header) + 3  # room for the autofilter button
    for value in series.head(_WIDTH_SAMPLE):
        if isinstance(value, str):
            widest = max(widest, _display_width(value.split("\n", 1)[0][:MAX_WIDTH]))
        elif value is not None and value is not pd.NA:
            widest = max(widest, len(str(value)))
        if widest >= MAX_WIDTH:
            return MAX_WIDTH
    return max(MIN_WIDTH, widest + 1)


def _display_width(text: str) -> int:
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _clip(text: str) -> str:
    if len(text) <= MAX_CELL_CHARS:
        return text
    return text[: MAX_CELL_CHARS - 20] + " … [clipped]"


def _valid_text(text: str) -> str:
    """Drop lone surrogates, which cannot be written as XML (UTF-8)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text


def _cap_note(run_dir: Path, name: str, shown: int, what: str) -> str | None:
    """ "Showing the first N of M …" when the sheet shows fewer rows than the table has."""
    try:
        total = table_rows(run_dir, name)
    except (OSError, ValueError):
        total = None
    if total is None or total <= shown:
        return None
    return (
        f"Showing the first {shown:,} of {total:,} {what}; "
        f"the full table is {name}.csv / {name}.parquet in the run folder."
    )
