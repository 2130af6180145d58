"""The crawl loop: workers take URLs from the frontier, fetch, parse once, and extend it.

The crawler knows nothing of rules or reports. Each HTML page is handed to an
``analyze`` coroutine, which parses it once and returns its
:class:`~audit.models.PageOutline` (title and in-scope links, which the crawler
follows) together with whatever else it computed (the runner's analysis runs
every page rule, possibly in worker processes). ``on_page`` then receives the
slim :class:`~audit.models.PageSummary` row and that analysis; no DOM outlives
its analysis.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Protocol

import httpx

from audit.config import AuditConfig
from audit.crawl.fetcher import Fetcher
from audit.crawl.frontier import Entry, Frontier, Source
from audit.crawl.politeness import ThrottleReport
from audit.crawl.robots import RobotsCache, RobotsFile
from audit.crawl.sitemaps import SitemapReport, read_sitemaps
from audit.crawl.traps import TrapGuard
from audit.crawl.urls import Scope, normalize_url, origin, url_credentials
from audit.models import (
    ROBOTS_BLOCKED,
    CrawlTrap,
    ErrorKind,
    FetchResult,
    OutLink,
    PageOutline,
    PageSummary,
)
from audit.page import Page

log = logging.getLogger(__name__)

Analysis = tuple[PageOutline, object]
"""An analysed page: its outline for the crawler, and the analyser's own result."""
PageAnalyzer = Callable[[FetchResult], Awaitable[Analysis]]
"""Parses one fetched HTML page (status 2xx, non-empty) and returns its analysis."""
ERROR_WINDOW = 50
"""Recent requests over which ``crawl.max_error_ratio`` is measured."""
_UNHEALTHY = frozenset({ErrorKind.TIMEOUT, ErrorKind.CONNECTION, ErrorKind.PROTOCOL})


class CrawlJournal(Protocol):
    """Where a crawl's progress is written as it happens (the runner's SQLite store)."""

    def queued(self, entry: Entry) -> None:
        """A URL entered the frontier, moved up, or was taken or claimed."""

    def recorded(self, summary: PageSummary) -> None:
        """A URL got its row."""

    def recall(self, url: str) -> Entry | None:
        """The journalled entry of ``url`` (None when it was never queued)."""


PageCallback = Callable[[PageSummary, PageOutline | None, object], None]
"""Called once per URL with its row and, for an analysed HTML page, its outline and analysis."""
ProgressCallback = Callable[["CrawlStats"], None]


@dataclass(slots=True)
class CrawlStats:
    """Live counters for the progress display."""

    done: int = 0
    queued: int = 0
    errors: int = 0
    blocked: int = 0
    started: float = field(default_factory=time.monotonic)

    @property
    def rate(self) -> float:
        """Pages per second since the start."""
        elapsed = time.monotonic() - self.started
        return self.done / elapsed if elapsed > 0 else 0.0


@dataclass(slots=True)
class CrawlResult:
    """Everything a crawl collected, complete or interrupted."""

    pages: list[PageSummary]
    sitemaps: SitemapReport
    robots: list[RobotsFile]
    started_at: datetime
    finished_at: datetime
    interrupted: bool = False
    not_crawled: int = 0
    stop_reason: str | None = None
    """Why the crawl stopped early on its own (too many failures); None otherwise."""
    throttled: list[ThrottleReport] = field(default_factory=list)
    """Hosts the auto-throttle had to slow down."""
    traps: list[CrawlTrap] = field(default_factory=list)  # URLs the trap guard refused

    @property
    def status_counts(self) -> dict[str, int]:
        """Pages per HTTP status (``"error"`` for no response, ``"blocked"`` for robots)."""
        counts: Counter[str] = Counter()
        for page in self.pages:
            if page.blocked:
                counts["blocked"] += 1
            else:
                counts[str(page.status) if page.status is not None else "error"] += 1
        return dict(sorted(counts.items()))


class Crawler:
    """Crawls one site as configured; ``run()`` returns what it collected.

    Args:
        config: the validated configuration.
        transport: an httpx transport instead of the network (tests).
        analyze: parses each HTML page (default: outline only, in this process).
        on_page: called with each URL's summary and, for HTML, the analyser's result.
        progress: called with live counters after each URL.
        fetcher: a ready fetcher (tests inject one with a recording ``sleep``).
        journal: told of every frontier change and every recorded URL, so an
            interrupted crawl can be resumed (see :meth:`restore`).
    """

    def __init__(
        self,
        config: AuditConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        analyze: PageAnalyzer | None = None,
        on_page: PageCallback | None = None,
        progress: ProgressCallback | None = None,
        fetcher: Fetcher | None = None,
        journal: CrawlJournal | None = None,
    ) -> None:
        self.config = config
        crawl = config.crawl
        self._strip = crawl.strip_query_params
        self.start_urls = _normalize_all(config.site.start_urls, self._strip)
        self.scope = crawl_scope(config)
        self.trap_guard = TrapGuard.from_config(crawl)
        self.frontier = Frontier(
            self.scope,
            max_pages=crawl.max_pages,
            max_depth=crawl.max_depth,
            guard=self.trap_guard,
            on_change=journal.queued if journal is not None else None,
            recall=journal.recall if journal is not None else None,
        )
        self._journal = journal
        self.fetcher = fetcher or Fetcher(
            crawl, transport=transport, credentials=url_credentials(config.site.start_urls)
        )
        self.robots = RobotsCache(self.fetcher, crawl.user_agent, enabled=crawl.respect_robots)
        self.robots.hop_check = self._outside_scope
        self.stats = CrawlStats()
        self._outcomes: deque[bool] = deque(maxlen=ERROR_WINDOW)
        self._stop_reason: str | None = None
        self.pages: list[PageSummary] = []
        self.sitemap_report = SitemapReport()
        self._analyze = analyze or self._outline_only
        self._on_page = on_page
        self._progress = progress
        self._in_flight_depths: Counter[int] = Counter()
        self._in_flight = 0
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[object] | None = None

    def restore(self, pages: list[PageSummary], entries: list[Entry]) -> None:
        """Continue an interrupted crawl: its recorded rows and its frontier, before ``run()``.

        URLs with a row are not fetched again; every other known URL is queued
        again, including those that were in flight when the crawl stopped.
        """
        recorded = {page.url for page in pages}
        for entry in entries:
            self.frontier.restore(entry, recorded=entry.url in recorded)
        self.pages.extend(pages)
        self.stats.done = len(pages)

    def stop(self, reason: str | None = None) -> None:
        """Stop as soon as possible (Ctrl-C, SIGTERM); ``run()`` returns what it has.

        In-flight requests are cancelled; every URL already recorded is kept.
        ``reason`` says why the crawler stopped itself (None: it was asked to).
        """
        if not self._stopping and self._task is not None:
            self._stopping = True
            self._stop_reason = reason
            self._task.cancel()

    async def run(self) -> CrawlResult:
        """Crawl until the frontier is empty, the page budget is spent or ``stop()`` is called."""
        started_at = datetime.now(UTC)
        self._task = asyncio.current_task()
        try:
            for url in self.start_urls:
                self.frontier.add(url, depth=0, found_on=None, source=Source.START)
            await self._read_sitemaps()
            workers = [
                asyncio.create_task(self._worker()) for _ in range(self.config.crawl.concurrency)
            ]
            try:
                outcomes = await asyncio.gather(*workers, return_exceptions=True)
            finally:
                for worker in workers:
                    worker.cancel()
            for outcome in outcomes:
                if isinstance(outcome, Exception):
                    # A bug in the loop itself: keep what was collected, say the run is partial.
                    log.error("a crawl worker failed: %r", outcome)
                    self._stopping = True
        except asyncio.CancelledError:
            if not self._stopping:
                raise
            # Our own stop(): swallow the cancellation so the caller can write the results.
            if self._task is not None:
                self._task.uncancel()
        finally:
            await self.fetcher.aclose()
        return CrawlResult(
            pages=self.pages,
            sitemaps=self.sitemap_report,
            robots=self.robots.files,
            started_at=started_at,
            finished_at=datetime.now(UTC),
            interrupted=self._stopping,
            stop_reason=self._stop_reason,
            throttled=self.fetcher.politeness.reports(),
            not_crawled=self.frontier.pending(),
            traps=self.trap_guard.traps(),
        )

    def _watch_health(self, summary: PageSummary) -> None:
        """Stop the crawl when most recent requests failed: the site is down or blocking us."""
        limit = self.config.crawl.max_error_ratio
        if limit is None:
            return
        status = summary.status or 0
        unhealthy = summary.error_kind in _UNHEALTHY or status >= 500 or status == 429
        self._outcomes.append(unhealthy)
        failed = sum(self._outcomes)
        if len(self._outcomes) == ERROR_WINDOW and failed / ERROR_WINDOW > limit:
            self.stop(
                f"{failed} of the last {ERROR_WINDOW} requests failed or answered 5xx/429 "
                f"(more than crawl.max_error_ratio = {limit:g}); the site looks down or is "
                "blocking the crawler"
            )

    async def _read_sitemaps(self) -> None:
        setting = self.config.site.sitemaps
        if setting == "off":
            return
        declared: tuple[str, ...] = ()
        guessed: tuple[str, ...] = ()
        if setting == "auto":
            for site_origin in dict.fromkeys(origin(url) for url in self.start_urls):
                robots = await self.robots.get(site_origin)
                declared += _normalize_all(robots.sitemaps, ())
                guessed += (f"{site_origin}/sitemap.xml",)
            guessed = tuple(url for url in guessed if url not in declared)
        else:
            declared = _normalize_all(setting, ())
        self.sitemap_report = await read_sitemaps(
            self.fetcher,
            list(dict.fromkeys(declared + guessed)),
            may_fetch=self._sitemap_refusal,
            check_hop=self._outside_scope,
            strip_params=self._strip,
            optional=frozenset(guessed),
        )
        for url, sitemap_url in self.sitemap_report.urls.items():
            self.frontier.add(url, depth=None, found_on=sitemap_url, source=Source.SITEMAP)

    async def _sitemap_refusal(self, url: str) -> str | None:
        if not self.scope.host_allowed(url):
            return "outside the crawl scope"
        if not await self.robots.allowed(url):
            return ROBOTS_BLOCKED
        return None

    async def _outside_scope(self, url: str) -> str | None:
        """Hop check for robots.txt and sitemaps: follow redirects only within scope."""
        return None if self.scope.allows(url) else "outside the crawl scope"

    async def _worker(self) -> None:
        # A stop takes effect at the task's next suspension; a worker whose requests
        # never suspend (answers already buffered) must not start another URL meanwhile.
        while not self._stopping:
            depths = self._in_flight_depths
            shallowest = min((depth for depth, count in depths.items() if count), default=None)
            entry = self.frontier.pop(shallowest_in_flight=shallowest)
            if entry is None:
                if self._in_flight == 0:
                    self._wakeup.set()
                    return
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            self._in_flight += 1
            if entry.depth is not None:
                depths[entry.depth] += 1
            try:
                await self._process(entry)
            except Exception:
                # A bug must not cost the run: record the URL as failed and go on.
                log.exception("internal error while crawling %s", entry.url)
                self._record(entry, _failed(entry.url, "internal error while crawling"))
            finally:
                self._in_flight -= 1
                if entry.depth is not None:
                    depths[entry.depth] -= 1
                self._wakeup.set()

    async def _process(self, entry: Entry) -> None:
        if not await self.robots.allowed(entry.url):
            self._record(entry, _failed(entry.url, ROBOTS_BLOCKED))
            return
        hop_entries = [entry]
        blocked_target: list[str] = []

        async def hop_refusal(url: str) -> str | None:
            if not self.scope.allows(url):
                return "outside the crawl scope"
            known = self.frontier.get(url)
            if known is not None and known.done:
                return "already crawled"
            if not await self.robots.allowed(url):
                blocked_target.append(url)
                return ROBOTS_BLOCKED
            hop_entries.append(
                self.frontier.claim(url, depth=entry.depth, found_on=hop_entries[-1].url)
            )
            return None

        result = await self.fetcher.fetch(entry.url, check_hop=hop_refusal)
        chain = result.redirect_chain
        chain_error = result.error if result.redirect_stop else None
        # Every URL requested gets its own row: each redirecting hop, then the final URL.
        for index, hop in enumerate(chain):
            hop_result = replace(
                result,
                url=hop.url,
                status=hop.status,
                content_type="",
                redirect_chain=chain[index:],
                error=chain_error,
                text="",
                encoding=None,
                fetch_ms=0.0 if index else result.fetch_ms,
                bytes_downloaded=0,
                truncated=False,
            )
            self._record(hop_entries[index], hop_result)
        for url in blocked_target:
            self.frontier.add(
                url, depth=entry.depth, found_on=chain[-1].url, source=Source.REDIRECT
            )
        if result.redirect_stop:
            return
        final = hop_entries[-1]
        if chain:
            result = replace(result, url=final.url, redirect_chain=(), fetch_ms=0.0)
        outline, analysis = None, None
        if result.ok and result.is_html and result.text:
            outline, analysis = await self._analyze(result)
            self._follow_links(outline, final)
        self._record(final, result, outline, analysis)

    async def _outline_only(self, result: FetchResult) -> Analysis:
        outline = page_outline(Page.from_fetch(result), self.scope, self._strip)
        return outline, None

    def _follow_links(self, outline: PageOutline, entry: Entry) -> None:
        """Queue the links the crawl may follow."""
        follow_nofollow = self.config.crawl.follow_nofollow
        if not (outline.follow or follow_nofollow):
            return
        depth = entry.depth + 1 if entry.depth is not None else None
        add = self.frontier.add
        for link in outline.links:
            if follow_nofollow or not link.nofollow:
                add(link.url, depth=depth, found_on=entry.url, source=Source.LINK)

    def _record(
        self,
        entry: Entry,
        result: FetchResult,
        outline: PageOutline | None = None,
        analysis: object = None,
    ) -> None:
        summary = PageSummary(
            url=entry.url,
            final_url=result.final_url,
            status=result.status,
            content_type=result.content_type,
            depth=entry.depth,
            found_on=entry.found_on,
            source=entry.source.value,
            redirect_chain=result.redirect_chain,
            fetch_ms=result.fetch_ms,
            bytes=result.bytes_downloaded,
            error=result.error,
            # Hop rows copy the final result; only a row's own failure keeps its kind.
            error_kind=result.error_kind if result.error or result.truncated else None,
            title=outline.title if outline else None,
            encoding=result.encoding,
            truncated=result.truncated,
            in_sitemap=entry.url in self.sitemap_report.urls,
            outlinks=outline.outlinks if outline else 0,
        )
        self.pages.append(summary)
        if self._journal is not None:
            self._journal.recorded(summary)
        stats = self.stats
        stats.done += 1
        stats.queued = self.frontier.queued
        stats.blocked += summary.blocked
        stats.errors += summary.failed
        if not summary.redirect_chain and not summary.blocked:
            self._watch_health(summary)
        if self._on_page is not None:
            self._on_page(summary, outline, analysis)
        if self._progress is not None:
            self._progress(stats)


def crawl_scope(config: AuditConfig) -> Scope:
    """The scope a crawl with ``config`` keeps to."""
    site = config.site
    return Scope.build(
        _normalize_all(site.start_urls, config.crawl.strip_query_params),
        site.allowed_domains,
        subdomains=site.subdomains,
        include=site.include,
        exclude=site.exclude,
    )


def page_outline(page: Page, scope: Scope, strip_params: tuple[str, ...]) -> PageOutline:
    """The page's title, robots ``nofollow`` and its links to hosts in ``scope``, normalised.

    Links to other hosts are only counted: the crawl never follows or stores
    them, so they are not normalised (the most expensive step per link).
    """
    links = []
    host_allowed = scope.host_allowed
    for link in page.links:
        url = normalize_url(link.url, strip_params=strip_params)
        if url is not None and host_allowed(url):
            links.append(OutLink(url, link.text, " ".join(sorted(link.rel)), link.nofollow))
    return PageOutline(
        title=page.title,
        follow="nofollow" not in page.robots_directives,
        outlinks=len(page.links),
        links=tuple(links),
    )


def _failed(url: str, error: str) -> FetchResult:
    kind = ErrorKind.ROBOTS if error == ROBOTS_BLOCKED else ErrorKind.INTERNAL
    return FetchResult(url=url, final_url=url, status=None, error=error, error_kind=kind)


def _normalize_all(urls: tuple[str, ...], strip: tuple[str, ...]) -> tuple[str, ...]:
    normalized = (normalize_url(url, strip_params=strip) for url in urls)
    return tuple(dict.fromkeys(url for url in normalized if url))
