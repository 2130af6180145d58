"""A sitemap lists a URL that is not a live, indexable page.

## What it does
Reports each URL listed in a sitemap that does not answer 200 with a page
search engines may index: it answers an error (4xx/5xx) or fails to answer,
redirects (the message names where to), carries a `noindex` robots
directive, or is disallowed by robots.txt (so it was never requested).
One finding per URL, naming the sitemap and the reason.

## Why is this bad?
A sitemap tells search engines "these are the pages to index". Listing
errors, redirects and pages they are told not to index or not to crawl sends
mixed signals, wastes crawl time, and makes search engines trust the sitemap
less. Search Console reports these URLs as problems.

## Example
The sitemap lists the old contact address, which redirects (301) to
`/contact/`, and a staff page that has `<meta name="robots" content="noindex">`:
```html
<url><loc>https://clinic.example/old-contact</loc></url>
<url><loc>https://clinic.example/staff/</loc></url>
```

Use instead:
List only the final, indexable addresses:
```html
<url><loc>https://clinic.example/contact/</loc></url>
```

## Options
None.

## References
- [Google: Build and submit a sitemap](https://developers.google.com/search/docs/crawling-indexing/sitemaps/build-sitemap)
- [Google: Block indexing with noindex](https://developers.google.com/search/docs/crawling-indexing/block-indexing)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from audit.models import Finding, PageSummary, Severity
from audit.rules.base import NoOptions, RuleMeta, RuleScope
from audit.rules.links._util import answer, status_text

if TYPE_CHECKING:
    from audit.site import Site

META = RuleMeta(
    code="K007",
    name="sitemap-invalid-url",
    category="links",
    severity=Severity.WARNING,
    scope=RuleScope.SITE,
)
Options = NoOptions

_REMOVE = "Remove this URL from the sitemap"


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per sitemap URL that is not a 200, indexable page."""
    for url, sitemap in site.sitemap_urls.items():
        row = site.by_url.get(url)
        if row is None:  # not crawled (page budget spent): nothing known
            continue
        problem = _problem(site, row)
        if problem is None:
            continue
        reason, fix = problem
        yield META.at(
            url,
            f"The sitemap {sitemap} lists this URL, but it {reason}.",
            evidence=f"{sitemap} → {url}",
            fix=fix,
        )


def _problem(site: Site, row: PageSummary) -> tuple[str, str] | None:
    """``(what is wrong, fix)`` for a sitemap URL; None for a 200 indexable page."""
    if row.blocked:
        return (
            "is disallowed by robots.txt, so search engines may not crawl it",
            f"{_REMOVE}, or allow it in robots.txt if it should be indexed.",
        )
    if row.redirect_chain:
        if row.error:
            return (
                f"redirects without ever reaching a page ({row.error})",
                f"{_REMOVE} and fix the redirect rules for it.",
            )
        status, final = site.final_status(row.url)
        first = row.redirect_chain[0].status
        end = site.by_url.get(final)
        ends = f" (which {answer(status, end.error)})" if end and end.failed else ""
        return (
            f"redirects ({first}) to {final}{ends}",
            f"List the final address {final} in the sitemap instead of this one."
            if not ends
            else f"{_REMOVE}; it leads to a page that does not work.",
        )
    if row.failed:
        return (
            answer(row.status, row.error),
            f"{_REMOVE}, or restore the page if it should exist.",
        )
    if row.status != 200:
        return (
            f"answers {status_text(row.status, row.error)} instead of 200",
            f"{_REMOVE}; list only pages that answer 200.",
        )
    facts = site.facts.get(row.url)
    if facts is not None and not facts.indexable:
        return (
            "is marked noindex (robots directive), so search engines are told not to index it",
            f"{_REMOVE}, or drop the noindex directive if the page should appear in search.",
        )
    return None
