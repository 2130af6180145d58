"""One audit run end to end: crawl, collect, write the run folder.

This is the composition root: the only module that knows the crawler and the
reporting layer at once.
"""

from __future__ import annotations

import asyncio
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from audit.config import AuditConfig
from audit.crawl.crawler import Crawler, CrawlResult, ProgressCallback
from audit.engine import Engine, plan_rules, structured_rows
from audit.errors import ConfigError
from audit.models import Finding, PageSummary, StructuredRow
from audit.notify import build_payload, send_webhook
from audit.page import Link, Page

if TYPE_CHECKING:
    from audit.reporting import WrittenRun
from audit.site import LinkRow, LinkStore, PageFacts, Site, summarize
from audit.structured.vocabulary import configure_vocabulary


@dataclass(frozen=True, slots=True)
class RunOutcome:
    """Where a run was written, what it collected, and whether it should fail a pipeline."""

    run_dir: Path
    crawl: CrawlResult
    findings: tuple[Finding, ...]
    severities: dict[str, int]
    new_by_severity: dict[str, int]
    changes: dict[str, int] | None
    failure: str | None = None
    """Why ``report.fail_on`` / ``--fail-on`` fails this run (None: it passes)."""

    @property
    def interrupted(self) -> bool:
        """True when the run was stopped before the crawl finished."""
        return self.crawl.interrupted


def fail_reason(
    fail_on: str | None, severities: dict[str, int], new_by_severity: dict[str, int]
) -> str | None:
    """Why the run fails under ``fail_on`` (error | warning | new-error | new-warning), or None."""
    if fail_on is None:
        return None
    counts = new_by_severity if fail_on.startswith("new-") else severities
    levels = ("error",) if fail_on.endswith("error") else ("error", "warning")
    found = sum(counts.get(level, 0) for level in levels)
    if not found:
        return None
    which = " or ".join(levels)
    new = "new " if fail_on.startswith("new-") else ""
    return f"{found} {new}finding(s) of severity {which} (fail_on: {fail_on})"


def run_audit(
    config: AuditConfig,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    progress: ProgressCallback | None = None,
    handle_signals: bool = False,
) -> RunOutcome:
    """Crawl the configured site and write a new run folder; see :func:`run_audit_async`."""
    return asyncio.run(
        run_audit_async(
            config, transport=transport, progress=progress, handle_signals=handle_signals
        )
    )


async def run_audit_async(
    config: AuditConfig,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    progress: ProgressCallback | None = None,
    handle_signals: bool = False,
) -> RunOutcome:
    """Crawl the configured site and write a new run folder.

    Args:
        config: the validated configuration.
        transport: an httpx transport to use instead of the network (tests).
        progress: called after every URL with live counters.
        handle_signals: stop gracefully on SIGINT/SIGTERM and keep what was
            collected (the CLI sets this; the outcome is then marked interrupted).

    Raises:
        ConfigError: when there is no start URL.
    """
    if not config.site.start_urls:
        raise ConfigError("site.start_urls: expected at least one URL (or pass a URL argument)")
    configure_vocabulary(config.structured.vocabulary)
    findings: list[Finding] = []
    structured: list[StructuredRow] = []
    facts: dict[str, PageFacts] = {}
    links = LinkStore()
    engine = Engine(plan_rules(config.rules))

    def on_page(
        summary: PageSummary, page: Page | None, page_links: list[tuple[str, Link]]
    ) -> None:
        # The only moment the DOM exists: run the page rules and keep the slim facts.
        if page is None:
            return
        page_findings = engine.check_page(page)
        findings.extend(page_findings)
        structured.extend(structured_rows(page, page_findings))
        facts[summary.url] = summarize(page)
        links.add(
            LinkRow(summary.url, target, link.text, " ".join(sorted(link.rel)), link.nofollow)
            for target, link in page_links
            if crawler.scope.host_allowed(target)
        )

    crawler = Crawler(config, transport=transport, on_page=on_page, progress=progress)
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM) if handle_signals else ()
    for signum in signals:
        loop.add_signal_handler(signum, crawler.stop)
    try:
        result = await crawler.run()
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)
    site = Site(result.pages, facts, links, result.sitemaps.urls)
    try:
        findings.extend(engine.check_site(site))
        # Imported here: pandas takes ~0.4 s to import, which spot checks should not pay.
        from audit.reporting import create_run_dir, write_run

        run_dir = create_run_dir(config.report.out_dir, config.site_name, result.started_at)
        written = write_run(
            run_dir,
            config=config,
            site=site,
            findings=findings,
            structured=structured,
            meta=run_metadata(result, findings),
        )
    finally:
        links.close()
    _after_run(config, written, len(result.pages), interrupted=result.interrupted)
    return RunOutcome(
        run_dir=run_dir,
        crawl=result,
        findings=tuple(findings),
        severities=written.severities,
        new_by_severity=written.new_by_severity,
        changes=written.changes if written.previous_run else None,
        failure=fail_reason(config.report.fail_on, written.severities, written.new_by_severity),
    )


def _after_run(config: AuditConfig, written: WrittenRun, pages: int, *, interrupted: bool) -> None:
    """The scheduler's chores: the latest pointer, retention and the webhook."""
    from audit.reporting import prune_runs, update_latest

    update_latest(written.run_dir)
    if config.report.keep_runs:
        prune_runs(written.run_dir.parent, config.report.keep_runs)
    if config.report.webhook_url:
        payload = build_payload(
            site=config.site_name,
            run=written.run_dir.name,
            status="interrupted" if interrupted else "complete",
            pages=pages,
            severities=written.severities,
            changes=written.changes if written.previous_run else None,
            report=str((written.run_dir / "report.html").resolve()),
        )
        send_webhook(config.report.webhook_url, payload)


def run_metadata(result: CrawlResult, findings: list[Finding]) -> dict[str, Any]:
    """The run.json facts about a crawl (config and versions are added by the writer)."""
    pages = result.pages
    return {
        "status": "interrupted" if result.interrupted else "complete",
        "started_at": result.started_at.isoformat(timespec="seconds"),
        "finished_at": result.finished_at.isoformat(timespec="seconds"),
        "duration_s": round((result.finished_at - result.started_at).total_seconds(), 3),
        "counts": {
            "pages": len(pages),
            "html_pages": sum(page.is_html for page in pages),
            "errors": sum(page.failed for page in pages),
            "blocked_by_robots": sum(page.blocked for page in pages),
            "not_crawled": result.not_crawled,
            "sitemap_urls": len(result.sitemaps.urls),
            "findings": len(findings),
        },
        "status_codes": result.status_counts,
        "sitemaps": {
            "read": result.sitemaps.fetched,
            "problems": [
                {"sitemap": url, "problem": text} for url, text in result.sitemaps.problems
            ],
        },
        "robots": [
            {
                "url": robots.url,
                "status": robots.status,
                "error": robots.error,
                "disallow_all": robots.disallow_all,
            }
            for robots in result.robots
        ],
    }
