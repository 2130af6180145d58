"""Run-to-run comparison: which findings are new, resolved or unchanged.

Findings are matched by their stable id (see ``tables.finding_id``). A finding
of the previous run is ``resolved`` only when its page was requested again in
this run: a page the crawl did not reach this time (a smaller ``max_pages``,
an interrupted run) tells us nothing, so its findings are left out.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd

from audit.reporting.tables import Table, frames, read_table

DIFF_COLUMNS = ("change", "id", "rule", "url", "severity", "message")
DIFF_INPUT = DIFF_COLUMNS[1:]
"""The findings columns a diff reads (the rest of each finding stays on disk)."""
RUN_NAME = re.compile(r"^\d{8}T\d{6}Z(-\d+)?$")


def diff_findings(
    previous: pd.DataFrame, current: pd.DataFrame, current_pages: Table
) -> pd.DataFrame:
    """Rows ``change`` = new | resolved | unchanged, in that order."""
    if previous.empty or "id" not in previous.columns:
        previous = pd.DataFrame(columns=list(DIFF_INPUT))
    before = set(previous["id"])
    after = set(current["id"]) if not current.empty else set()
    crawled = {
        _location(url)
        for batch in frames(current_pages, columns=("url",))
        if "url" in batch
        for url in batch["url"]
    }
    new = current[~current["id"].isin(before)] if not current.empty else current
    unchanged = current[current["id"].isin(before)] if not current.empty else current
    gone = previous[~previous["id"].isin(after)]
    resolved = gone[gone["url"].map(lambda url: _location(url) in crawled)]
    parts = [
        frame.assign(change=change)[list(DIFF_COLUMNS)]
        for change, frame in (("new", new), ("resolved", resolved), ("unchanged", unchanged))
        if not frame.empty
    ]
    if not parts:
        return pd.DataFrame(columns=list(DIFF_COLUMNS))
    return pd.concat(parts, ignore_index=True)


def diff_counts(diff: Table | None) -> dict[str, int]:
    """``{"new": n, "resolved": n, "unchanged": n}`` (zeros without a previous run)."""
    counts = {"new": 0, "resolved": 0, "unchanged": 0}
    if diff is None:
        return counts
    for part in frames(diff, columns=("change",)):
        if len(part) and "change" in part:
            for change, count in part["change"].value_counts().items():
                counts[change] = counts.get(change, 0) + int(count)
    return counts


def previous_run(run_dir: Path) -> Path | None:
    """The newest earlier run of the same site (same parent folder) that has findings."""
    earlier = sorted(
        path
        for path in run_dir.parent.iterdir()
        if path.is_dir() and RUN_NAME.match(path.name) and path.name < run_dir.name
    )
    for candidate in reversed(earlier):
        if any((candidate / f"findings.{ext}").exists() for ext in ("parquet", "csv")):
            return candidate
    return None


def diff_runs(old_run: Path, new_run: Path) -> pd.DataFrame:
    """Compare any two run folders (``audit diff``)."""
    return diff_findings(
        read_table(old_run, "findings", DIFF_INPUT),
        read_table(new_run, "findings", DIFF_INPUT),
        read_table(new_run, "pages", ("url",)),
    )


def _location(url: str) -> str:
    parts = urlsplit(str(url))
    return parts.path + (f"?{parts.query}" if parts.query else "") if parts.scheme else str(url)
