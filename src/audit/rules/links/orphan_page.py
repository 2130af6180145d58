"""A page listed in the sitemap is linked from no crawled page.

## What it does
Reports each URL listed in a sitemap that answered 200 with an HTML page but
that no crawled page links to (not even through a redirect), naming the
sitemap that lists it. A start URL of the crawl is not an orphan. The links
counted are those on the pages this crawl reached: on a partial crawl
(`crawl.max_pages`, `crawl.max_depth`), some pages may only look orphaned.

## Why is this bad?
Visitors cannot find a page that nothing links to, and search engines give
such a page little weight: internal links are how they learn which pages
matter and what they are about. Orphans are often forgotten pages: old
campaigns, drafts published by mistake, or articles that dropped out of a
menu.

## Example
The sitemap lists `/articles/laser-aftercare/`, and the page answers 200, but
neither the home page, the article list nor any other page links to it.
```html
<!-- /articles/ : the article list -->
<ul>
  <li><a href="/articles/rosacea-barrier-repair/">Rosacea barrier repair</a></li>
</ul>
```

Use instead:
Link to the page from where readers would look for it (the article list, a
related treatment page), or remove it from the sitemap if it should be gone:
```html
<ul>
  <li><a href="/articles/rosacea-barrier-repair/">Rosacea barrier repair</a></li>
  <li><a href="/articles/laser-aftercare/">雷射術後保養 Laser aftercare</a></li>
</ul>
```

## Options
None.

## References
- [Google: Make your links crawlable](https://developers.google.com/search/docs/crawling-indexing/links-crawlable)
- [Google: Build and submit a sitemap](https://developers.google.com/search/docs/crawling-indexing/sitemaps/build-sitemap)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from audit.models import Finding, Severity
from audit.rules.base import NoOptions, RuleMeta, RuleScope

if TYPE_CHECKING:
    from audit.site import Site

META = RuleMeta(
    code="K006",
    name="orphan-page",
    category="links",
    severity=Severity.WARNING,
    scope=RuleScope.SITE,
)
Options = NoOptions


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per sitemap URL with a 200 HTML page and no internal links to it."""
    if not site.sitemap_urls:
        return
    inlinks = site.inlinks
    # A link to a URL that redirects reaches the page the redirect ends on.
    reached = {
        site.final_status(row.url)[1]
        for row in site.pages
        if row.redirect_chain and inlinks[row.url]
    }
    for url, sitemap in site.sitemap_urls.items():
        row = site.by_url.get(url)
        if row is None or row.source == "start" or row.redirect_chain:
            continue
        if row.status != 200 or not row.is_html or inlinks[url] or url in reached:
            continue
        yield META.at(
            url,
            f"The sitemap {sitemap} lists this page, but no crawled page links to it.",
            evidence=f"{sitemap} → {url}",
            fix=(
                "Link to this page from a related page or menu so that visitors and search "
                "engines can find it, or remove it from the sitemap if it is no longer needed."
            ),
        )
