"""The run's tables on disk (CSV and Parquet) and back: one place for both directions.

CSV is for people and spreadsheets, so every text cell that a spreadsheet
program would read as a formula (one starting with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return) is prefixed with an apostrophe, the OWASP advice
for CSV injection. Parquet keeps the exact values for scripts (it is never
evaluated). Both are written to a temporary name and renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import pandas as pd

if TYPE_CHECKING:
    from audit.reporting.stats import FindingStats

TABLES = ("summary", "findings", "pages", "structured_data", "links")
REPORT_ROWS = 5_000
"""Rows of the long tables (structured data, links) that the reports show; all are in the files."""
BATCH_ROWS = 5_000
"""Rows per slice when a report streams a table (pages, findings, diff) from its Parquet file."""
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_ORIGIN = re.compile(r"https?://[^/\s\"'<>]+")


def neutralise(value: Any) -> Any:
    """Make a text cell inert in spreadsheet programs (numbers and booleans pass unchanged)."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell neutralised."""
    text_columns = [
        name
        for name in frame.columns
        if pd.api.types.is_object_dtype(frame[name]) or pd.api.types.is_string_dtype(frame[name])
    ]
    if not text_columns:
        return frame
    safe = frame.copy()
    for name in text_columns:
        safe[name] = safe[name].map(neutralise)
    return safe


def write_table(frame: pd.DataFrame, run_dir: Path, name: str, *, csv: bool = True) -> None:
    """Write ``name``.csv (neutralised) and ``name``.parquet into ``run_dir`` atomically."""
    if csv:
        target = run_dir / f"{name}.csv"
        temporary = target.with_name(f".{target.name}.tmp")
        neutralised(frame).to_csv(temporary, index=False, encoding="utf-8", lineterminator="\n")
        temporary.replace(target)
    target = run_dir / f"{name}.parquet"
    temporary = target.with_name(f".{target.name}.tmp")
    frame.to_parquet(temporary, index=False)
    temporary.replace(target)


def write_text(path: Path, text: str) -> None:
    """Write a text file atomically."""
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def finding_id(rule: str, url: str, selector: str, evidence: str) -> str:
    """A stable id: the rule, the URL without its origin, and a digest of where and what.

    The origin is left out so a site served on another host or port (a staging
    copy, the demo's random port) keeps its ids from run to run.
    """
    parts = urlsplit(url)
    location = parts.path + (f"?{parts.query}" if parts.query else "") if parts.scheme else url
    where = _ORIGIN.sub("", f"{selector}\0{evidence}")  # evidence may quote absolute URLs
    digest = hashlib.blake2b(where.encode(), digest_size=6).hexdigest()
    return f"{rule}:{location}:{digest}"


class ParquetTable:
    """A run table left on disk: the reports read it in slices, never whole.

    Where a 100,000-page run's pages table is ~160 MB as a DataFrame of Python
    objects, a slice of :data:`BATCH_ROWS` rows is a few MB.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def num_rows(self) -> int:
        """Rows in the table (from the Parquet metadata)."""
        import pyarrow.parquet as pq

        return int(pq.ParquetFile(self.path).metadata.num_rows)

    @property
    def columns(self) -> list[str]:
        """Column names, in order."""
        import pyarrow.parquet as pq

        return list(pq.ParquetFile(self.path).schema_arrow.names)

    def read(self) -> pd.DataFrame:
        """The whole table (for small tables only)."""
        return pd.read_parquet(self.path)

    def batches(
        self, size: int | None = None, columns: Sequence[str] | None = None
    ) -> Iterator[pd.DataFrame]:
        """The rows in order, ``size`` at a time, as DataFrames (the dtypes ``read_table`` gives).

        A table without rows gives one empty frame, as :func:`frames` does for a DataFrame.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        source = pq.ParquetFile(self.path)
        available = source.schema_arrow.names
        wanted = None if columns is None else [n for n in dict.fromkeys(columns) if n in available]
        empty = True
        for batch in source.iter_batches(batch_size=size or BATCH_ROWS, columns=wanted):
            empty = False
            yield pa.Table.from_batches([batch]).to_pandas()
        if empty:  # like a frame without rows: the columns, for the headers
            schema = source.schema_arrow
            if wanted is not None:
                schema = pa.schema([schema.field(name) for name in wanted], schema.metadata)
            yield schema.empty_table().to_pandas()


Table = pd.DataFrame | ParquetTable
"""A run table as the reports take it: in memory (tests, small runs) or on disk."""


def frames(
    table: Table, size: int | None = None, columns: Sequence[str] | None = None
) -> Iterator[pd.DataFrame]:
    """``table``'s rows in order, ``size`` (:data:`BATCH_ROWS`) at a time.

    Only the ``columns`` the table has, when given; a table without rows gives
    one empty frame (its columns).
    """
    if isinstance(table, ParquetTable):
        yield from table.batches(size, columns)
        return
    size = size or BATCH_ROWS
    frame = table if columns is None else table[[n for n in dict.fromkeys(columns) if n in table]]
    for start in range(0, max(len(frame), 1), size):
        yield frame.iloc[start : start + size]


def row_count(table: Table) -> int:
    """Rows in ``table``."""
    return table.num_rows if isinstance(table, ParquetTable) else len(table)


def column_names(table: Table) -> list[str]:
    """``table``'s column names."""
    return table.columns if isinstance(table, ParquetTable) else [str(n) for n in table.columns]


def plain_value(value: Any, default: Any) -> Any:
    """A cell as a plain Python value for JSON and counting (missing values become ``default``)."""
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


@dataclass
class RunTables:
    """A run folder's tables: findings, pages and diff in memory or on disk (Parquet).

    :meth:`load` reads them into memory (``audit report``); ``write_run`` hands
    the reports :class:`ParquetTable` views of the files it just wrote, plus the
    finding counts it already made, so the reports never hold a whole large table.
    """

    run_dir: Path
    meta: dict[str, Any]
    summary: pd.DataFrame
    findings: Table
    pages: Table
    structured: pd.DataFrame
    diff: Table | None = None
    known_stats: FindingStats | None = field(default=None, repr=False)

    @property
    def stats(self) -> FindingStats:
        """The findings' counts (by severity, category, rule and URL), made in one pass."""
        if self.known_stats is None:
            from audit.reporting.stats import finding_stats

            self.known_stats = finding_stats(self.findings)
        return self.known_stats

    @classmethod
    def load(cls, run_dir: Path) -> RunTables:
        """Read a run folder written by this version (Parquet) or an older one (CSV)."""
        meta_path = run_dir / "run.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        diff_path = run_dir / "diff.parquet"
        return cls(
            run_dir=run_dir,
            meta=meta,
            summary=read_table(run_dir, "summary"),
            findings=read_table(run_dir, "findings"),
            pages=read_table(run_dir, "pages"),
            structured=head_table(run_dir, "structured_data", REPORT_ROWS),
            diff=pd.read_parquet(diff_path) if diff_path.exists() else None,
        )

    def links(self, limit: int | None = None) -> pd.DataFrame:
        """The links table (possibly millions of rows: pass ``limit`` to read only the start)."""
        if limit is None:
            return read_table(self.run_dir, "links")
        return head_table(self.run_dir, "links", limit)


def head_table(run_dir: Path, name: str, limit: int) -> pd.DataFrame:
    """The first ``limit`` rows of a table, reading no more of the Parquet file than needed."""
    parquet = run_dir / f"{name}.parquet"
    if not parquet.exists():
        return read_table(run_dir, name).head(limit)
    import pyarrow as pa
    import pyarrow.parquet as pq

    batches = []
    rows = 0
    for batch in pq.ParquetFile(parquet).iter_batches(batch_size=min(limit, 65_536)):
        batches.append(batch)
        rows += batch.num_rows
        if rows >= limit:
            break
    if not batches:
        return read_table(run_dir, name).head(0)
    return pa.Table.from_batches(batches).to_pandas().head(limit)


def table_rows(run_dir: Path, name: str) -> int | None:
    """A table's row count from its Parquet metadata (None when there is no Parquet file)."""
    parquet = run_dir / f"{name}.parquet"
    if not parquet.exists():
        return None
    import pyarrow.parquet as pq

    return pq.ParquetFile(parquet).metadata.num_rows


def read_table(run_dir: Path, name: str, columns: Sequence[str] | None = None) -> pd.DataFrame:
    """A table by name: Parquet when present, else CSV, else an empty frame.

    ``columns``: read only these (those the table has), not the whole table.
    """
    parquet = run_dir / f"{name}.parquet"
    if parquet.exists():
        if columns is None:
            return pd.read_parquet(parquet)
        present = set(ParquetTable(parquet).columns)
        return pd.read_parquet(parquet, columns=[name for name in columns if name in present])
    csv = run_dir / f"{name}.csv"
    if csv.exists():
        wanted = None if columns is None else set(columns)
        return pd.read_csv(
            csv,
            keep_default_na=False,
            usecols=None if wanted is None else lambda column: column in wanted,
        )
    return pd.DataFrame()
