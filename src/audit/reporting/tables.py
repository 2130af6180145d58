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
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pandas as pd

TABLES = ("summary", "findings", "pages", "structured_data", "links")
REPORT_ROWS = 5_000
"""Rows of the long tables (structured data, links) that the reports show; all are in the files."""
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


@dataclass
class RunTables:
    """A run folder's tables, loaded from Parquet (the links table on demand)."""

    run_dir: Path
    meta: dict[str, Any]
    summary: pd.DataFrame
    findings: pd.DataFrame
    pages: pd.DataFrame
    structured: pd.DataFrame
    diff: pd.DataFrame | None = None

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


def read_table(run_dir: Path, name: str) -> pd.DataFrame:
    """A table by name: Parquet when present, else CSV, else an empty frame."""
    parquet = run_dir / f"{name}.parquet"
    if parquet.exists():
        return pd.read_parquet(parquet)
    csv = run_dir / f"{name}.csv"
    if csv.exists():
        return pd.read_csv(csv, keep_default_na=False)
    return pd.DataFrame()
