"""A crawled URL did not answer in time: no connection, no data, or not finished by the deadline.

## What it does
Reports every URL whose request ran out of time: no connection within
`crawl.timeout.connect`, no data for `crawl.timeout.read` seconds, or the
whole response not received within the total deadline `crawl.timeout.total`
(a server that trickles a page a byte at a time). The message gives which
limit passed and how the crawler came to the URL. Timeouts are not retried:
a page that is slow once is usually slow every time. The crawler's own work
on other pages does not count against a request's time.

## Why is this bad?
Visitors leave long before a page like this appears, and search engines give
up too: Google treats a timeout like a server error, slows down crawling the
whole site and drops URLs that keep timing out from its results. A page that
never finishes loading is often a sign of an overloaded server, a slow
database query or a proxy that streams responses slowly.

## Example
The price list links to `/prices/full/`, which takes over a minute to render:
```html
<a href="/prices/full/">Full price list 完整價目表</a>
```

Use instead:
Make `/prices/full/` answer within a few seconds (cache it, fix the slow
query, paginate it), or link to a lighter page:
```html
<a href="/prices/">Price list 價目表</a>
```

## Options
None.

## References
- [Google: How HTTP status codes and network errors affect Google Search](https://developers.google.com/search/docs/crawling-indexing/http-network-errors)
- [web.dev: Time to First Byte (TTFB)](https://web.dev/articles/ttfb)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from audit.models import ErrorKind, Finding, Severity
from audit.rules.base import NoOptions, RuleMeta, RuleScope
from audit.rules.links._util import how_found

if TYPE_CHECKING:
    from audit.site import Site

META = RuleMeta(
    code="K011",
    name="fetch-timeout",
    category="links",
    severity=Severity.ERROR,
    scope=RuleScope.SITE,
)
Options = NoOptions


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per crawled URL whose request timed out."""
    seen: set[str] = set()
    for row in site.pages:
        if row.url in seen or row.error_kind != ErrorKind.TIMEOUT or row.redirect_chain:
            continue
        seen.add(row.url)
        started = (
            f"the server answered {row.status} but the page never finished arriving"
            if row.status is not None
            else "no answer arrived"
        )
        yield META.at(
            row.url,
            f"The URL did not answer in time: {started} ({row.error}); "
            f"{how_found(row, site.inlinks[row.url])}.",
            evidence=f"{row.error} {row.url}",
            fix=(
                "Make the page answer within a few seconds: check the server's load, slow "
                "database queries and any proxy that streams the page slowly. Raise "
                "crawl.timeout only for a page that is known to be slow but working."
            ),
        )
