"""Indexable pages whose main text is nearly the same.

## What it does
Finds pages whose main text (the visible text outside `<nav>`, `<header>`,
`<footer>` and `<aside>`) differs in only a few words: the same article under
two paths with a changed date line, city pages that swap one place name,
treatment pages cloned from one template. Each page's text is reduced to a
64-bit SimHash of its three-word shingles; two texts are near-duplicates
when their hashes differ in at most `max_distance` bits. With the default of
3 bits that is roughly 95 % similar (1 − 3/64); raise it to catch looser
copies (6 bits ≈ 90 %), lower it for fewer, closer matches.

Only indexable HTML pages that answered 200 with at least `min_words` words
of main text take part. Pages whose text is exactly the same are reported by
`content-duplicate` instead (of a set of exact copies, only the first, by
click depth then URL, takes part here), and pages whose canonical link names
the same URL count as one. One finding per page lists its near-duplicates
(the first 10, closest first, then "and N more") with their similarity.

To stay fast on large sites, pages are not compared all with all: the 64
bits are cut into `max_distance + 1` bands, and only pages that share one
whole band are compared (two hashes that differ in at most `max_distance`
bits must agree on at least one band). A band value shared by more than
`max_bucket` pages (a template used across the site) is only compared among
its first `max_bucket` pages.

## Why is this bad?
Search engines treat near-copies as duplicates: they show one and drop the
rest, so the extra pages earn nothing, and the choice may be the wrong page.
Thin variations of one text also read as low-effort content, which weighs on
how the whole site is judged.

## Example
`/areas/hsinchu/` and `/areas/zhubei/` carry the same 300 words about
rosacea treatment; only the city name in one sentence differs.

```html
<main><h1>Rosacea treatment in Zhubei</h1><p>The same 300 words as the Hsinchu page …</p></main>
```

Use instead:
```html
<main><h1>Rosacea treatment in Zhubei</h1><p>Directions, parking, the doctors on duty and
local patient questions: text written for this page …</p></main>
```

## Options
- `min_words`: pages with fewer words of main text than this are not
  compared (default 50).
- `max_distance`: the most SimHash bits (of 64) in which two near-duplicate
  texts may differ (default 3, ≈ 95 % similar; 0 to 31).
- `max_bucket`: the most pages compared with each other within one band
  value (default 200); keeps the work linear in the number of pages.

## References
- [Google: Duplicate content](https://developers.google.com/search/docs/advanced/guidelines/duplicate-content)
- [Manku, Jain, Das Sarma: Detecting near-duplicates for web crawling (WWW 2007)](https://research.google/pubs/detecting-near-duplicates-for-web-crawling/)
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from audit.models import Finding, Severity
from audit.rules.base import RuleMeta, RuleScope
from audit.rules.duplicates._util import (
    MAX_LISTED,
    identity,
    indexable_pages,
    ordered_facts,
    plural,
    url_list,
)
from audit.site import PageFacts, Site

META = RuleMeta(
    code="K105",
    name="content-near-duplicate",
    category="content",
    severity=Severity.NOTICE,
    scope=RuleScope.SITE,
)
BITS = 64


@dataclass(frozen=True)
class Options:
    """Settings of content-near-duplicate."""

    min_words: int = 50
    max_distance: int = 3
    max_bucket: int = 200


def bands(max_distance: int) -> list[tuple[int, int]]:
    """``(shift, mask)`` of ``max_distance + 1`` bands covering the 64 bits."""
    count = max(1, min(max_distance + 1, BITS))
    width, extra = divmod(BITS, count)
    result, shift = [], 0
    for index in range(count):
        size = width + (index < extra)
        result.append((shift, (1 << size) - 1))
        shift += size
    return result


def candidate_pairs(
    hashes: Sequence[int], max_distance: int, max_bucket: int = 200
) -> Iterator[tuple[int, int]]:
    """Index pairs ``(i, j)``, i < j, of hashes that agree on at least one whole band.

    Every pair within ``max_distance`` bits is among them (pigeonhole), unless a
    band bucket overflowed ``max_bucket``; each pair is yielded once (in the first
    band that pairs it, so no set of pairs is kept). The work is at most
    ``bands × n × max_bucket / 2`` comparisons, whatever the hashes.
    """
    done: list[tuple[int, int, bytearray]] = []  # earlier bands and who entered their buckets
    for shift, mask in bands(max_distance):
        buckets: dict[int, list[int]] = {}
        admitted = bytearray(len(hashes))
        for index, value in enumerate(hashes):
            members = buckets.setdefault((value >> shift) & mask, [])
            if len(members) < max_bucket:
                members.append(index)
                admitted[index] = 1
        for members in buckets.values():
            for position, first in enumerate(members):
                for second in members[position + 1 :]:
                    if not _paired_before(hashes[first] ^ hashes[second], first, second, done):
                        yield first, second
        done.append((shift, mask, admitted))


def _paired_before(
    xor: int, first: int, second: int, done: list[tuple[int, int, bytearray]]
) -> bool:
    """True when an earlier band already paired these two (equal band, both in its bucket)."""
    return any(
        not (xor >> shift) & mask and admitted[first] and admitted[second]
        for shift, mask, admitted in done
    )


def similarity(distance: int) -> int:
    """Percent similarity of two SimHashes ``distance`` bits apart (99 at most: texts differ)."""
    return min(99, round(100 * (BITS - distance) / BITS))


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per indexable page with near-duplicate main text elsewhere."""
    max_distance = max(0, min(opts.max_distance, 31))
    by_identity: dict[str, PageFacts] = {}
    for page in indexable_pages(ordered_facts(site, "title", "text_hash", "simhash", "words")):
        if page.simhash is None or page.words < opts.min_words:
            continue
        target = identity(page)
        if target not in by_identity or page.url == target:
            by_identity[target] = page
    by_text: dict[str | None, PageFacts] = {}
    for page in by_identity.values():
        by_text.setdefault(page.text_hash, page)
    groups: dict[int, list[PageFacts]] = {}
    for page in by_text.values():
        groups.setdefault(page.simhash or 0, []).append(page)
    hashes = list(groups)
    near: list[list[tuple[int, int]]] = [[] for _ in hashes]
    for first, second in candidate_pairs(hashes, max_distance, max(2, opts.max_bucket)):
        distance = (hashes[first] ^ hashes[second]).bit_count()
        if distance <= max_distance:
            near[first].append((distance, second))
            near[second].append((distance, first))
    for index, value in enumerate(hashes):
        own = groups[value]
        if len(own) < 2 and not near[index]:
            continue
        near[index].sort()
        count = len(own) - 1 + sum(len(groups[hashes[other]]) for _, other in near[index])
        nearby = [(distance, groups[hashes[other]]) for distance, other in near[index]]
        for page in own:
            yield _finding(page, [(0, own), *nearby], count)


def _finding(page: PageFacts, near: list[tuple[int, list[PageFacts]]], count: int) -> Finding:
    """The finding on ``page``; ``near`` holds its SimHash group (distance 0) first, then others."""
    listed = itertools.islice(
        (
            f"{other.url} ({similarity(distance)} % similar)"
            for distance, members in near
            for other in members
            if other is not page
        ),
        MAX_LISTED,
    )
    return META.at(
        page.url,
        f"The main text of this page ({plural(page.words, 'word')}) is nearly the same as on "
        f"{plural(count, 'other indexable page')}: {url_list(listed, count)}.",
        evidence=f"<title>{page.title or ''}</title>, {page.words} words",
        fix="Rewrite these pages so each says something the others do not, or merge them into "
        "one page and redirect the rest to it (301).",
    )
