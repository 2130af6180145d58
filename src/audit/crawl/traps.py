"""The crawl-trap guard: bounded limits on URL families a site can generate without end.

A crawl trap is a part of a site that makes up new URLs forever: a calendar whose
"next month" link never stops, a listing that links to itself with every sort
order, page number and a fresh session id, relative links that resolve against
an ever deeper path. The page budget (``crawl.max_pages``) ends such a crawl,
but only after the trap has eaten the budget meant for the real pages. The
guard refuses trap URLs before they are queued (they are never requested),
counts them under the pattern they share, and hands the counts over as
:class:`~audit.models.CrawlTrap` records that the ``crawl-trap`` rule reports
once per pattern. Four limits, each ``None`` to switch it off:

- ``url-length`` (``crawl.max_url_length``, 2048): longer URLs are refused.
  Screaming Frog's default limit is 2,000 characters, Scrapy's
  ``URLLENGTH_LIMIT`` 2,083 (the old Internet Explorer limit); the sitemaps
  protocol allows 2,048, which is the default here.
- ``path-repeats`` (``crawl.max_path_repeats``, 2): a path segment that occurs
  more often is refused (``/a/b/a/b/a/b/``, ``/page/2/page/3/page/4/``: relative
  links resolved against an ever deeper path). Heritrix's
  ``PathologicalPathDecideRule`` rejects a segment repeated three times in a row
  by default.
- ``query-variants`` (``crawl.max_query_variants``, 25): at most that many
  distinct query strings per path (sort orders, filters, session ids). The idea
  of ZAP's spider ``maxChildren`` ("data driven applications that have large
  numbers of pages that are in fact exactly the same code"); Screaming Frog and
  Sitebulb leave the choice to the user (URL rewriting, exclusions).
- ``date-variants`` (``crawl.max_date_variants``, 36): at most that many URLs per
  pattern that differs only in a date: ``/calendar/2026/11``,
  ``/events/2026-11-05``, ``?month=2026-11``, ``?year=2026&month=11``; 36 leaves
  three years of monthly archive pages. Only a year followed by a month (or a
  full date) counts as a date, so ``/product/2026`` is not one.

Start URLs and sitemap URLs are neither refused nor counted (the site owner
listed them); the frontier only asks about links and redirect targets. Memory
stays bounded by the number of distinct paths and patterns: refused URLs are
remembered as 64-bit hashes, only to count each one once.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from audit.models import CrawlTrap

if TYPE_CHECKING:
    from audit.config import CrawlConfig

URL_LENGTH = "url-length"
PATH_REPEATS = "path-repeats"
QUERY_VARIANTS = "query-variants"
DATE_VARIANTS = "date-variants"
EXAMPLE_CHARS = 300

_YEAR = re.compile(r"(?:19|20|21)\d\d")
_MONTH = re.compile(r"0?[1-9]|1[0-2]")
_DAY = re.compile(r"0?[1-9]|[12]\d|3[01]")
# A year and a month (and a day), with a separator: 2026-11, 2026_11_05, 2026.11.05.
_DATE = re.compile(r"(?:19|20|21)\d\d([-_.])(?:0?[1-9]|1[0-2])(?:\1(?:0?[1-9]|[12]\d|3[01]))?")
_YEAR_KEYS = frozenset({"year", "yr", "y"})
_PART_KEYS = frozenset({"month", "mon", "m", "day", "d", "week", "w"})


@dataclass(slots=True)
class _Tally:
    limit: int
    example: str
    found_on: str | None
    seen: set[int] = field(default_factory=set)


class TrapGuard:
    """Decides, URL by URL, whether a link leads into a crawl trap; keeps the counts."""

    def __init__(
        self,
        *,
        max_url_length: int | None = 2048,
        max_path_repeats: int | None = 2,
        max_query_variants: int | None = 25,
        max_date_variants: int | None = 36,
    ) -> None:
        self.max_url_length = max_url_length
        self.max_path_repeats = max_path_repeats
        self.max_query_variants = max_query_variants
        self.max_date_variants = max_date_variants
        self._queries: Counter[str] = Counter()
        self._dates: Counter[str] = Counter()
        self._refused: dict[tuple[str, str], _Tally] = {}

    @classmethod
    def from_config(cls, crawl: CrawlConfig) -> TrapGuard:
        """The guard with the limits of ``crawl``."""
        return cls(
            max_url_length=crawl.max_url_length,
            max_path_repeats=crawl.max_path_repeats,
            max_query_variants=crawl.max_query_variants,
            max_date_variants=crawl.max_date_variants,
        )

    def refuse(self, url: str, found_on: str | None = None) -> str | None:
        """Count a new normalised URL; return the limit that refuses it, or None to admit it.

        Call once per distinct URL (the frontier asks only about URLs it has not seen).
        """
        parts = urlsplit(url)
        site = f"{parts.scheme}://{parts.netloc}"
        refusal = self._check(url, site, parts.path, parts.query)
        if refusal is not None:
            kind, pattern, limit = refusal
            tally = self._refused.get((kind, pattern))
            if tally is None:
                tally = self._refused[(kind, pattern)] = _Tally(limit, url, found_on)
            tally.seen.add(hash(url))
            return kind
        if parts.query and self.max_query_variants is not None:
            self._queries[site + parts.path] += 1
        template = date_template(parts.path, parts.query)
        if template is not None and self.max_date_variants is not None:
            self._dates[site + template] += 1
        return None

    def traps(self) -> list[CrawlTrap]:
        """One record per pattern that refused URLs, most refused first."""
        records = [
            CrawlTrap(
                kind=kind,
                pattern=pattern,
                limit=tally.limit,
                refused=len(tally.seen),
                example=_clip(tally.example),
                found_on=tally.found_on,
            )
            for (kind, pattern), tally in self._refused.items()
        ]
        return sorted(records, key=lambda trap: (-trap.refused, trap.kind, trap.pattern))

    def _check(self, url: str, site: str, path: str, query: str) -> tuple[str, str, int] | None:
        if self.max_url_length is not None and len(url) > self.max_url_length:
            first = path.lstrip("/").split("/", 1)[0]
            return URL_LENGTH, f"{site}/{_clip(first, 60)}…", self.max_url_length
        if self.max_path_repeats is not None:
            prefix = repeated_prefix(path, self.max_path_repeats)
            if prefix is not None:
                return PATH_REPEATS, f"{site}{prefix}…", self.max_path_repeats
        limit = self.max_query_variants
        if query and limit is not None and self._queries[site + path] >= limit:
            return QUERY_VARIANTS, f"{site}{path}?…", limit
        limit = self.max_date_variants
        if limit is not None:
            template = date_template(path, query)
            if template is not None and self._dates[site + template] >= limit:
                return DATE_VARIANTS, site + template, limit
        return None


def repeated_prefix(path: str, max_repeats: int) -> str | None:
    """The path up to the segment that occurs more than ``max_repeats`` times, or None."""
    counts: Counter[str] = Counter()
    segments = path.split("/")
    for index, segment in enumerate(segments):
        if not segment:
            continue
        counts[segment] += 1
        if counts[segment] > max_repeats:
            return "/".join(segments[: index + 1]) + "/"
    return None


def date_template(path: str, query: str) -> str | None:
    """``path?query`` with its date parts replaced by ``{year}``, ``{month}``, ``{day}``
    or ``{date}``; None when it holds no date (a year alone is not one)."""
    masked = False
    segments = path.split("/")
    index = 0
    while index < len(segments):
        segment = segments[index]
        if _DATE.fullmatch(segment):
            segments[index] = "{date}"
            masked = True
        elif (
            _YEAR.fullmatch(segment)
            and index + 1 < len(segments)
            and _MONTH.fullmatch(segments[index + 1])
        ):
            segments[index : index + 2] = ["{year}", "{month}"]
            masked = True
            if index + 2 < len(segments) and _DAY.fullmatch(segments[index + 2]):
                segments[index + 2] = "{day}"
                index += 1
            index += 1
        index += 1
    pairs = [pair.partition("=") for pair in query.split("&")] if query else []
    has_year = any(key.lower() in _YEAR_KEYS and _YEAR.fullmatch(value) for key, _, value in pairs)
    masked_pairs = []
    for key, equals, value in pairs:
        name = key.lower()
        if _DATE.fullmatch(value):
            value, masked = "{date}", True
        elif has_year and name in _YEAR_KEYS and _YEAR.fullmatch(value):
            value, masked = "{year}", True
        elif has_year and name in _PART_KEYS and value.isdigit() and len(value) <= 2:
            value, masked = f"{{{name}}}", True
        masked_pairs.append(f"{key}{equals}{value}")
    if not masked:
        return None
    masked_query = "&".join(masked_pairs)
    return "/".join(segments) + (f"?{masked_query}" if masked_query else "")


def _clip(text: str, limit: int = EXAMPLE_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
