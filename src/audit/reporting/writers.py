"""The long tables of a run (pages, links, findings, structured data), written in chunks.

Each table goes to CSV (neutralised) and Parquet a chunk of rows at a time,
straight from the crawl's records: the csv module writes the rows and each
column becomes one Arrow array. No DataFrame is built: for 10,000 pages a
DataFrame of Python objects, its neutralised copy and pandas' Arrow-backed
text columns come to ~100 MB of short-lived objects, which fragment the heap
so that the process never gives the memory back.

The files are the ones pandas would write for the whole table: the same CSV
text (pandas writes through the same csv module, with these settings), the
same Parquet types and the same pandas metadata, so ``pd.read_parquet`` gives
the same dtypes (integers with gaps come back as Int64).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from audit.models import Finding, Hop, StructuredRow
from audit.reporting.tables import finding_id, neutralise, write_table

if TYPE_CHECKING:
    import pyarrow as pa

    from audit.site import LinkStore, Site

PAGE_COLUMNS = (
    "url",
    "final_url",
    "status",
    "content_type",
    "depth",
    "inlinks",
    "found_on",
    "source",
    "in_sitemap",
    "redirect_hops",
    "redirect_chain",
    "fetch_ms",
    "bytes",
    "encoding",
    "truncated",
    "outlinks",
    "title",
    "meta_description",
    "h1",
    "words",
    "indexable",
    "canonical",
    "error",
    "error_kind",
)
PAGE_KINDS = {
    "status": "Int64",
    "depth": "Int64",
    "inlinks": "int",
    "in_sitemap": "bool",
    "redirect_hops": "int",
    "fetch_ms": "float",
    "bytes": "int",
    "truncated": "bool",
    "outlinks": "int",
    "words": "Int64",
    "indexable": "boolean",
}
"""What each column holds besides text (see :data:`KINDS`)."""
LINK_COLUMNS = ("source", "target", "anchor", "rel", "nofollow", "target_status")
FINDING_COLUMNS = (
    "id",
    "url",
    "rule",
    "code",
    "severity",
    "category",
    "message",
    "evidence",
    "selector",
    "fix",
)
STRUCTURED_COLUMNS = (
    "url",
    "syntax",
    "type",
    "id",
    "location",
    "properties",
    "status",
    "findings",
)
LINK_KINDS = {"nofollow": "bool", "target_status": "Int64"}
STRUCTURED_KINDS = {"properties": "int", "findings": "int"}
KINDS = {
    "text": ("large_string", "object", "str"),
    "int": ("int64", "int64", "int64"),
    "Int64": ("int64", "int64", "Int64"),  # integers with gaps
    "float": ("float64", "float64", "float64"),
    "bool": ("bool_", "bool", "bool"),
    "boolean": ("bool_", "bool", "object"),  # booleans with gaps
}
"""Per kind of column: its Arrow type, and its ``pandas_type`` and ``numpy_type`` in the
pandas metadata of the Parquet file, as pandas writes them for such a column."""
CHUNK_ROWS = 20_000
PAGE_CHUNK_ROWS = 10_000
"""Pages carry 24 columns: a smaller chunk keeps one chunk of rows at ~10 MB."""


def format_chain(chain: tuple[Hop, ...]) -> str:
    """``301 http://a/ -> http://b/ | 302 http://b/ -> http://c/``"""
    return " | ".join(f"{hop.status} {hop.url} -> {hop.location}" for hop in chain)


def page_rows(site: Site) -> Iterator[tuple[object, ...]]:
    """One row per URL fetched or attempted, in crawl order and :data:`PAGE_COLUMNS` order."""
    inlinks = site.inlinks
    for page in site.pages:
        facts = site.facts.get(page.url) if page.is_html else None
        yield (
            page.url,
            page.final_url,
            page.status,
            page.content_type,
            page.depth,
            inlinks.get(page.url, 0),
            page.found_on,
            page.source,
            page.in_sitemap,
            len(page.redirect_chain),
            format_chain(page.redirect_chain),
            page.fetch_ms,
            page.bytes,
            page.encoding,
            page.truncated,
            page.outlinks,
            page.title,
            facts.meta_description if facts else None,
            facts.h1 if facts else None,
            facts.words if facts else None,
            facts.indexable if facts else None,
            facts.canonical if facts else None,
            page.error,
            page.error_kind,
        )


def write_pages(site: Site, run_dir: Path) -> int:
    """pages.csv and pages.parquet, in chunks; returns the number of rows written."""
    if not site.pages:  # the header only, typed as pandas types an empty table
        integers = dict.fromkeys(("status", "depth", "words"), "Int64")
        empty = pd.DataFrame({name: [] for name in PAGE_COLUMNS}).astype(integers)
        write_table(empty, run_dir, "pages")
        return 0
    rows = page_rows(site)
    return write_chunked(run_dir, "pages", PAGE_COLUMNS, rows, PAGE_KINDS, PAGE_CHUNK_ROWS)


def write_links(site: Site, run_dir: Path) -> int:
    """links.csv and links.parquet, in chunks; returns the number of links written."""
    by_url = site.by_url  # already built for the site rules: no second URL index

    def status(url: str) -> int | None:
        return row.status if (row := by_url.get(url)) else None

    return write_link_rows(site.links, status, run_dir)


def write_link_rows(links: LinkStore, status: Callable[[str], int | None], run_dir: Path) -> int:
    """The links table from ``links``, each with the ``status`` its target answered."""
    rows = (
        (row.source, row.target, row.anchor, row.rel, row.nofollow, status(row.target))
        for row in links.rows()
    )
    return write_chunked(run_dir, "links", LINK_COLUMNS, rows, LINK_KINDS)


def write_findings(run_dir: Path, findings: Iterable[Finding]) -> int:
    """findings.csv and findings.parquet, in chunks, each row with its stable id."""
    rows = (
        (
            finding_id(finding.rule, finding.url, finding.selector, finding.evidence),
            finding.url,
            finding.rule,
            finding.code,
            finding.severity.value,
            finding.category,
            finding.message,
            finding.evidence,
            finding.selector,
            finding.fix,
        )
        for finding in findings
    )
    return write_chunked(run_dir, "findings", FINDING_COLUMNS, rows)


def write_structured(run_dir: Path, rows: Iterable[StructuredRow]) -> int:
    """structured_data.csv and .parquet, in chunks (a large site has millions of nodes)."""
    values = (row.values() for row in rows)
    return write_chunked(run_dir, "structured_data", STRUCTURED_COLUMNS, values, STRUCTURED_KINDS)


def write_chunked(
    run_dir: Path,
    name: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    kinds: Mapping[str, str] | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> int:
    """``name``.csv (neutralised) and ``name``.parquet from rows, ``chunk_rows`` at a time.

    ``kinds`` maps columns to a key of :data:`KINDS` (the others hold text).
    Memory stays at one chunk whatever the number of rows. A text or boolean
    column without a single value is stored as ``null``, as pandas stores it.
    Both files are written to temporary names and renamed when complete.
    Returns the row count.
    """
    import pyarrow.parquet as pq

    kind = [(kinds or {}).get(column, "text") for column in columns]
    schema = table_schema(columns, kind)
    texts = [index for index, found in enumerate(kind) if found == "text"]
    floats = [index for index, found in enumerate(kind) if found == "float"]
    empty = {index for index, found in enumerate(kind) if found in ("text", "boolean")}
    csv_path, parquet_path = run_dir / f"{name}.csv", run_dir / f"{name}.parquet"
    csv_tmp = csv_path.with_name(f".{csv_path.name}.tmp")
    parquet_tmp = parquet_path.with_name(f".{parquet_path.name}.tmp")
    written = 0
    writer: pq.ParquetWriter | None = None
    try:
        with csv_tmp.open("w", encoding="utf-8", newline="") as handle:
            # pandas' to_csv settings: minimal quoting, "\n" line ends.
            lines = csv.writer(handle, lineterminator="\n")
            lines.writerow(columns)
            for chunk in _chunks(rows, chunk_rows):
                values = [list(column) for column in zip(*chunk, strict=True)]
                for index in floats:  # pandas writes a float column's 2 as 2.0
                    values[index] = [None if v is None else float(v) for v in values[index]]
                empty -= {index for index in empty if any(v is not None for v in values[index])}
                shown = list(values)
                for index in texts:
                    shown[index] = [neutralise(value) for value in values[index]]
                lines.writerows(zip(*shown, strict=True))
                del shown
                if writer is None:
                    writer = pq.ParquetWriter(parquet_tmp, schema)
                writer.write_table(_arrow_table(values, schema))
                written += len(chunk)
        if writer is None:  # no rows: the header-only tables
            write_table(pd.DataFrame(columns=list(columns)), run_dir, name)
            return 0
        writer.close()
        if empty:
            _store_as_null(parquet_tmp, {columns[index] for index in empty})
        csv_tmp.replace(csv_path)
        parquet_tmp.replace(parquet_path)
    finally:
        if writer is not None:
            writer.close()
        csv_tmp.unlink(missing_ok=True)
        parquet_tmp.unlink(missing_ok=True)
    return written


def table_schema(columns: Sequence[str], kinds: Sequence[str]) -> pa.Schema:
    """The Arrow schema of a table, with the pandas metadata pandas would write for it."""
    import pyarrow as pa

    fields, described = [], []
    for column, kind in zip(columns, kinds, strict=True):
        arrow, pandas_type, numpy_type = KINDS[kind]
        fields.append(pa.field(column, getattr(pa, arrow)()))
        described.append(
            {
                "name": column,
                "field_name": column,
                "pandas_type": pandas_type,
                "numpy_type": numpy_type,
                "metadata": None,
            }
        )
    pandas_meta = {
        "index_columns": [],
        "column_indexes": [],
        "columns": described,
        "attributes": {},
        "creator": {"library": "pyarrow", "version": pa.__version__},
        "pandas_version": pd.__version__,
    }
    return pa.schema(fields, metadata={b"pandas": json.dumps(pandas_meta).encode()})


def _arrow_table(columns: list[list[object]], schema: pa.Schema) -> pa.Table:
    import pyarrow as pa

    arrays = [
        pa.array(values, type=field.type) for values, field in zip(columns, schema, strict=True)
    ]
    return pa.Table.from_arrays(arrays, schema=schema)


def _store_as_null(path: Path, columns: set[str]) -> None:
    """Rewrite a Parquet file with ``columns`` (no values at all) typed ``null``.

    pandas stores an all-missing object column as ``null`` and reads it back as
    objects; a string column would come back as ``str`` with NaN instead. One
    row group at a time, so memory stays at one chunk.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    temporary = path.with_name(path.name + ".null")
    try:
        with pq.ParquetFile(path) as source:
            old = source.schema_arrow
            fields = [pa.field(f.name, pa.null()) if f.name in columns else f for f in old]
            pandas_meta = json.loads(old.metadata[b"pandas"])
            for column in pandas_meta["columns"]:
                if column["name"] in columns:
                    column.update(pandas_type="empty", numpy_type="object")
            meta = {b"pandas": json.dumps(pandas_meta).encode()}
            schema = pa.schema(fields, metadata=meta)
            with pq.ParquetWriter(temporary, schema) as writer:
                for group in range(source.num_row_groups):
                    part = source.read_row_group(group, use_threads=False)
                    arrays = [
                        pa.nulls(part.num_rows) if f.name in columns else part.column(f.name)
                        for f in old
                    ]
                    writer.write_table(pa.Table.from_arrays(arrays, schema=schema))
        temporary.replace(path)
    finally:
        temporary.unlink(missing_ok=True)


def _chunks(rows: Iterable[Sequence[object]], size: int) -> Iterator[list[Sequence[object]]]:
    chunk: list[Sequence[object]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
