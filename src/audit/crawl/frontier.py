"""The crawl frontier: what to fetch next, what was seen, and how each URL was found.

URLs are served shallowest first, and a URL at depth d is only served once no
page shallower than d - 1 is still being fetched, so the recorded depth is the
exact click depth from the start URLs whatever the concurrency: every page
that could still reach it by a shorter path has finished. A URL rediscovered
at a smaller depth while still queued takes that depth and the new referrer.
URLs known only from a sitemap have no click depth (``None``) and are served
after every linked URL.

Memory: with a journal that can look entries up again (the run's SQLite store),
entries already fetched are dropped from memory once more than
``max_in_memory`` URLs are known, and looked up in the journal when a link
names them again. What stays in memory is the queue itself.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from audit.crawl.traps import TrapGuard
from audit.crawl.urls import Scope


class Source(StrEnum):
    """How a URL entered the frontier."""

    START = "start"
    LINK = "link"
    SITEMAP = "sitemap"
    REDIRECT = "redirect"


class Refusal(StrEnum):
    """Why :meth:`Frontier.add` did not queue a URL."""

    SEEN = "seen"
    OUT_OF_SCOPE = "out-of-scope"
    TOO_DEEP = "too-deep"
    TRAP = "trap"


@dataclass(slots=True)
class Entry:
    """A URL known to the crawl."""

    url: str
    depth: int | None
    found_on: str | None
    source: Source
    done: bool = False
    taken: bool = False
    """Taken from the queue to be fetched (a redirect target is claimed, not taken)."""


MAX_IN_MEMORY = 50_000
"""Known URLs kept in memory before fetched ones are left to the journal (~250 bytes each)."""


class Frontier:
    """A priority queue by click depth, with de-duplication, scope and limits.

    Args:
        on_change: called with each entry added, moved to a smaller depth, taken
            or claimed (a journal).
        recall: looks up an entry in that journal; with it, fetched entries
            leave memory beyond ``max_in_memory`` known URLs (default
            :data:`MAX_IN_MEMORY`).
    """

    def __init__(
        self,
        scope: Scope,
        *,
        max_pages: int,
        max_depth: int | None = None,
        guard: TrapGuard | None = None,
        on_change: Callable[[Entry], None] | None = None,
        recall: Callable[[str], Entry | None] | None = None,
        max_in_memory: int | None = None,
    ) -> None:
        self.scope = scope
        self.on_change = on_change
        self.max_pages = max_pages
        self.max_depth = max_depth
        self.guard = guard
        self._recall = recall
        self._max_in_memory = max_in_memory or MAX_IN_MEMORY
        self._spill_at = self._max_in_memory
        self._entries: dict[str, Entry] = {}
        self._heap: list[tuple[float, int, str]] = []
        self._counter = itertools.count()
        self.scheduled = 0
        self.spilled = 0
        """Fetched entries dropped from memory (still in the journal)."""

    def __contains__(self, url: str) -> bool:
        return self.get(url) is not None

    def get(self, url: str) -> Entry | None:
        """The entry of a known URL (from the journal when it left memory)."""
        entry = self._entries.get(url)
        if entry is None and self.spilled and self._recall is not None:
            entry = self._recall(url)
            if entry is not None:
                entry.done = True  # only fetched entries leave memory
        return entry

    def add(
        self, url: str, *, depth: int | None, found_on: str | None, source: Source
    ) -> Refusal | None:
        """Queue a normalised URL; return why it was refused, or None when queued."""
        entry = self.get(url)
        if entry is not None:
            shallower = depth is not None and (entry.depth is None or depth < entry.depth)
            if shallower and not entry.done:
                entry.depth, entry.found_on, entry.source = depth, found_on, source
                self._push(entry)
                self._changed(entry)
            return Refusal.SEEN
        if source is not Source.START and not self.scope.allows(url):
            return Refusal.OUT_OF_SCOPE
        if depth is not None and self.max_depth is not None and depth > self.max_depth:
            return Refusal.TOO_DEEP
        # Crawl traps: links and redirect targets only (start and sitemap URLs were listed).
        listed = source in (Source.START, Source.SITEMAP)
        if self.guard is not None and not listed and self.guard.refuse(url, found_on):
            return Refusal.TRAP
        entry = self._entries[url] = Entry(url, depth, found_on, source)
        self._push(entry)
        self._changed(entry)
        self._spill_if_big()
        return None

    def claim(self, url: str, *, depth: int | None, found_on: str | None) -> Entry:
        """Take a URL reached by a redirect out of the queue so it is fetched only once.

        A URL already queued keeps how it was found; a new one is recorded as
        found by ``found_on`` (the URL that redirected to it).
        """
        entry = self.get(url)
        if entry is None:
            entry = self._entries[url] = Entry(url, depth, found_on, Source.REDIRECT)
        entry.done = True
        self._changed(entry)
        return entry

    def pop(self, *, shallowest_in_flight: int | None = None) -> Entry | None:
        """The next URL to fetch, or None when nothing is ready or the page budget is spent.

        Args:
            shallowest_in_flight: the smallest depth among pages being fetched
                (None when no page with a depth is in flight). A page that
                shallow may still find a shorter path to the next URL, so the
                next URL waits unless its depth is at most one more.
        """
        while self._heap and self.scheduled < self.max_pages:
            priority, _, url = self._heap[0]
            entry = self._entries.get(url)  # None: fetched, and left memory
            if entry is None or entry.done or priority != _priority(entry):
                heapq.heappop(self._heap)
                continue
            if shallowest_in_flight is not None and (
                entry.depth is None or entry.depth > shallowest_in_flight + 1
            ):
                return None
            heapq.heappop(self._heap)
            entry.done = True
            entry.taken = True
            self.scheduled += 1
            self._changed(entry)
            return entry
        return None

    def restore(self, entry: Entry, *, recorded: bool) -> None:
        """Put back an entry of an interrupted crawl (see ``audit crawl --resume``).

        A recorded entry is done (and counts against ``max_pages`` if it was taken
        from the queue); any other entry is queued again, including one that was
        being fetched when the crawl stopped.
        """
        entry.done = recorded
        self._entries[entry.url] = entry
        if recorded:
            self.scheduled += entry.taken
        else:
            entry.taken = False
            self._push(entry)
        self._spill_if_big()

    def _spill_if_big(self) -> None:
        """Drop fetched entries from memory (the journal has them) beyond the threshold."""
        if self._recall is None or len(self._entries) <= self._spill_at:
            return
        done = [url for url, entry in self._entries.items() if entry.done]
        for url in done:
            del self._entries[url]
        self.spilled += len(done)
        # The next look once a quarter more URLs are known: each scan is paid for by them.
        self._spill_at = max(self._max_in_memory, len(self._entries) + self._max_in_memory // 4)

    def _changed(self, entry: Entry) -> None:
        if self.on_change is not None:
            self.on_change(entry)

    @property
    def queued(self) -> int:
        """URLs waiting in the queue (an upper bound: stale heap slots are counted)."""
        return len(self._heap)

    def pending(self) -> int:
        """URLs still waiting to be fetched (exact; walks the queue)."""
        return sum(1 for entry in self._entries.values() if not entry.done)

    def _push(self, entry: Entry) -> None:
        heapq.heappush(self._heap, (_priority(entry), next(self._counter), entry.url))


def _priority(entry: Entry) -> float:
    return math.inf if entry.depth is None else entry.depth
