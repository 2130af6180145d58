"""One audit run end to end: crawl, collect, write the run folder.

This is the composition root: the only module that knows the crawler and the
reporting layer at once.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Coroutine
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from audit.analysis import Analyzer, PageReport
from audit.config import AuditConfig
from audit.crawl.crawler import Crawler, CrawlResult, ProgressCallback
from audit.engine import Engine, plan_rules
from audit.errors import ConfigError
from audit.models import Finding, PageOutline, PageSummary, Severity
from audit.notify import build_payload, send_webhook
from audit.site import LinkRow, Site
from audit.store import RunStore
from audit.structured.vocabulary import configure_vocabulary

if TYPE_CHECKING:
    from audit.reporting import WrittenRun

T = TypeVar("T")
STATE_FILE = ".state.sqlite"
"""The run's working store inside its folder; removed once the tables are written."""


@dataclass(frozen=True)
class RunOutcome:
    """Where a run was written, what it collected, and whether it should fail a pipeline."""

    run_dir: Path
    crawl: CrawlResult
    severities: dict[str, int]
    new_by_severity: dict[str, int]
    changes: dict[str, int] | None
    failure: str | None = None
    """Why ``report.fail_on`` / ``--fail-on`` fails this run (None: it passes)."""

    @property
    def interrupted(self) -> bool:
        """True when the run was stopped before the crawl finished."""
        return self.crawl.interrupted

    @cached_property
    def findings(self) -> tuple[Finding, ...]:
        """Every finding of the run, read back from its findings table (loaded on first use)."""
        from audit.reporting import read_table

        frame = read_table(self.run_dir, "findings")
        fields = ("rule", "code", "category", "url", "message", "evidence", "selector", "fix")
        return tuple(
            Finding(severity=Severity(row["severity"]), **{name: row[name] for name in fields})
            for row in frame.to_dict("records")
        )


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
    resume: Path | None = None,
) -> RunOutcome:
    """Crawl the configured site and write a new run folder; see :func:`run_audit_async`."""
    return run_event_loop(
        run_audit_async(
            config,
            transport=transport,
            progress=progress,
            handle_signals=handle_signals,
            resume=resume,
        )
    )


def run_event_loop(main: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on uvloop where it is installed (a third less CPU per request)."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(main)
    return uvloop.run(main)


async def run_audit_async(
    config: AuditConfig,
    *,
    transport: httpx.AsyncBaseTransport | None = None,
    progress: ProgressCallback | None = None,
    handle_signals: bool = False,
    resume: Path | None = None,
) -> RunOutcome:
    """Crawl the configured site and write a new run folder (or finish an interrupted one).

    Args:
        config: the validated configuration.
        transport: an httpx transport to use instead of the network (tests).
        progress: called after every URL with live counters.
        handle_signals: stop gracefully on SIGINT/SIGTERM and keep what was
            collected (the CLI sets this; the outcome is then marked interrupted).
        resume: the folder of an interrupted run to continue: URLs it recorded
            are not fetched again, and its tables are rewritten when done.

    Raises:
        ConfigError: when there is no start URL, or ``resume`` has no crawl state.
    """
    if not config.site.start_urls:
        raise ConfigError("site.start_urls: expected at least one URL (or pass a URL argument)")
    configure_vocabulary(config.structured.vocabulary)
    # Imported here: pandas takes ~0.4 s to import, which spot checks should not pay.
    from audit.reporting import create_run_dir

    if resume is not None:
        run_dir = resume
        if not (run_dir / STATE_FILE).is_file():
            raise ConfigError(
                f"--resume {run_dir}: no crawl state to resume (the run finished, "
                "or the folder is not a run folder)"
            )
    else:
        run_dir = create_run_dir(config.report.out_dir, config.site_name, datetime.now(UTC))
    store = RunStore(run_dir / STATE_FILE)
    engine = Engine(plan_rules(config.rules))
    analyzer = Analyzer(config)

    def on_page(summary: PageSummary, outline: PageOutline | None, report: object) -> None:
        # Everything a page's analysis produced goes to disk at once; only the summary stays.
        if outline is not None and isinstance(report, PageReport):
            store.add_findings(report.findings)
            store.add_structured(report.structured)
            store.add_facts(report.facts, summary.depth)
            store.add(
                LinkRow(summary.url, link.url, link.text, link.rel, link.nofollow)
                for link in outline.links
            )
        store.checkpoint()

    crawler = Crawler(
        config,
        transport=transport,
        analyze=analyzer,
        on_page=on_page,
        progress=progress,
        journal=store,
    )
    if resume is not None:
        store.forget_site_findings()
        crawler.restore(*store.crawl_state())
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM) if handle_signals else ()
    for signum in signals:
        loop.add_signal_handler(signum, crawler.stop)
    try:
        result = await crawler.run()
    finally:
        for signum in signals:
            loop.remove_signal_handler(signum)
        analyzer.close()
    try:
        written = write_results(run_dir, config=config, result=result, store=store, engine=engine)
    finally:
        store.close()
    if not result.interrupted:
        # Kept after an interruption: it is what `audit crawl --resume` continues from.
        for suffix in ("", "-wal", "-shm"):
            (run_dir / f"{STATE_FILE}{suffix}").unlink(missing_ok=True)
    _after_run(config, written, len(result.pages), status=run_status(result))
    return RunOutcome(
        run_dir=run_dir,
        crawl=result,
        severities=written.severities,
        new_by_severity=written.new_by_severity,
        changes=written.changes if written.previous_run else None,
        failure=fail_reason(config.report.fail_on, written.severities, written.new_by_severity),
    )


def write_results(
    run_dir: Path, *, config: AuditConfig, result: CrawlResult, store: RunStore, engine: Engine
) -> WrittenRun:
    """The post-crawl phase: the site rules over the whole crawl, then every table and report.

    Also what ``bench/report_memory.py`` replays from a saved state file.
    """
    from audit.reporting import write_run
    from audit.reporting.background import LinksTable
    from audit.reporting.memory import release_memory

    site = Site(result.pages, store.facts(), store, result.sitemaps.urls, result.traps)
    links = LinksTable(site, run_dir).start()  # a small run's links: meanwhile, on another core
    store.add_findings(engine.check_site(site), site=True)
    release_memory(len(result.pages))  # what the site rules held (all pages' facts, at times)
    return write_run(
        run_dir,
        config=config,
        site=site,
        findings=store.findings(),
        structured=store.structured_rows(),
        meta=run_metadata(result),
        links=links,
    )


def _after_run(config: AuditConfig, written: WrittenRun, pages: int, *, status: str) -> None:
    """The scheduler's chores: the latest pointer, retention and the webhook."""
    from audit.reporting import prune_runs, update_latest

    update_latest(written.run_dir)
    if config.report.keep_runs:
        prune_runs(written.run_dir.parent, config.report.keep_runs)
    if config.report.webhook_url:
        payload = build_payload(
            site=config.site_name,
            run=written.run_dir.name,
            status=status,
            pages=pages,
            severities=written.severities,
            changes=written.changes if written.previous_run else None,
            report=str((written.run_dir / "report.html").resolve()),
        )
        send_webhook(config.report.webhook_url, payload)


def run_status(result: CrawlResult) -> str:
    """complete | interrupted (Ctrl-C, SIGTERM) | aborted (the site failed too often)."""
    if result.stop_reason:
        return "aborted"
    return "interrupted" if result.interrupted else "complete"


def run_metadata(result: CrawlResult) -> dict[str, Any]:
    """The run.json facts about a crawl (config and versions are added by the writer)."""
    pages = result.pages
    return {
        "status": run_status(result),
        "stop_reason": result.stop_reason,
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
        },
        "status_codes": result.status_counts,
        "sitemaps": {
            "read": result.sitemaps.fetched,
            "problems": [
                {"sitemap": url, "problem": text} for url, text in result.sitemaps.problems
            ],
        },
        "throttled": [
            {
                "host": report.host,
                "slowdowns": report.slowdowns,
                "lowest_concurrency": report.lowest_concurrency,
                "last_reason": report.reason,
            }
            for report in result.throttled
        ],
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
