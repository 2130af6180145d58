"""Per-host politeness: a concurrency cap and a minimum interval between requests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit


class HostGate:
    """Admits ``concurrency`` requests at a time to one host, ``interval`` seconds apart."""

    def __init__(self, concurrency: int, interval: float) -> None:
        self.interval = interval
        self._semaphore = asyncio.Semaphore(concurrency)
        self._lock = asyncio.Lock()
        self._next_start = 0.0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the host's request slots, waiting for the interval first."""
        async with self._semaphore:
            if self.interval > 0:
                async with self._lock:
                    loop = asyncio.get_running_loop()
                    wait = self._next_start - loop.time()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    self._next_start = loop.time() + self.interval
            yield


class Politeness:
    """One :class:`HostGate` per host (``host:port``), created on first use."""

    def __init__(self, per_host_concurrency: int, min_interval: float) -> None:
        self._concurrency = per_host_concurrency
        self._min_interval = min_interval
        self._gates: dict[str, HostGate] = {}

    def gate(self, url: str) -> HostGate:
        """The gate for the host of ``url``."""
        key = urlsplit(url).netloc
        gate = self._gates.get(key)
        if gate is None:
            gate = self._gates[key] = HostGate(self._concurrency, self._min_interval)
        return gate

    def slow_down(self, url: str, interval: float) -> None:
        """Raise the host's interval (robots.txt Crawl-delay); never lowers it."""
        gate = self.gate(url)
        gate.interval = max(gate.interval, interval)
