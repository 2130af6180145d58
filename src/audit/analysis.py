"""Per-page analysis: parse once, run every page rule, keep only what outlives the DOM.

:class:`PageAnalyzer` turns one fetched HTML page into its
:class:`~audit.models.PageOutline` (what the crawler follows) and a
:class:`PageReport` (findings, structured-data rows and the facts the site
rules compare). The parsed tree is dropped as soon as it returns.

:class:`Analyzer` is what a crawl uses: it analyses in the crawler's process at
first and, for larger crawls, in worker processes (``crawl.parse_workers``), so
parsing and the rules run on every core while the event loop keeps fetching.
A page that kills its worker (a crash in the parser) costs that page only:
the worker is replaced and the page is reported with a finding.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, replace

from audit.config import AuditConfig
from audit.crawl.crawler import Analysis, crawl_scope, page_outline
from audit.engine import RULE_CRASHED, RULE_CRASHED_CODE, Engine, plan_rules, structured_rows
from audit.models import (
    FetchResult,
    Finding,
    PageOutline,
    Severity,
    StructuredRow,
    compact_pickle,
)
from audit.page import Page
from audit.site import PageFacts, summarize
from audit.structured.vocabulary import configure_vocabulary
from audit.workers import ProcessPool, WorkerDied

log = logging.getLogger(__name__)

PARSE_WORKERS_AFTER = 50
"""HTML pages analysed in-process before ``parse_workers: auto`` starts its pool."""
MAX_AUTO_WORKERS = 4


@compact_pickle
@dataclass(frozen=True, slots=True)
class PageReport:
    """What the page rules found on one page and what the site rules need from it."""

    findings: tuple[Finding, ...]
    structured: tuple[StructuredRow, ...]
    facts: PageFacts


class PageAnalyzer:
    """Analyses pages in the calling process."""

    def __init__(self, config: AuditConfig) -> None:
        self.engine = Engine(plan_rules(config.rules))
        self.scope = crawl_scope(config)
        self.strip_params = config.crawl.strip_query_params

    def __call__(self, result: FetchResult) -> Analysis:
        page = Page.from_fetch(result)
        findings = self.engine.check_page(page)
        try:
            facts = summarize(page)
        except Exception as exc:
            # A bug here must not cost the page its findings: keep them, skip the facts.
            log.debug("summarising %s failed", page.url, exc_info=True)
            findings.append(_engine_finding(page.url, f"summarising it failed ({exc!r:.200})"))
            facts = PageFacts(url=page.url)
        report = PageReport(
            findings=tuple(findings),
            structured=tuple(structured_rows(page, findings)),
            facts=facts,
        )
        return page_outline(page, self.scope, self.strip_params), report


class Analyzer:
    """The crawl's page analyser: in this process, then in a pool of worker processes.

    Args:
        config: the run's configuration.
        workers: worker processes (0: never; None: ``crawl.parse_workers``).
        start_after: HTML pages to analyse in-process before the pool starts.
    """

    def __init__(
        self, config: AuditConfig, *, workers: int | None = None, start_after: int | None = None
    ) -> None:
        self._config = config
        setting = config.crawl.parse_workers
        auto = setting == "auto"
        if workers is None:
            workers = min(os.cpu_count() or 1, MAX_AUTO_WORKERS) if auto else int(setting)
        self.workers = workers
        if start_after is None:
            start_after = PARSE_WORKERS_AFTER if auto else 0
        self._start_after = start_after
        self._local = PageAnalyzer(config)
        self._pool: ProcessPool | None = None
        self._analysed = 0

    async def __call__(self, result: FetchResult) -> Analysis:
        self._analysed += 1
        if self.workers == 0 or self._analysed <= self._start_after:
            return self._local(result)
        if self._pool is None:
            self._pool = ProcessPool(
                self.workers,
                _start_worker,
                (_without_secrets(self._config),),
                preload=("audit.analysis",),
            )
        # The body bytes are not needed once decoded: do not copy them to the worker.
        try:
            return await self._pool.run(_analyze_in_worker, replace(result, body=b""))
        except WorkerDied:
            log.warning("the page-analysis process died on %s", result.url)
            return _failed_analysis(result.final_url)

    def close(self) -> None:
        """Stop the worker processes."""
        if self._pool is not None:
            self._pool.close()
            self._pool = None


_worker: PageAnalyzer | None = None


def _start_worker(config: AuditConfig) -> None:
    global _worker
    configure_vocabulary(config.structured.vocabulary)
    _worker = PageAnalyzer(config)


def _analyze_in_worker(result: FetchResult) -> Analysis:
    assert _worker is not None, "worker not initialised"
    return _worker(result)


def _without_secrets(config: AuditConfig) -> AuditConfig:
    """The config a worker needs: no request headers (credentials) and no webhook."""
    crawl = config.crawl.model_copy(update={"headers": {}})
    report = config.report.model_copy(update={"webhook_url": None})
    return config.model_copy(update={"crawl": crawl, "report": report})


def _failed_analysis(url: str) -> Analysis:
    finding = _engine_finding(url, "it stopped the parser process; no page rule ran on it")
    outline = PageOutline(title=None, follow=False, outlinks=0)
    return outline, PageReport(findings=(finding,), structured=(), facts=PageFacts(url=url))


def _engine_finding(url: str, what: str) -> Finding:
    return Finding(
        rule=RULE_CRASHED,
        code=RULE_CRASHED_CODE,
        severity=Severity.WARNING,
        category="engine",
        url=url,
        message=f"Analysing this page went wrong: {what}. The site-wide checks skip it.",
        evidence=url,
        fix="Report this as a bug in site-audit with the page's HTML; the crawl went on.",
    )
