"""A crawled URL answered with an error status (4xx or 5xx).

## What it does
Reports every URL the crawl requested that answered 4xx (not found, gone,
forbidden, …) or 5xx (server error). The message gives the status and how the
crawler came to the URL: a link on which page, a sitemap, a redirect or a
start URL. URLs that did not answer at all are reported by `fetch-failed` and
`fetch-timeout`; URLs that robots.txt kept the crawler from requesting are not
errors (see `robots-blocked-linked`), and redirects that never end are
reported by `redirect-loop` and `redirect-chain`. A 429 or 503 that answered
normally on a retry is not reported.

## Why is this bad?
Visitors who reach the URL see an error page instead of the treatment or
article they wanted, and search engines drop the URL from their results
after a few failed visits. Server errors also make search engines crawl the
whole site more slowly.

## Example
The page `/treatments/acne-scar/` links to `/treatments/laser-toning/`, which
was deleted and now answers 404:
```html
<a href="/treatments/laser-toning/">Laser toning 淨膚雷射</a>
```

Use instead:
Restore the page, or redirect its old URL (301) to the closest live page and
update the links that pointed at it:
```html
<a href="/treatments/pico-laser/">Pico laser 皮秒雷射</a>
```

## Options
None.

## References
- [Google: How HTTP status codes and network errors affect Google Search](https://developers.google.com/search/docs/crawling-indexing/http-network-errors)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from audit.models import Finding, PageSummary, Severity
from audit.rules.base import NoOptions, RuleMeta, RuleScope
from audit.rules.links._util import answer, how_found, status_text

if TYPE_CHECKING:
    from audit.site import Site

META = RuleMeta(
    code="K001",
    name="http-error",
    category="links",
    severity=Severity.ERROR,
    scope=RuleScope.SITE,
)
Options = NoOptions


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per crawled URL that answered 4xx or 5xx."""
    seen: set[str] = set()
    for row in site.pages:
        # Rows with a redirect chain are redirect hops: their problems are the redirects'.
        if row.url in seen or row.redirect_chain or (row.status or 0) < 400:
            continue
        seen.add(row.url)
        yield META.at(
            row.url,
            f"The URL {answer(row.status, row.error)}; {how_found(row, site.inlinks[row.url])}.",
            evidence=f"{status_text(row.status, row.error)} {row.url}",
            fix=_fix(row),
        )


def _fix(row: PageSummary) -> str:
    status = row.status or 0
    if status >= 500:
        return (
            "Ask your web developer or host to check the server logs for this URL and fix "
            "the server error."
        )
    if status in (401, 403):
        return (
            "Make the page public if visitors should see it; otherwise remove the links "
            "and the sitemap entry that point at it."
        )
    return (
        "Restore the page, or redirect the URL (301) to the closest live page, and update "
        "the links and sitemap entries that point at it."
    )
