"""Links lead into a crawl trap, URLs the site makes up without end, and were not followed.

## What it does
Reports each crawl trap the crawler's guard met, once per pattern, with how
many of its links were not followed, the first refused URL and the page that
linked to it. The guard refuses a link (it is never requested) when:

- its path already has `crawl.max_query_variants` (25) other query strings:
  sort orders, filters, session ids and page numbers combined without end;
- its pattern already has `crawl.max_date_variants` (36) other dates: an events
  calendar whose "next month" link never stops (`/calendar/2026/11`,
  `?month=2026-11`);
- it repeats one path segment more than `crawl.max_path_repeats` (2) times:
  `/news/page/2/news/page/3/news/…`, relative links resolved against an ever
  deeper path;
- it is longer than `crawl.max_url_length` (2048) characters.

Start URLs and sitemap URLs are never refused.

## Why is this bad?
Search engines fall into the same trap: they spend the site's crawl budget on
endless copies of a calendar or a listing instead of the pages that matter,
index near-duplicates, and find new content later. Session ids in URLs also
split a page's links and signals over many addresses.

## Example
The listing links to itself with every sort order and a new session id on
every visit:
```html
<a href="/treatments/?sort=price&page=2&sessionid=8f3a2c">Next page</a>
```

Use instead:
Keep session ids out of URLs, let one sort order be the crawlable one (mark the
others `rel="nofollow"` or block them in robots.txt) and point the copies at
the main listing with a canonical link:
```html
<a href="/treatments/?page=2">Next page</a>
```

## Options
None. The limits are crawl settings: `crawl.max_query_variants`,
`crawl.max_date_variants`, `crawl.max_path_repeats`, `crawl.max_url_length`.

## References
- [Google: Managing crawling of faceted navigation URLs](https://developers.google.com/search/docs/crawling-indexing/crawling-managing-faceted-navigation)
- [Google: Crawl budget management for large sites](https://developers.google.com/search/docs/crawling-indexing/large-site-managing-crawl-budget)
- [Screaming Frog: Limit max URL length to crawl](https://www.screamingfrog.co.uk/guides/limit-max-url-length-to-crawl)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from audit.models import CrawlTrap, Finding, Severity
from audit.rules.base import NoOptions, RuleMeta, RuleScope
from audit.rules.links._util import plural

if TYPE_CHECKING:
    from audit.site import Site

META = RuleMeta(
    code="K013",
    name="crawl-trap",
    category="links",
    severity=Severity.WARNING,
    scope=RuleScope.SITE,
)
Options = NoOptions

QUERY_VARIANTS, DATE_VARIANTS = "query-variants", "date-variants"
URL_LENGTH, PATH_REPEATS = "url-length", "path-repeats"


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per trap pattern the crawl-trap guard refused links to."""
    for trap in site.traps:
        where = trap.found_on or trap.example
        linked = f", linked from {trap.found_on}" if trap.found_on else ""
        were = "were" if trap.refused != 1 else "was"
        yield META.at(
            where,
            f"{plural(trap.refused, 'link')} into a crawl trap {were} not followed: "
            f"{_what(trap)}. The first was {trap.example}{linked}.",
            evidence=f"{trap.pattern} (e.g. {trap.example})",
            fix=_fix(trap),
        )


def _what(trap: CrawlTrap) -> str:
    if trap.kind == QUERY_VARIANTS:
        return (
            f"{trap.pattern} already had {trap.limit} versions that differ only in their "
            "query string (sort orders, filters, session ids; crawl.max_query_variants)"
        )
    if trap.kind == DATE_VARIANTS:
        return (
            f"{trap.pattern} already had {trap.limit} dates, an endless calendar "
            "(crawl.max_date_variants)"
        )
    if trap.kind == PATH_REPEATS:
        return (
            f"URLs under {trap.pattern} repeat a path segment more than {trap.limit} times "
            "(crawl.max_path_repeats)"
        )
    return (
        f"URLs under {trap.pattern} are longer than {trap.limit} characters (crawl.max_url_length)"
    )


def _fix(trap: CrawlTrap) -> str:
    if trap.kind == QUERY_VARIANTS:
        return (
            'Keep session ids out of URLs, mark sort and filter links rel="nofollow" or block '
            "them in robots.txt, and point the copies at the main page with a canonical link; "
            "if these pages really differ, raise crawl.max_query_variants."
        )
    if trap.kind == DATE_VARIANTS:
        return (
            "Stop the calendar from linking to dates without content (or mark its next and "
            'previous links rel="nofollow" and block the pattern in robots.txt); if these '
            "pages matter, raise crawl.max_date_variants."
        )
    if trap.kind == PATH_REPEATS:
        return (
            "Make the links that build these URLs root-relative (starting with /) or absolute: "
            "a relative link such as page/2/ adds a segment on every click."
        )
    return (
        "Find the link that builds these URLs (often a parameter appended again on every "
        "click) and fix it; raise crawl.max_url_length only if such long URLs are real pages."
    )
