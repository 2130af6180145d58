"""The crawl loop: workers take URLs from the frontier, fetch, parse once, and extend it.

The crawler knows nothing of rules or reports. Each finished URL is handed to
``on_page`` together with its parsed :class:`~audit.page.Page` (when it is
HTML), which is the only moment the DOM exists; after that only the slim
:class:`~audit.models.PageSummary` is kept.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

import httpx

from audit.config import AuditConfig
from audit.crawl.fetcher import Fetcher
from audit.crawl.frontier import Entry, Frontier, Source
from audit.crawl.robots import RobotsCache, RobotsFile
from audit.crawl.sitemaps import SitemapReport, read_sitemaps
from audit.crawl.urls import Scope, normalize_url, origin
from audit.models import ROBOTS_BLOCKED, FetchResult, PageSummary
from audit.page import Link, Page

log = logging.getLogger(__name__)

PageCallback = Callable[[PageSummary, Page | None, "list[tuple[str, Link]]"], None]
"""Called once per URL with its row, its parsed page (HTML only) and its normalised links."""
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
        on_page: called with each URL's summary and, for HTML, its parsed page.
        progress: called with live counters after each URL.
        fetcher: a ready fetcher (tests inject one with a recording ``sleep``).
    """

    def __init__(
        self,
        config: AuditConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        on_page: PageCallback | None = None,
        progress: ProgressCallback | None = None,
        fetcher: Fetcher | None = None,
    ) -> None:
        self.config = config
        crawl = config.crawl
        self._strip = crawl.strip_query_params
        self.start_urls = _normalize_all(config.site.start_urls, self._strip)
        self.scope = Scope.build(
            self.start_urls,
            config.site.allowed_domains,
            subdomains=config.site.subdomains,
            include=config.site.include,
            exclude=config.site.exclude,
        )
        self.frontier = Frontier(self.scope, max_pages=crawl.max_pages, max_depth=crawl.max_depth)
        self.fetcher = fetcher or Fetcher(crawl, transport=transport)
        self.robots = RobotsCache(self.fetcher, crawl.user_agent, enabled=crawl.respect_robots)
        self.robots.hop_check = self._outside_scope
        self.stats = CrawlStats()
        self.pages: list[PageSummary] = []
        self.sitemap_report = SitemapReport()
        self._on_page = on_page
        self._progress = progress
        self._in_flight_depths: Counter[int] = Counter()
        self._in_flight = 0
        self._wakeup = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[object] | None = None

    def stop(self) -> None:
        """Stop as soon as possible (Ctrl-C, SIGTERM); ``run()`` returns what it has.

        In-flight requests are cancelled; every URL already recorded is kept.
        """
        if not self._stopping and self._task is not None:
            self._stopping = True
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
            not_crawled=self.frontier.pending(),
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
        while True:
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
        page, links = None, []
        if result.ok and result.is_html and result.text:
            page = Page.from_fetch(result)
            links = self._follow_links(page, final)
        self._record(final, result, page, links)

    def _follow_links(self, page: Page, entry: Entry) -> list[tuple[str, Link]]:
        """Queue the followable links; return every http(s) link, normalised, for the record."""
        crawl = self.config.crawl
        follow_page = crawl.follow_nofollow or "nofollow" not in page.robots_directives
        depth = entry.depth + 1 if entry.depth is not None else None
        normalized = []
        for link in page.links:
            url = normalize_url(link.url, strip_params=self._strip)
            if url is None:
                continue
            normalized.append((url, link))
            if follow_page and (crawl.follow_nofollow or not link.nofollow):
                self.frontier.add(url, depth=depth, found_on=entry.url, source=Source.LINK)
        return normalized

    def _record(
        self,
        entry: Entry,
        result: FetchResult,
        page: Page | None = None,
        links: list[tuple[str, Link]] | None = None,
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
            title=page.title if page else None,
            encoding=result.encoding,
            truncated=result.truncated,
            in_sitemap=entry.url in self.sitemap_report.urls,
            outlinks=len(page.links) if page else 0,
        )
        self.pages.append(summary)
        stats = self.stats
        stats.done += 1
        stats.queued = self.frontier.queued
        stats.blocked += summary.blocked
        stats.errors += summary.failed
        if self._on_page is not None:
            self._on_page(summary, page, links or [])
        if self._progress is not None:
            self._progress(stats)


def _failed(url: str, error: str) -> FetchResult:
    return FetchResult(url=url, final_url=url, status=None, error=error)


def _normalize_all(urls: tuple[str, ...], strip: tuple[str, ...]) -> tuple[str, ...]:
    normalized = (normalize_url(url, strip_params=strip) for url in urls)
    return tuple(dict.fromkeys(url for url in normalized if url))
