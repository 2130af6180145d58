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

import itertools
import math
import numbers
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from audit.reporting.diff import DIFF_COLUMNS
from audit.reporting.guide import why_it_matters
from audit.reporting.memory import release_memory
from audit.reporting.stats import SEVERITIES
from audit.reporting.tables import (
    BATCH_ROWS,
    REPORT_ROWS,
    ParquetTable,
    RunTables,
    Table,
    frames,
    neutralise,
    row_count,
    table_rows,
)
from audit.reporting.writers import (
    FINDING_COLUMNS,
    LINK_COLUMNS,
    PAGE_COLUMNS,
    STRUCTURED_COLUMNS,
)
from audit.reporting.xlsx_text import (
    MAX_WIDTH,
    WIDTH_SAMPLE,
    clip,
    column_width,
    fit_row,
    link_target,
    valid_text,
)

LINKS_ROW_CAP = REPORT_ROWS
"""Rows of the Links sheet; the full table is links.csv / links.parquet."""
RELEASE_ROWS = 20_000
"""Rows of a long sheet between two hand-backs of free memory (see ``memory.release_memory``)."""
MAX_LINKS_PER_SHEET = 65_530
"""Excel's limit of hyperlinks on one worksheet; later URLs are written as text."""
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


def write_xlsx(tables: RunTables, path: Path) -> None:
    """Write the workbook to ``path`` atomically (a temporary name, then a rename).

    The long sheets (Changes, Findings, Pages) are written a slice of rows at a
    time from the tables, which may stay on disk (see :class:`ParquetTable`).

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
                    (_frame(part, DIFF_COLUMNS, CHANGES_SHEET) for part in frames(tables.diff)),
                    row_count(tables.diff),
                )
            _data_sheet(
                workbook.add_worksheet("Findings"),
                styles,
                sorted_findings(tables.findings),
                row_count(tables.findings),
            )
            _data_sheet(
                workbook.add_worksheet("Pages"),
                styles,
                (_frame(part, PAGE_COLUMNS) for part in frames(tables.pages)),
                row_count(tables.pages),
            )
            _data_sheet(
                workbook.add_worksheet("Structured data"),
                styles,
                [_frame(tables.structured, STRUCTURED_COLUMNS)],
                len(tables.structured),
                note=structured_note,
            )
            _data_sheet(
                workbook.add_worksheet("Links"),
                styles,
                [_frame(links, LINK_COLUMNS)],
                len(links),
                note=links_note,
            )
        finally:
            workbook.close()
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def _summary_sheet(
    workbook: xlsxwriter.Workbook, styles: _Styles, tables: RunTables, links_note: str | None
) -> None:
    # Imported here: the summary module builds on this one's cells and styles.
    from audit.reporting.xlsx_summary import summary_sheet

    summary_sheet(workbook, styles, tables, links_note)


def findings_view(findings: pd.DataFrame, *, ordered: bool = False) -> pd.DataFrame:
    """The Findings sheet's columns: the finding, its rule's "why it matters", worst first.

    ``ordered``: the rows are already worst first (see :func:`sorted_findings`).
    """
    frame = _frame(findings, FINDING_COLUMNS)
    frame["why"] = [why_it_matters(str(rule)) for rule in frame["rule"].fillna("")]
    if not ordered:
        rank = {level: index for index, level in enumerate(SEVERITIES)}
        order = frame["severity"].map(lambda level: rank.get(level, len(rank)))
        frame = frame.assign(_rank=order).sort_values(["_rank", "rule", "url"], kind="stable")
        frame = frame.drop(columns="_rank").reset_index(drop=True)
    return frame[[name for name, _ in FINDINGS_SHEET]].rename(columns=dict(FINDINGS_SHEET))


def sorted_findings(findings: Table, size: int = BATCH_ROWS) -> Iterator[pd.DataFrame]:
    """The Findings sheet in slices: worst severity first, then by rule and URL (stable).

    A table on disk is sorted by Arrow, whose strings take a fraction of the
    memory of Python ones; each slice becomes a DataFrame only to be written.
    """
    if not isinstance(findings, ParquetTable) or not {"severity", "rule", "url"} <= set(
        findings.columns
    ):
        yield findings_view(findings if isinstance(findings, pd.DataFrame) else findings.read())
        return
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    data = pq.read_table(findings.path)
    severity = data["severity"].cast(pa.string())  # a table without rows stores nulls
    rank = pc.fill_null(pc.index_in(severity, value_set=pa.array(SEVERITIES)), 3)
    keys = pa.table({"rank": rank, "rule": data["rule"], "url": data["url"]})
    # Stable, missing values last, like pandas' sort_values(kind="stable").
    order = pc.sort_indices(
        keys, sort_keys=[(name, "ascending", "at_end") for name in keys.column_names]
    )
    for start in range(0, max(len(order), 1), size):
        part = data.take(order[start : start + size]).to_pandas()
        yield findings_view(part, ordered=True)


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
        # Most cells hold text: one type test for them (sheets run to millions of cells).
        text = value if type(value) is str else self._non_text(row, col, value, fmt)
        if not text:
            return
        if url and self.links < MAX_LINKS_PER_SHEET and (target := link_target(text)):
            self.links += 1
            self.sheet.write_url(row, col, target, fmt or self.styles.url, string=target)
            return
        self.sheet.write_string(row, col, clip(neutralise(valid_text(text))), fmt)

    def _non_text(self, row: int, col: int, value: Any, fmt: Format | None) -> str | None:
        """Write a blank, boolean or number cell (None), or return the value's text."""
        if value is None or value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, bool | np.bool_):
            self.sheet.write_boolean(row, col, bool(value), fmt)
            return None
        if isinstance(value, numbers.Real):
            number = float(value)
            if math.isnan(number):
                return None
            if math.isfinite(number):
                self.sheet.write_number(row, col, number, fmt)
                return None
        return str(value)


def _data_sheet(
    sheet: Worksheet,
    styles: _Styles,
    parts: Iterable[pd.DataFrame],
    rows: int,
    *,
    note: str | None = None,
) -> None:
    """Header, ``rows`` rows from ``parts`` (slices with the same columns, at least one),
    widths, frozen header and autofilter; ``note`` goes in the last row."""
    head, parts = _peek(parts, WIDTH_SAMPLE)
    cells = _Cells(sheet, styles)
    sources = [_source_name(name) for name in head.columns]
    coloured = [name in {"severity", "change"} for name in sources]
    urls = [name in URL_COLUMNS for name in sources]
    wrapped = [col for col, name in enumerate(sources) if name in WRAP_COLUMNS]
    # None lets a URL cell take the link style (or the column's style when it stays text).
    plain = [
        styles.wrap if col in wrapped else None if urls[col] else styles.top
        for col in range(len(sources))
    ]
    for col, name in enumerate(head.columns):
        cells.write(0, col, name, styles.header)
        width = MAX_WIDTH if col in wrapped else column_width(name, head[name])
        sheet.set_column(col, col, width, styles.wrap if col in wrapped else styles.top)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, max(rows, 1), max(len(sources) - 1, 0))
    done = 0
    for part in parts:
        if done and done % RELEASE_ROWS < len(part):
            # The hyperlinks the sheet keeps until the workbook closes are made between
            # the rows' short-lived objects and would pin the memory those leave free.
            release_memory(rows)
        for index, values in enumerate(part.itertuples(index=False, name=None), start=done + 1):
            if wrapped:
                # LibreOffice does not grow rows for wrapped text on its own (Excel does).
                fit_row(sheet, index, [values[col] for col in wrapped], MAX_WIDTH)
            for col, value in enumerate(values):
                fill = styles.fills.get(value) if coloured[col] and isinstance(value, str) else None
                cells.write(index, col, value, fill or plain[col], url=urls[col])
        done += len(part)
    release_memory(done)  # after a long sheet, the next one (or closing) starts lean
    if note:
        cells.write(rows + 1, 0, note, styles.caption)


def _peek(parts: Iterable[pd.DataFrame], rows: int) -> tuple[pd.DataFrame, Iterator[pd.DataFrame]]:
    """The first ``rows`` rows of ``parts`` (for column widths), and all the parts again."""
    iterator = iter(parts)
    taken = [next(iterator)]
    while sum(len(part) for part in taken) < rows and (part := next(iterator, None)) is not None:
        taken.append(part)
    head = taken[0] if len(taken) == 1 else pd.concat(taken, ignore_index=True)
    return head.head(rows), itertools.chain(taken, iterator)


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
