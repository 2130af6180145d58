"""Reporting: the only layer that uses pandas. Turns a run into files."""

from __future__ import annotations

from audit.reporting.run import (
    FINDING_COLUMNS,
    PAGE_COLUMNS,
    WrittenRun,
    create_run_dir,
    prune_runs,
    render_reports,
    update_latest,
    write_run,
)
from audit.reporting.tables import read_table

__all__ = [
    "FINDING_COLUMNS",
    "PAGE_COLUMNS",
    "WrittenRun",
    "create_run_dir",
    "prune_runs",
    "read_table",
    "render_reports",
    "update_latest",
    "write_run",
]
