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
from typing import TYPE_CHECKING, Any

import pandas as pd

from audit.config import AuditConfig
from audit.models import Finding, Hop, StructuredRow

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
)
LINK_COLUMNS = ("source", "target", "anchor", "rel", "nofollow", "target_status")
_LINK_CHUNK = 50_000
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


def pages_frame(site: Site) -> pd.DataFrame:
    """One row per URL fetched or attempted, in the documented column order."""
    inlinks = site.inlinks
    rows = []
    for page in site.pages:
        facts = site.facts.get(page.url)
        rows.append(
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
                "meta_description": facts.meta_description if facts else None,
                "h1": facts.h1 if facts else None,
                "words": facts.words if facts else None,
                "indexable": facts.indexable if facts else None,
                "canonical": facts.canonical if facts else None,
                "inlinks": inlinks.get(page.url, 0),
                "error": page.error,
            }
        )
    frame = pd.DataFrame(rows, columns=list(PAGE_COLUMNS))
    return frame.astype({"status": "Int64", "depth": "Int64", "words": "Int64"})


def write_links(site: Site, path: Path) -> None:
    """links.csv, written in chunks so millions of links never sit in one frame."""
    temporary = path.with_name(f".{path.name}.tmp")
    status = {page.url: page.status for page in site.pages}
    chunk: list[tuple[object, ...]] = []
    header = True

    def flush() -> None:
        nonlocal header
        frame = pd.DataFrame(chunk, columns=list(LINK_COLUMNS)).astype({"target_status": "Int64"})
        frame.to_csv(
            temporary,
            index=False,
            header=header,
            mode="w" if header else "a",
            encoding="utf-8",
            lineterminator="\n",
        )
        header = False
        chunk.clear()

    for row in site.links.rows():
        chunk.append(
            (row.source, row.target, row.anchor, row.rel, row.nofollow, status.get(row.target))
        )
        if len(chunk) >= _LINK_CHUNK:
            flush()
    flush()
    temporary.replace(path)


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
    site: Site,
    findings: list[Finding],
    structured: list[StructuredRow],
    meta: dict[str, Any],
) -> None:
    """Write pages.csv, links.csv, findings.csv, structured_data.csv and run.json."""
    _write_csv(pages_frame(site), run_dir / "pages.csv")
    write_links(site, run_dir / "links.csv")
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
