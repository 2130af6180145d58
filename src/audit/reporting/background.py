"""The links table, written by a second process while the site rules run.

After a crawl the site rules keep one core busy (1.6 s at 5,000 pages) while
the other idles. The links table is the longest one (200,000 rows at 5,000
pages, ~2 s) and needs only the links on disk and the status each URL
answered, so a second process writes it meanwhile, reading the run's SQLite
file, which the crawl keeps in WAL mode so that it can be read while this
process writes the site findings.

Only for runs of :data:`MIN_PAGES` to :data:`~audit.reporting.memory.LARGE_RUN`
URLs: below, starting the process (~0.8 s of imports) costs more than it
saves; above, it would cost ~100-150 MB, which a large run spends on its own
peak. At 5,000 pages the phase after the crawl took 3.8-4.1 s instead of 5.3 s.
Whatever goes wrong there (the process dies, the file cannot be read), the
table is written in this process instead: nothing is lost, it only takes
longer.
"""

from __future__ import annotations

import logging
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

from audit.reporting.memory import LARGE_RUN
from audit.reporting.writers import write_link_rows, write_links
from audit.site import LinkStore, Site

log = logging.getLogger(__name__)

MIN_PAGES = 2_500
"""URLs from which a second process writes the links table (see the module docstring)."""


class LinksTable:
    """links.csv and links.parquet of a run: :meth:`start` early, :meth:`finish` when needed.

    Args:
        site: the crawl, whose ``links`` hold the rows.
        run_dir: the run folder.
        background: write them in a second process (None: when the run has
            :data:`MIN_PAGES` to ``LARGE_RUN`` URLs and another process can read
            its links).
    """

    def __init__(self, site: Site, run_dir: Path, *, background: bool | None = None) -> None:
        self.site = site
        self.run_dir = run_dir
        if background is None:
            background = MIN_PAGES <= len(site.pages) < LARGE_RUN and site.links.shared_reads
        self.background = background
        self._executor: ProcessPoolExecutor | None = None
        self._future: Future[int] | None = None

    def start(self) -> LinksTable:
        """Start the second process (when there is one to start); returns self."""
        if self.background and self._future is None:
            self.site.links.commit()
            statuses = {page.url: page.status for page in self.site.pages}
            try:
                # spawn: a fresh interpreter, not a fork of this one's large heap and threads.
                context = multiprocessing.get_context("spawn")
                self._executor = ProcessPoolExecutor(1, mp_context=context)
                self._future = self._executor.submit(
                    _write_from_file, self.site.links.path, statuses, self.run_dir
                )
            except (OSError, RuntimeError) as exc:  # no process to be had: finish() writes it
                log.warning("could not start a second process for links.csv (%s)", exc)
                self._stop()
        return self

    def _stop(self) -> None:
        if self._executor is not None:
            self._executor.shutdown()
        self._future = self._executor = None

    def finish(self) -> int:
        """Wait for the second process, or write the table here; returns the rows written."""
        if self._future is not None:
            try:
                return self._future.result()
            except Exception as exc:  # a dead process, an unreadable file: write it here
                log.warning("writing links.csv in a second process failed (%s)", exc)
            finally:
                self._stop()
        return write_links(self.site, self.run_dir)


def _write_from_file(path: Path, statuses: dict[str, int | None], run_dir: Path) -> int:
    links = LinkStore(path, read_only=True)
    try:
        return write_link_rows(links, statuses.get, run_dir)
    finally:
        links.close()
