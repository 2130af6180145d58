"""What a cell of report.xlsx may hold and how big it is drawn.

Which values become hyperlinks (:func:`link_target`), text clipped to Excel's
cell limit and freed of lone surrogates, column widths and row heights from
the content (East Asian wide characters count double).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

import pandas as pd
from xlsxwriter.worksheet import Worksheet

MAX_URL_LENGTH = 2_079
"""Excel ignores longer hyperlinks."""
MAX_CELL_CHARS = 32_767
MAX_WIDTH = 60
MIN_WIDTH = 8
LINE_HEIGHT = 15
MAX_ROW_LINES = 12
WIDTH_SAMPLE = 2_000
"""Rows of a column read to choose its width."""
_URL = re.compile(r"https?://[^\s\"<>\\^`{|}\x00-\x1f\x7f]+", re.IGNORECASE)


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


def fit_row(sheet: Worksheet, row: int, texts: Iterable[Any], width: int) -> None:
    """Give a row with wrapped text the height of its longest cell, up to ``MAX_ROW_LINES``."""
    lines = 1
    for text in texts:
        if isinstance(text, str) and len(text) > width:
            sample = text[: width * MAX_ROW_LINES * 2]
            count = sum(
                max(1, math.ceil(display_width(part) / width)) for part in sample.split("\n")
            )
            lines = max(lines, count)
        elif isinstance(text, str):
            lines = max(lines, text.count("\n") + 1)
    if lines > 1:
        sheet.set_row(row, LINE_HEIGHT * min(lines, MAX_ROW_LINES))


def column_width(header: str, series: pd.Series) -> float:
    """Column width from the header and a sample of the content, in Excel character units."""
    widest = display_width(header) + 3  # room for the autofilter button
    for value in series.head(WIDTH_SAMPLE):
        if isinstance(value, str):
            widest = max(widest, display_width(value.split("\n", 1)[0][:MAX_WIDTH]))
        elif value is not None and value is not pd.NA:
            widest = max(widest, len(str(value)))
        if widest >= MAX_WIDTH:
            return MAX_WIDTH
    return max(MIN_WIDTH, widest + 1)


def display_width(text: str) -> int:
    """Columns ``text`` takes: East Asian wide and full-width characters count 2."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def clip(text: str) -> str:
    """``text`` cut to fit one cell, saying so."""
    if len(text) <= MAX_CELL_CHARS:
        return text
    return text[: MAX_CELL_CHARS - 20] + " … [clipped]"


def valid_text(text: str) -> str:
    """Drop lone surrogates, which cannot be written as XML (UTF-8)."""
    if text.isascii():  # most cells; no copy made to find out
        return text
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")
    return text
