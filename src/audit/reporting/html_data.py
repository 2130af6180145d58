"""The data block of report.html: the rows its script renders, written as JSON piece by piece.

Findings, the pages shown and the new and resolved changes travel as arrays
inside ``<script type="application/json">``. Serialised as one string (then
escaped, then placed in the page) they would take several times the file's
size in memory; here each row is serialised and escaped on its own and the
pieces go straight to the file. ``<``, ``>``, ``&``, U+2028 and U+2029 are
written as ``\\uXXXX`` escapes, so no value can close the element.
"""

from __future__ import annotations

import functools
import itertools
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

import pandas as pd

from audit.reporting.diff import DIFF_COLUMNS
from audit.reporting.tables import frames, plain_value
from audit.reporting.writers import FINDING_COLUMNS, PAGE_COLUMNS

if TYPE_CHECKING:
    from audit.reporting.tables import RunTables

PageSlices = Callable[[Sequence[str] | None], Iterable[pd.DataFrame]]
"""Reads the pages the report shows in slices (of some columns only, when given)."""

FINDING_FIELDS = FINDING_COLUMNS[1:]  # all but the id, which only the diff needs
DIFF_FIELDS = tuple(name for name in DIFF_COLUMNS if name != "id")
ROWS_PER_PIECE = 500
"""Rows serialised (and escaped) together: one at a time costs a call each, all at once
the whole text in memory."""
_JSON_ESCAPES = {char: f"\\u{ord(char):04x}" for char in "<>&\u2028\u2029"}


def script_json(value: Any) -> str:
    """JSON that is inert inside a ``<script>`` element (no ``</script>``, no ``<!--``)."""
    return _inert(json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False))


def _inert(text: str) -> str:
    return re.sub("[<>&\u2028\u2029]", lambda match: _JSON_ESCAPES[match.group()], text)


def json_pieces(payload: dict[str, Any]) -> Iterator[str]:
    """``script_json(payload)`` in pieces (the same text once joined).

    An iterator value is written :data:`ROWS_PER_PIECE` rows at a time; a
    callable one is called when its turn comes (the URL and fix lists, filled
    as the rows go).
    """
    yield "{"
    for index, (key, value) in enumerate(payload.items()):
        yield ("," if index else "") + script_json(key) + ":"
        if isinstance(value, Iterator):
            yield "["
            for number, rows in enumerate(_groups(value, ROWS_PER_PIECE)):
                yield ("," if number else "") + script_json(rows)[1:-1]  # without [ ]
            yield "]"
        else:
            yield script_json(value() if callable(value) else value)
    yield "}"


def _groups(rows: Iterator[Any], size: int) -> Iterator[list[Any]]:
    while group := list(itertools.islice(rows, size)):
        yield group


def payload_stream(tables: RunTables, shown_pages: PageSlices) -> dict[str, Any]:
    """The data block: findings, the pages shown and new/resolved changes as rows of arrays.

    URLs and fix texts repeat a lot, so rows refer to them by index in ``urls``
    and ``fixes``. The rows are iterators that read the tables slice by slice;
    ``urls`` and ``fixes`` are callables, to be called once the rows are consumed.
    """
    diff = tables.diff

    def parts(name: str, columns: Sequence[str] | None = None) -> Iterable[pd.DataFrame]:
        if name == "pages":
            return shown_pages(columns)
        table = tables.findings if name == "findings" else diff
        return frames(table, columns=columns) if table is not None else ()

    # Both indexes come first, in the order the rows meet their values: built in one
    # go, their strings sit together instead of pinning memory the rows' objects free.
    urls = _index(
        str(url)
        for name, default in (("findings", ""), ("pages", None), ("diff", ""))
        for part in parts(name, ("url",))
        for url in column_values(part, "url", default)
    )
    fixes = _index(
        fix for part in parts("findings", ("fix",)) for fix in column_values(part, "fix")
    )

    def rows(name: str, fields: tuple[str, ...], default: Any = "") -> Iterator[list[Any]]:
        at = fields.index("url")
        for part in parts(name):
            columns = (column_values(part, field, default) for field in fields)
            for row in map(list, zip(*columns, strict=True)):
                row[at] = urls[str(row[at])]
                yield row

    return {
        "findingFields": FINDING_FIELDS,
        "pageFields": PAGE_COLUMNS,
        "diffFields": DIFF_FIELDS,
        "hasDiff": diff is not None,
        "findings": ([*row[:-1], fixes[row[-1]]] for row in rows("findings", FINDING_FIELDS)),
        "pages": rows("pages", PAGE_COLUMNS, None),
        "diff": (row for row in rows("diff", DIFF_FIELDS) if row[0] in ("new", "resolved")),
        "urls": functools.partial(list, urls),
        "fixes": functools.partial(list, fixes),
    }


def _index(values: Iterable[Any]) -> dict[Any, int]:
    """Each distinct value and its position among the distinct values, in order."""
    index: dict[Any, int] = {}
    for value in values:
        index.setdefault(value, len(index))
    return index


def column_values(frame: pd.DataFrame, name: str, default: Any = "") -> list[Any]:
    """A column as plain Python values (missing values become ``default``)."""
    if name not in frame:
        return [default] * len(frame)
    return [plain_value(value, default) for value in frame[name].tolist()]
