"""Per-host politeness: a concurrency cap, a minimum interval, and an automatic slow-down.

Each host gets a :class:`HostGate`. Besides the configured cap and interval,
the gate adapts like TCP congestion control (additive increase,
multiplicative decrease): when the host answers 429 or 503, times out, drops
connections, or its response time climbs past three times the fastest it has
shown, the gate halves the requests it lets through at once (down to one) and
adds a pause between requests; after a run of healthy answers it lets one
more through, back up to the configured cap. A gate changes its mind at most
once per ``COOL_DOWN`` seconds, so one burst of failures halves it only once.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from urllib.parse import urlsplit

log = logging.getLogger(__name__)

OVERLOAD_STATUSES = frozenset({429, 503})
COOL_DOWN = 1.0
"""Seconds between two changes of one host's limit."""
SLOW_FACTOR = 3.0
"""A response this many times slower than the host's fastest (smoothed) is a warning sign."""
SLOW_FLOOR = 2.0
"""…and above this many seconds: a busy crawler delays its own reading by a fraction of that."""
MAX_PAUSE = 5.0


@dataclass
class ThrottleReport:
    """How a host's gate adapted during the crawl (for run.json)."""

    host: str
    slowdowns: int = 0
    lowest_concurrency: int = 0
    reason: str = ""


class HostGate:
    """Admits up to ``limit`` requests at a time to one host, ``interval`` seconds apart.

    ``limit`` starts at ``concurrency`` and adapts when ``adaptive`` is set (see
    the module docstring); call :meth:`observe` with each answer.
    """

    def __init__(
        self,
        concurrency: int,
        interval: float,
        *,
        adaptive: bool = True,
        host: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval = interval
        self.maximum = concurrency
        self.limit = concurrency
        self.adaptive = adaptive
        self.pause = 0.0
        self.report = ThrottleReport(host, lowest_concurrency=concurrency)
        self._clock = clock
        self._in_flight = 0
        self._changed = asyncio.Condition()
        self._lock = asyncio.Lock()
        self._next_start = 0.0
        self._fastest: float | None = None
        self._smoothed: float | None = None
        self._healthy_streak = 0
        self._last_change = -COOL_DOWN
        self._recent: deque[float] = deque(maxlen=5)

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the host's request slots, waiting for the interval first."""
        async with self._changed:
            await self._changed.wait_for(lambda: self._in_flight < self.limit)
            self._in_flight += 1
        try:
            spacing = max(self.interval, self.pause)
            if spacing > 0:
                async with self._lock:
                    loop = asyncio.get_running_loop()
                    wait = self._next_start - loop.time()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    self._next_start = loop.time() + spacing
            yield
        finally:
            async with self._changed:
                self._in_flight -= 1
                self._changed.notify_all()

    def observe(self, status: int | None, elapsed: float, *, failed: bool) -> None:
        """Learn from one answer: slow down on overload, speed up again when healthy."""
        if not self.adaptive:
            return
        if status in OVERLOAD_STATUSES:
            self._slow_down(f"answered {status}")
            return
        if failed:
            self._slow_down("failed to answer")
            return
        self._recent.append(elapsed)
        smoothed = elapsed if self._smoothed is None else 0.8 * self._smoothed + 0.2 * elapsed
        self._smoothed = smoothed
        if len(self._recent) == self._recent.maxlen:
            self._fastest = smoothed if self._fastest is None else min(self._fastest, smoothed)
        fastest = self._fastest
        if fastest is not None and smoothed > max(SLOW_FLOOR, SLOW_FACTOR * fastest):
            self._slow_down(f"slowed to {smoothed:.1f} s per answer")
            return
        self._healthy_streak += 1
        if self._healthy_streak >= max(5, self.limit) and self._may_change():
            self._healthy_streak = 0
            if self.pause:
                self.pause = self.pause / 2 if self.pause > 0.05 else 0.0
            elif self.limit < self.maximum:
                self._set_limit(self.limit + 1)

    def _slow_down(self, reason: str) -> None:
        self._healthy_streak = 0
        if not self._may_change():
            return
        self.report.slowdowns += 1
        self.report.reason = reason
        if self.limit > 1:
            self._set_limit(max(1, self.limit // 2))
        else:
            self.pause = min(MAX_PAUSE, max(0.25, self.pause * 2))
        self.report.lowest_concurrency = min(self.report.lowest_concurrency, self.limit)
        log.warning(
            "%s %s: now %d request(s) at a time%s",
            self.report.host,
            reason,
            self.limit,
            f", {self.pause:.2f} s apart" if self.pause else "",
        )

    def _may_change(self) -> bool:
        now = self._clock()
        if now - self._last_change < COOL_DOWN:
            return False
        self._last_change = now
        return True

    def _set_limit(self, limit: int) -> None:
        raised = limit > self.limit
        self.limit = limit
        if raised:
            # Waiters re-check the limit; notify without awaiting the condition's lock.
            asyncio.get_running_loop().create_task(self._wake())

    async def _wake(self) -> None:
        async with self._changed:
            self._changed.notify_all()


class Politeness:
    """One :class:`HostGate` per host (``host:port``), created on first use."""

    def __init__(
        self, per_host_concurrency: int, min_interval: float, *, adaptive: bool = True
    ) -> None:
        self._concurrency = per_host_concurrency
        self._min_interval = min_interval
        self._adaptive = adaptive
        self._gates: dict[str, HostGate] = {}

    def gate(self, url: str) -> HostGate:
        """The gate for the host of ``url``."""
        key = urlsplit(url).netloc
        gate = self._gates.get(key)
        if gate is None:
            gate = self._gates[key] = HostGate(
                self._concurrency, self._min_interval, adaptive=self._adaptive, host=key
            )
        return gate

    def slow_down(self, url: str, interval: float) -> None:
        """Raise the host's interval (robots.txt Crawl-delay); never lowers it."""
        gate = self.gate(url)
        gate.interval = max(gate.interval, interval)

    def reports(self) -> list[ThrottleReport]:
        """The hosts whose gate had to slow down."""
        return [gate.report for gate in self._gates.values() if gate.report.slowdowns]
