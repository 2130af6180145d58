"""Reporting: the only layer that uses pandas. Turns a run into files."""

from __future__ import annotations

import os

# Set before pandas and pyarrow load (this package is the first to import them), since
# Arrow reads it once: its default allocator, mimalloc, keeps freed buffers mapped, and
# writing a 100,000-page run then peaks ~60 MB higher. A choice made in the environment
# stays. See memory.py for the rest of how the writers give memory back.
os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")

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
