"""The run folder: ``<out>/<site>/<UTC timestamp>/`` with pages.csv, findings.csv, run.json.

Each file is written to a temporary name and renamed into place, so a crash
never leaves a half-written file that looks complete.
"""

from __future__ import annotations

import dataclasses
import json
import platform
from collections.abc import Iterable
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import pandas as pd

from audit.config import AuditConfig
from audit.models import Finding, Hop, PageSummary, StructuredRow

PAGE_COLUMNS = (
    "url",
    "final_url",
    "status",
    "content_type",
    "depth",
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
    "error",
)
FINDING_COLUMNS = (
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


def pages_frame(pages: Iterable[PageSummary]) -> pd.DataFrame:
    """One row per URL fetched or attempted, in the documented column order."""
    rows = [
        {
            "url": page.url,
            "final_url": page.final_url,
            "status": page.status,
            "content_type": page.content_type,
            "depth": page.depth,
            "found_on": page.found_on,
            "source": page.source,
            "in_sitemap": page.in_sitemap,
            "redirect_hops": len(page.redirect_chain),
            "redirect_chain": format_chain(page.redirect_chain),
            "fetch_ms": page.fetch_ms,
            "bytes": page.bytes,
            "encoding": page.encoding,
            "truncated": page.truncated,
            "outlinks": page.outlinks,
            "title": page.title,
            "error": page.error,
        }
        for page in pages
    ]
    frame = pd.DataFrame(rows, columns=list(PAGE_COLUMNS))
    return frame.astype({"status": "Int64", "depth": "Int64"})


def findings_frame(findings: Iterable[Finding]) -> pd.DataFrame:
    """One row per finding, in the documented column order."""
    rows = [
        {
            "url": finding.url,
            "rule": finding.rule,
            "code": finding.code,
            "severity": finding.severity.value,
            "category": finding.category,
            "message": finding.message,
            "evidence": finding.evidence,
            "selector": finding.selector,
            "fix": finding.fix,
        }
        for finding in findings
    ]
    return pd.DataFrame(rows, columns=list(FINDING_COLUMNS))


def structured_frame(rows: Iterable[StructuredRow]) -> pd.DataFrame:
    """One row per structured-data node, in the documented column order."""
    records = [dataclasses.asdict(row) for row in rows]
    return pd.DataFrame(records, columns=list(STRUCTURED_COLUMNS))


def write_run(
    run_dir: Path,
    *,
    config: AuditConfig,
    pages: list[PageSummary],
    findings: list[Finding],
    structured: list[StructuredRow],
    meta: dict[str, Any],
) -> None:
    """Write pages.csv, findings.csv, structured_data.csv and run.json into ``run_dir``."""
    _write_csv(pages_frame(pages), run_dir / "pages.csv")
    _write_csv(findings_frame(findings), run_dir / "findings.csv")
    _write_csv(structured_frame(structured), run_dir / "structured_data.csv")
    run_info = {
        **meta,
        "versions": _versions(),
        "config": config.masked(),
    }
    _write_text(run_dir / "run.json", json.dumps(run_info, indent=2, ensure_ascii=False) + "\n")


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    frame.to_csv(temporary, index=False, encoding="utf-8", lineterminator="\n")
    temporary.replace(path)


def _write_text(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in _VERSIONED:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "unknown"
    return versions
