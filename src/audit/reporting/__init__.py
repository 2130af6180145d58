"""Reporting: the only layer that uses pandas. Turns a run into files."""

from __future__ import annotations

from audit.reporting.run import FINDING_COLUMNS, PAGE_COLUMNS, create_run_dir, write_run

__all__ = ["FINDING_COLUMNS", "PAGE_COLUMNS", "create_run_dir", "write_run"]
