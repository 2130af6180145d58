"""XML sitemaps: discovery (robots.txt ``Sitemap:`` lines and ``/sitemap.xml``),
sitemap indexes, gzip, and plain-text sitemaps.

Every sitemap is fetched through the same fetcher, scope and robots checks as a
page. Problems (a 404 sitemap, broken XML) are collected, never raised.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ElementTree
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from audit.crawl.decoding import inflate_gzip
from audit.crawl.fetcher import Fetcher, HopCheck, any_body
from audit.crawl.urls import normalize_url

log = logging.getLogger(__name__)

MAX_SITEMAP_BYTES = 50 * 1024 * 1024  # the sitemaps.org limit, uncompressed
MAX_SITEMAPS = 1000
MAX_INDEX_DEPTH = 3


@dataclass(slots=True)
class SitemapReport:
    """What sitemap discovery found: page URLs (with the sitemap that listed them) and problems."""

    urls: dict[str, str] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)


@dataclass(slots=True)
class _Parsed:
    pages: list[str] = field(default_factory=list)
    children: list[str] = field(default_factory=list)
    error: str | None = None


def parse_sitemap(data: bytes) -> _Parsed:
    """Parse one sitemap payload: ``<urlset>``, ``<sitemapindex>`` or one URL per line."""
    parsed = _Parsed()
    if data[:2] == b"\x1f\x8b":
        data, truncated = inflate_gzip(data, MAX_SITEMAP_BYTES)
        if truncated:
            parsed.error = f"larger than {MAX_SITEMAP_BYTES // 2**20} MB uncompressed; truncated"
    stripped = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not stripped.startswith(b"<"):
        text = stripped.decode("utf-8", errors="replace")
        parsed.pages = [line.strip() for line in text.splitlines() if line.strip()]
        return parsed
    try:
        root = ElementTree.fromstring(stripped)
    except ElementTree.ParseError as exc:
        parsed.error = f"invalid XML: {exc}"
        return parsed
    kind = _local(root.tag)
    entry_tag = {"urlset": "url", "sitemapindex": "sitemap"}.get(kind)
    if entry_tag is None:
        parsed.error = f"not a sitemap: the root element is <{kind}>"
        return parsed
    locs = [
        child.text.strip()
        for entry in root
        if _local(entry.tag) == entry_tag
        for child in entry
        if _local(child.tag) == "loc" and child.text and child.text.strip()
    ]
    if kind == "urlset":
        parsed.pages = locs
    else:
        parsed.children = locs
    return parsed


def _local(tag: str) -> str:
    """``{http://www.sitemaps.org/schemas/sitemap/0.9}loc`` → ``loc``."""
    return tag.rsplit("}", 1)[-1]


AllowedCheck = Callable[[str], Awaitable[str | None]]
"""Given a sitemap URL, return why it must not be fetched (scope, robots), or None."""


async def read_sitemaps(
    fetcher: Fetcher,
    sitemap_urls: list[str],
    *,
    may_fetch: AllowedCheck,
    check_hop: HopCheck | None = None,
    strip_params: tuple[str, ...] = (),
    optional: frozenset[str] = frozenset(),
) -> SitemapReport:
    """Fetch sitemaps and nested sitemap indexes breadth-first; collect page URLs.

    Args:
        fetcher: the run's fetcher.
        sitemap_urls: normalised sitemap URLs to start from.
        may_fetch: vets each sitemap URL before it is requested.
        check_hop: vets redirect targets.
        strip_params: query parameters to strip from listed page URLs.
        optional: sitemap URLs that were only guessed (``/sitemap.xml``): a 404
            there is not a problem worth reporting.
    """
    report = SitemapReport()
    seen = set(sitemap_urls)
    level = list(sitemap_urls)
    for _depth in range(MAX_INDEX_DEPTH + 1):
        next_level: list[str] = []
        for sitemap_url in level:
            if len(report.fetched) >= MAX_SITEMAPS:
                report.problems.append((sitemap_url, f"more than {MAX_SITEMAPS} sitemaps; skipped"))
                continue
            reason = await may_fetch(sitemap_url)
            if reason:
                report.problems.append((sitemap_url, f"not fetched: {reason}"))
                continue
            result = await fetcher.fetch(
                sitemap_url, check_hop=check_hop, want_body=any_body, max_bytes=MAX_SITEMAP_BYTES
            )
            report.fetched.append(sitemap_url)
            if not result.ok and sitemap_url in optional and result.status == 404:
                continue
            if not result.ok:
                report.problems.append(
                    (sitemap_url, result.error or f"answered HTTP {result.status}")
                )
                continue
            parsed = parse_sitemap(result.body)
            if parsed.error:
                report.problems.append((sitemap_url, parsed.error))
            for loc in parsed.pages:
                url = normalize_url(loc, base=result.final_url, strip_params=strip_params)
                if url is None:
                    report.problems.append((sitemap_url, f"not an http(s) URL: {loc[:200]}"))
                else:
                    report.urls.setdefault(url, sitemap_url)
            for loc in parsed.children:
                child = normalize_url(loc, base=result.final_url)
                if child and child not in seen:
                    seen.add(child)
                    next_level.append(child)
        level = next_level
        if not level:
            break
    for sitemap_url in level:
        report.problems.append((sitemap_url, "sitemap index nested too deep; skipped"))
    log.info("sitemaps: %d read, %d page URLs", len(report.fetched), len(report.urls))
    return report
