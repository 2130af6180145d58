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
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from audit.config import AuditConfig
from audit.models import Finding, StructuredRow
from audit.reporting.background import LinksTable
from audit.reporting.diff import DIFF_INPUT, RUN_NAME, diff_counts, diff_findings, previous_run
from audit.reporting.memory import release_memory
from audit.reporting.stats import finding_stats, health_of
from audit.reporting.tables import (
    REPORT_ROWS,
    ParquetTable,
    RunTables,
    Table,
    head_table,
    read_table,
    row_count,
    write_table,
    write_text,
)
from audit.reporting.writers import (
    FINDING_COLUMNS,
    LINK_COLUMNS,
    PAGE_COLUMNS,
    STRUCTURED_COLUMNS,
    format_chain,
    write_chunked,
    write_findings,
    write_pages,
    write_structured,
)

if TYPE_CHECKING:
    from audit.site import Site

__all__ = [
    "FINDING_COLUMNS",
    "LINK_COLUMNS",
    "PAGE_COLUMNS",
    "STRUCTURED_COLUMNS",
    "WrittenRun",
    "create_run_dir",
    "format_chain",
    "health_score",
    "prune_runs",
    "render_reports",
    "summary_frame",
    "update_latest",
    "write_chunked",
    "write_run",
]
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


def summary_frame(
    meta: dict[str, Any], findings: Table, pages: Table, diff: Table | None
) -> pd.DataFrame:
    """The headline numbers as ``metric``/``value`` rows (the Summary sheet and the cards)."""
    stats = finding_stats(findings)
    return summary_table(
        meta,
        severities=stats.severities,
        pages=row_count(pages),
        health=health_of(stats.worst, pages),
        changes=diff_counts(diff),
    )


def summary_table(
    meta: dict[str, Any],
    *,
    severities: Mapping[Any, int],
    pages: int,
    health: int,
    changes: Mapping[str, int],
) -> pd.DataFrame:
    """The summary table from numbers already counted (see :func:`summary_frame`)."""
    rows = [
        ("site", meta.get("site", "")),
        ("run", meta.get("run", "")),
        ("status", meta.get("status", "")),
        ("started_at", meta.get("started_at", "")),
        ("pages", pages),
        ("html_pages", meta.get("counts", {}).get("html_pages", 0)),
        ("errors", int(severities.get("error", 0))),
        ("warnings", int(severities.get("warning", 0))),
        ("notices", int(severities.get("notice", 0))),
        ("health_score", health),
        ("new", changes["new"]),
        ("resolved", changes["resolved"]),
        ("unchanged", changes["unchanged"]),
        ("previous_run", meta.get("previous_run") or ""),
    ]
    return pd.DataFrame(
        {"metric": [key for key, _ in rows], "value": [str(value) for _, value in rows]}
    )


def health_score(findings: Table, pages: Table) -> int:
    """0-100: the share of requested URLs free of problems.

    A URL with an error finding counts as 1 problem page, one with only warnings
    as 0.5; notices do not count. Score = 100 × (1 − problem pages / URLs
    requested), rounded. URLs blocked by robots.txt are not requested.
    """
    return health_of(finding_stats(findings).worst, pages)


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
    links: LinksTable | None = None,
) -> WrittenRun:
    """Write every table (CSV and Parquet), the diff, run.json, report.xlsx and report.html.

    The long tables are written in chunks and the reports read them back from
    Parquet in slices, with the findings counted in one pass: no step holds a
    whole table of a large site in memory, and each gives its memory back.
    ``links`` may have started writing the links table already (see
    :class:`~audit.reporting.background.LinksTable`).
    """
    urls = len(site.pages)
    write_pages(site, run_dir)
    release_memory(urls)
    write_findings(run_dir, findings)
    write_structured(run_dir, structured)
    release_memory(urls)
    # Last of the tables: a second process may have been writing it all along.
    (links or LinksTable(site, run_dir, background=False)).finish()
    site.forget_indexes()  # used by the pages and links tables only
    release_memory(urls)
    return _write_reports(run_dir, config, meta)


def _write_reports(run_dir: Path, config: AuditConfig, meta: dict[str, Any]) -> WrittenRun:
    """The diff, run.json, the summary and both reports, from the tables on disk."""
    pages = ParquetTable(run_dir / "pages.parquet")
    finding_rows = ParquetTable(run_dir / "findings.parquet")
    stats = finding_stats(finding_rows)
    before = previous_run(run_dir)
    changes = diff_counts(None)
    new_by_severity = _counts(stats.severities)  # with nothing to compare with, all are new
    diff: ParquetTable | None = None
    if before:
        diff, changes, new_by_severity = _write_diff(run_dir, before, pages)
    meta = {**meta, "counts": {**meta.get("counts", {}), "findings": stats.rows}}
    run_info = {
        **meta,
        "site": config.site_name,
        "run": run_dir.name,
        "previous_run": before.name if before else None,
        "diff": changes if before else None,
        "versions": _versions(),
        "config": config.masked(),
    }
    write_text(run_dir / "run.json", json.dumps(run_info, indent=2, ensure_ascii=False) + "\n")
    summary = summary_table(
        run_info,
        severities=stats.severities,
        pages=pages.num_rows,
        health=health_of(stats.worst, pages),
        changes=changes,
    )
    write_table(summary, run_dir, "summary")
    structured_head = head_table(run_dir, "structured_data", REPORT_ROWS)
    release_memory(pages.num_rows)
    render_reports(
        RunTables(run_dir, run_info, summary, finding_rows, pages, structured_head, diff, stats)
    )
    return WrittenRun(
        run_dir=run_dir,
        severities=_counts(stats.severities),
        new_by_severity=new_by_severity,
        changes=changes,
        previous_run=before,
    )


def _write_diff(
    run_dir: Path, before: Path, pages: ParquetTable
) -> tuple[ParquetTable, dict[str, int], dict[str, int]]:
    """diff.csv and diff.parquet against ``before``; the diff table, its counts, new by severity.

    Only the columns a diff shows are read from either findings table.
    """
    frame = diff_findings(
        read_table(before, "findings", DIFF_INPUT),
        read_table(run_dir, "findings", DIFF_INPUT),
        pages,
    )
    write_table(frame, run_dir, "diff")
    new = frame.loc[frame["change"] == "new", "severity"]
    return (
        ParquetTable(run_dir / "diff.parquet"),
        diff_counts(frame),
        _counts(new.value_counts().to_dict() if len(new) else {}),
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
    # The workbook's hyperlinks and row heights, held until it was closed, go back.
    release_memory(row_count(tables.pages))
    write_html(tables, tables.run_dir / "report.html")


def _counts(severities: Mapping[Any, int]) -> dict[str, int]:
    counts = {"error": 0, "warning": 0, "notice": 0}
    counts.update({str(level): int(n) for level, n in severities.items()})
    return counts


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in _VERSIONED:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "unknown"
    return versions
