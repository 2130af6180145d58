"""robots.txt per host, parsed with protego, fetched once and shared by all workers.

Status handling follows RFC 9309: a 4xx robots.txt means no restrictions; a
5xx or an unreachable server means the whole host is disallowed (and the run
says so), because the site may be shielding itself.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

from protego import Protego

from audit.crawl.fetcher import Fetcher, HopCheck, any_body
from audit.crawl.urls import origin

log = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 512 * 1024  # RFC 9309: parse at least 500 KiB


@dataclass(slots=True)
class RobotsFile:
    """What one host's robots.txt said, and how we got it."""

    url: str
    status: int | None
    parser: Protego | None = None
    disallow_all: bool = False
    error: str | None = None
    sitemaps: tuple[str, ...] = field(default_factory=tuple)

    def allows(self, url: str, user_agent: str) -> bool:
        """True when ``url`` may be fetched by ``user_agent``."""
        if self.disallow_all:
            return False
        return self.parser is None or self.parser.can_fetch(url, user_agent)

    def crawl_delay(self, user_agent: str) -> float:
        """The Crawl-delay for ``user_agent`` in seconds (0 when none)."""
        if self.parser is None:
            return 0.0
        delay = self.parser.crawl_delay(user_agent)
        return float(delay) if delay else 0.0


class RobotsCache:
    """Fetches each origin's robots.txt once, on first need, and answers ``allowed``."""

    def __init__(self, fetcher: Fetcher, user_agent: str, *, enabled: bool = True) -> None:
        self._fetcher = fetcher
        self._user_agent = user_agent
        self._enabled = enabled
        self._files: dict[str, RobotsFile] = {}
        self._locks: dict[str, asyncio.Lock] = {}
        self.hop_check: HopCheck | None = None

    @property
    def files(self) -> list[RobotsFile]:
        """Every robots.txt fetched so far."""
        return list(self._files.values())

    async def get(self, url: str) -> RobotsFile:
        """The robots.txt of ``url``'s origin, fetched on first use."""
        key = origin(url)
        robots = self._files.get(key)
        if robots is not None:
            return robots
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            robots = self._files.get(key)
            if robots is None:
                robots = self._files[key] = await self._load(key)
        return robots

    async def allowed(self, url: str) -> bool:
        """True when robots.txt lets us fetch ``url`` (always, when robots are ignored)."""
        if not self._enabled:
            return True
        robots = await self.get(url)
        return robots.allows(url, self._user_agent)

    async def _load(self, site_origin: str) -> RobotsFile:
        robots_url = f"{site_origin}/robots.txt"
        result = await self._fetcher.fetch(
            robots_url, check_hop=self.hop_check, want_body=any_body, max_bytes=ROBOTS_MAX_BYTES
        )
        robots = RobotsFile(url=robots_url, status=result.status, error=result.error)
        if result.status is not None and 200 <= result.status < 300 and not result.error:
            text = result.body.decode("utf-8", errors="replace")
            robots.parser = Protego.parse(text)
            robots.sitemaps = tuple(robots.parser.sitemaps)
            delay = robots.crawl_delay(self._user_agent)
            if delay and self._enabled:
                self._fetcher.politeness.slow_down(site_origin, delay)
        elif result.status is None or result.status >= 500 or result.status == 429:
            robots.disallow_all = self._enabled
            reason = result.error or f"status {result.status}"
            log.warning(
                "%s unavailable (%s): treating %s as fully disallowed (RFC 9309)",
                robots_url,
                reason,
                site_origin,
            )
        return robots
