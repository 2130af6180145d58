"""The run folder: ``<out>/<site>/<UTC timestamp>/`` with every table and both reports.

Tables: summary, findings, pages, structured_data, links (CSV and Parquet),
diff (against the previous run of the site), run.json, report.xlsx and
report.html. Each file is written to a temporary name and renamed into
place, so a crash never leaves a half-written file that looks complete.
"""

from __future__ import annotations

import json
import platform
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from audit.config import AuditConfig
from audit.models import Finding, Hop, StructuredRow
from audit.reporting.diff import RUN_NAME, diff_counts, diff_findings, previous_run
from audit.reporting.tables import (
    REPORT_ROWS,
    RunTables,
    finding_id,
    head_table,
    neutralised,
    read_table,
    write_table,
    write_text,
)

if TYPE_CHECKING:
    from audit.site import Site

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
LINK_COLUMNS = ("source", "target", "anchor", "rel", "nofollow", "target_status")
_CHUNK = 50_000
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
_VERSIONED = ("site-audit", "httpx", "selectolax", "extruct", "pandas", "protego", "pydantic")


def create_run_dir(out_dir: Path, site: str, started_at: datetime) -> Path:
    """Create and return a new, empty run folder; never reuses an existing one."""
    stamp = started_at.strftime("%Y%m%dT%H%M%SZ")
    site_dir = out_dir / site
    site_dir.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, 1000):
        run_dir = site_dir / (stamp if attempt == 1 else f"{stamp}-{attempt}")
        try:
            run_dir.mkdir()
        except FileExistsError:
            continue
        return run_dir
    raise FileExistsError(f"{site_dir}: too many runs started at {stamp}")


def format_chain(chain: tuple[Hop, ...]) -> str:
    """``301 http://a/ -> http://b/ | 302 http://b/ -> http://c/``"""
    return " | ".join(f"{hop.status} {hop.url} -> {hop.location}" for hop in chain)


def pages_frame(site: Site) -> pd.DataFrame:
    """One row per URL fetched or attempted, in the documented column order.

    Built column by column: a list of 100,000 row dicts would hold a copy of
    every key per row (hundreds of MB) where columns share the values.
    """
    inlinks = site.inlinks
    columns: dict[str, list[Any]] = {name: [] for name in PAGE_COLUMNS}
    add = {name: column.append for name, column in columns.items()}
    for page in site.pages:
        facts = site.facts.get(page.url) if page.is_html else None
        add["url"](page.url)
        add["final_url"](page.final_url)
        add["status"](page.status)
        add["content_type"](page.content_type)
        add["depth"](page.depth)
        add["inlinks"](inlinks.get(page.url, 0))
        add["found_on"](page.found_on)
        add["source"](page.source)
        add["in_sitemap"](page.in_sitemap)
        add["redirect_hops"](len(page.redirect_chain))
        add["redirect_chain"](format_chain(page.redirect_chain))
        add["fetch_ms"](page.fetch_ms)
        add["bytes"](page.bytes)
        add["encoding"](page.encoding)
        add["truncated"](page.truncated)
        add["outlinks"](page.outlinks)
        add["title"](page.title)
        add["meta_description"](facts.meta_description if facts else None)
        add["h1"](facts.h1 if facts else None)
        add["words"](facts.words if facts else None)
        add["indexable"](facts.indexable if facts else None)
        add["canonical"](facts.canonical if facts else None)
        add["error"](page.error)
        add["error_kind"](page.error_kind)
    frame = pd.DataFrame(columns)
    return frame.astype({"status": "Int64", "depth": "Int64", "words": "Int64"})


def write_links(site: Site, run_dir: Path) -> int:
    """links.csv and links.parquet, in chunks; returns the number of links written."""
    status = {page.url: page.status for page in site.pages}
    rows = (
        (row.source, row.target, row.anchor, row.rel, row.nofollow, status.get(row.target))
        for row in site.links.rows()
    )
    return write_chunked(run_dir, "links", LINK_COLUMNS, rows, {"target_status": "Int64"})


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
    return write_chunked(run_dir, "structured_data", STRUCTURED_COLUMNS, values)


def write_chunked(
    run_dir: Path,
    name: str,
    columns: tuple[str, ...],
    rows: Iterable[tuple[object, ...]],
    dtypes: dict[str, str] | None = None,
) -> int:
    """``name``.csv (neutralised) and ``name``.parquet from rows, ``_CHUNK`` rows at a time.

    Memory stays at one chunk whatever the number of rows. Both files are
    written to temporary names and renamed when complete. Returns the row count.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    csv_path, parquet_path = run_dir / f"{name}.csv", run_dir / f"{name}.parquet"
    csv_tmp = csv_path.with_name(f".{csv_path.name}.tmp")
    parquet_tmp = parquet_path.with_name(f".{parquet_path.name}.tmp")
    written = 0
    writer: pq.ParquetWriter | None = None
    try:
        for chunk in _chunks(rows, _CHUNK):
            frame = pd.DataFrame(chunk, columns=list(columns))
            if dtypes:
                frame = frame.astype(dtypes)
            neutralised(frame).to_csv(
                csv_tmp,
                index=False,
                header=written == 0,
                mode="w" if written == 0 else "a",
                encoding="utf-8",
                lineterminator="\n",
            )
            schema = writer.schema if writer is not None else None
            table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
            if writer is None:
                writer = pq.ParquetWriter(parquet_tmp, table.schema)
            writer.write_table(table)
            written += len(chunk)
        if writer is None:  # no rows: the header-only tables
            write_table(pd.DataFrame(columns=list(columns)), run_dir, name)
            return 0
        writer.close()
        csv_tmp.replace(csv_path)
        parquet_tmp.replace(parquet_path)
    finally:
        csv_tmp.unlink(missing_ok=True)
        parquet_tmp.unlink(missing_ok=True)
    return written


def _chunks(rows: Iterable[tuple[object, ...]], size: int) -> Iterator[list[tuple[object, ...]]]:
    chunk: list[tuple[object, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def summary_frame(
    meta: dict[str, Any], findings: pd.DataFrame, pages: pd.DataFrame, diff: pd.DataFrame | None
) -> pd.DataFrame:
    """The headline numbers as ``metric``/``value`` rows (the Summary sheet and the cards)."""
    severities = findings["severity"].value_counts() if not findings.empty else pd.Series()
    changes = diff_counts(diff)
    rows = [
        ("site", meta.get("site", "")),
        ("run", meta.get("run", "")),
        ("status", meta.get("status", "")),
        ("started_at", meta.get("started_at", "")),
        ("pages", len(pages)),
        ("html_pages", meta.get("counts", {}).get("html_pages", 0)),
        ("errors", int(severities.get("error", 0))),
        ("warnings", int(severities.get("warning", 0))),
        ("notices", int(severities.get("notice", 0))),
        ("health_score", health_score(findings, pages)),
        ("new", changes["new"]),
        ("resolved", changes["resolved"]),
        ("unchanged", changes["unchanged"]),
        ("previous_run", meta.get("previous_run") or ""),
    ]
    return pd.DataFrame(
        {"metric": [key for key, _ in rows], "value": [str(value) for _, value in rows]}
    )


def health_score(findings: pd.DataFrame, pages: pd.DataFrame) -> int:
    """0-100: the share of requested URLs free of problems.

    A URL with an error finding counts as 1 problem page, one with only warnings
    as 0.5; notices do not count. Score = 100 × (1 − problem pages / URLs
    requested), rounded. URLs blocked by robots.txt are not requested.
    """
    requested = pages[pages["status"].notna()] if "status" in pages else pages
    total = len(requested)
    if total == 0:
        return 100
    findings = (
        findings[findings["url"].isin(set(requested["url"]))] if not findings.empty else findings
    )
    if findings.empty:
        return 100
    worst = findings.groupby("url")["severity"].agg(set)
    errors = sum(1 for levels in worst if "error" in levels)
    warnings = sum(1 for levels in worst if "error" not in levels and "warning" in levels)
    return round(100 * max(0.0, 1 - (errors + 0.5 * warnings) / total))


@dataclass(frozen=True)
class WrittenRun:
    """What :func:`write_run` wrote: the numbers a scheduler acts on."""

    run_dir: Path
    severities: dict[str, int]
    new_by_severity: dict[str, int]
    changes: dict[str, int]
    previous_run: Path | None


def write_run(
    run_dir: Path,
    *,
    config: AuditConfig,
    site: Site,
    findings: Iterable[Finding],
    structured: Iterable[StructuredRow],
    meta: dict[str, Any],
) -> WrittenRun:
    """Write every table (CSV and Parquet), the diff, run.json, report.xlsx and report.html."""
    pages = pages_frame(site)
    write_table(pages, run_dir, "pages")
    write_links(site, run_dir)
    write_findings(run_dir, findings)
    finding_rows = read_table(run_dir, "findings")
    write_structured(run_dir, structured)
    before = previous_run(run_dir)
    diff = diff_findings(read_table(before, "findings"), finding_rows, pages) if before else None
    if diff is not None:
        write_table(diff, run_dir, "diff")
    meta = {**meta, "counts": {**meta.get("counts", {}), "findings": len(finding_rows)}}
    run_info = {
        **meta,
        "site": config.site_name,
        "run": run_dir.name,
        "previous_run": before.name if before else None,
        "diff": diff_counts(diff) if diff is not None else None,
        "versions": _versions(),
        "config": config.masked(),
    }
    write_text(run_dir / "run.json", json.dumps(run_info, indent=2, ensure_ascii=False) + "\n")
    summary = summary_frame(run_info, finding_rows, pages, diff)
    write_table(summary, run_dir, "summary")
    render_reports(
        RunTables(
            run_dir,
            run_info,
            summary,
            finding_rows,
            pages,
            head_table(run_dir, "structured_data", REPORT_ROWS),
            diff,
        )
    )
    new = diff[diff["change"] == "new"] if diff is not None else finding_rows
    return WrittenRun(
        run_dir=run_dir,
        severities=_counts(finding_rows),
        new_by_severity=_counts(new),
        changes=diff_counts(diff),
        previous_run=before,
    )


def update_latest(run_dir: Path) -> None:
    """Point ``<site>/latest`` at ``run_dir`` (a symlink; a text file where links fail)."""
    latest = run_dir.parent / "latest"
    temporary = run_dir.parent / ".latest.tmp"
    temporary.unlink(missing_ok=True)
    try:
        temporary.symlink_to(run_dir.name, target_is_directory=True)
    except OSError:
        temporary.write_text(run_dir.name + "\n", encoding="utf-8")
    if latest.is_dir() and not latest.is_symlink():
        return  # never replace a real folder someone made
    temporary.replace(latest)


def prune_runs(site_dir: Path, keep: int) -> list[Path]:
    """Delete all but the ``keep`` newest run folders of a site; return what was deleted."""
    runs = sorted(
        path for path in site_dir.iterdir() if path.is_dir() and RUN_NAME.match(path.name)
    )
    doomed = runs[: max(0, len(runs) - keep)]
    for path in doomed:
        shutil.rmtree(path, ignore_errors=True)
    return doomed


def render_reports(tables: RunTables) -> None:
    """report.xlsx and report.html from the tables (also used by ``audit report RUN``)."""
    from audit.reporting.html import write_html
    from audit.reporting.xlsx import write_xlsx

    write_xlsx(tables, tables.run_dir / "report.xlsx")
    write_html(tables, tables.run_dir / "report.html")


def _counts(frame: pd.DataFrame) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "notice": 0}
    if not frame.empty:
        counts.update(frame["severity"].value_counts().to_dict())
    return counts


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in _VERSIONED:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "unknown"
    return versions
