"""Private helpers shared by the site rules that compare pages (not a rule: no META, no check()).

- :func:`finding`: a :class:`~audit.models.Finding` of a site rule on one URL;
- :func:`normal_text`: the form in which titles, descriptions and headings are compared;
- :func:`ordered_facts`: the pages in a stable order (depth, then URL);
- :func:`identity`: the URL a page stands for (its canonical when it names one);
- :func:`duplicate_groups`: pages that share one value, canonicalised copies merged;
- :func:`url_list` / :func:`short_url`: capped, readable lists of URLs for messages.
"""

from __future__ import annotations

import hashlib
import itertools
import operator
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from urllib.parse import urlsplit

from audit.dom import clip
from audit.models import Finding
from audit.rules.base import RuleMeta
from audit.site import PageFacts, Site

MAX_LISTED = 10
"""How many other URLs a message names before "and N more"."""


def normal_text(value: str | None) -> str:
    """NFKC, case-folded, whitespace collapsed ("" for None or blank)."""
    if not value:
        return ""
    return " ".join(unicodedata.normalize("NFKC", value).casefold().split())


def identity(facts: PageFacts) -> str:
    """The URL a page stands for: the one its canonical names, else its own."""
    return facts.canonical or facts.url


def duplicate_groups(
    facts: Callable[[], Iterable[PageFacts]], key: Callable[[PageFacts], str | None]
) -> Iterator[tuple[str, list[PageFacts]]]:
    """``(value, pages)`` for each non-empty value shared by two or more distinct pages.

    Pages whose canonical names the same URL, or names another page of the
    group, are one page: only the page that the canonical names (or the first
    of them) is kept. Groups and pages come in crawl order.

    Two passes over ``facts()`` (a fresh iterable each time): the first keeps
    only an 8-byte digest per value, to learn which values repeat; the second
    keeps only the pages holding one of those. Memory follows the duplicates,
    not the site (100,000 pages' facts would take hundreds of MB).
    """
    seen: set[int] = set()
    repeated: set[int] = set()
    for page in facts():
        value = key(page)
        if value:
            digest = _digest(value)
            (repeated if digest in seen else seen).add(digest)
    seen.clear()
    groups: dict[str, list[PageFacts]] = {}
    for page in facts():
        value = key(page)
        if value and _digest(value) in repeated:
            groups.setdefault(value, []).append(page)
    for value, pages in groups.items():
        if len(pages) < 2:
            continue
        kept: dict[str, PageFacts] = {}
        for page in pages:
            target = identity(page)
            if target not in kept or page.url == target:
                kept[target] = page
        if len(kept) > 1:
            order = {page.url: index for index, page in enumerate(pages)}
            yield value, sorted(kept.values(), key=lambda page: order[page.url])


def _digest(value: str) -> int:
    return int.from_bytes(hashlib.blake2b(value.encode(), digest_size=8).digest(), "little")


def ordered_facts(site: Site, *fields: str) -> Iterable[PageFacts]:
    """The HTML pages that answered 200 by click depth, then URL: the same order every run.

    The crawl order varies with concurrency; "the first page" and the order of
    listed URLs should not. ``fields`` names the facts the caller compares
    (besides the URL, ``indexable`` and ``canonical``, always there): facts on
    disk are read for those only, the others keep their defaults. None named:
    every fact.
    """
    ordered = getattr(site.facts, "ordered", None)
    if ordered is not None:  # facts on disk (a crawl): sorted by the store, read one by one
        return ordered(fields or None)
    rows = site.by_url

    def rank(page: PageFacts) -> tuple[int, str]:
        row = rows.get(page.url)
        depth = row.depth if row is not None and row.depth is not None else 1 << 30
        return depth, page.url

    return sorted(site.facts.values(), key=rank)


def indexable_pages(pages: Iterable[PageFacts]) -> Iterator[PageFacts]:
    """The pages that search engines may index (no ``noindex``)."""
    return (page for page in pages if page.indexable)


def url_list(urls: Iterable[str], total: int | None = None, limit: int = MAX_LISTED) -> str:
    """``"a, b and c"`` — at most ``limit`` items, then "and N more" (of ``total`` items)."""
    items = list(itertools.islice(urls, limit + 1))
    total = len(items) if total is None else total
    if total > limit:
        return ", ".join(items[:limit]) + f" and {total - limit} more"
    if len(items) > 1:
        return ", ".join(items[:-1]) + " and " + items[-1]
    return items[0] if items else ""


def short_url(url: str, relative_to: str) -> str:
    """``url`` as a path when it is on the same origin as ``relative_to``, else in full."""
    parts, base = urlsplit(url), urlsplit(relative_to)
    if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
        return url
    return parts.path + (f"?{parts.query}" if parts.query else "")


def plural(count: int, word: str) -> str:
    """``"1 page"``, ``"3 pages"``."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def value_duplicates(
    meta: RuleMeta, site: Site, field: str, what: str, fix: str
) -> Iterator[Finding]:
    """One finding per page whose fact ``field`` (normalised) another indexable page repeats."""
    value: Callable[[PageFacts], str | None] = operator.attrgetter(field)
    for _, pages in duplicate_groups(
        lambda: indexable_pages(ordered_facts(site, field)), lambda page: normal_text(value(page))
    ):
        for page in pages:
            others = (other.url for other in pages if other is not page)
            count = len(pages) - 1
            shown = clip(value(page) or "", 90)
            yield meta.at(
                page.url,
                f'The {what} "{shown}" is also used on '
                f"{plural(count, 'other indexable page')}: {url_list(others, count)}.",
                evidence=value(page) or "",
                fix=fix,
            )
