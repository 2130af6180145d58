"""Internal links point at a URL that robots.txt disallows.

## What it does
Reports each URL that robots.txt disallows (so the crawl never requested it)
while crawled pages link to it, once per URL, with how many pages link to it
and one example linking page and anchor text. Such links are not broken
links: the status of the URL is unknown.

## Why is this bad?
Search engines cannot read a disallowed page, but they still see the links
to it and may list the bare URL in results with no title or description
("No information is available for this page"). Disallowing a page in
robots.txt also hides its `noindex`, so the page cannot be removed from
results that way. Either the page is meant to be found, and robots.txt is
wrong, or it is private, and the site should not link to it everywhere.

## Example
robots.txt has `Disallow: /staff/`, and the footer of every page links to the
staff area:
```html
<footer><a href="/staff/">Staff login 員工專區</a></footer>
```

Use instead:
Remove the link from public pages (or, if the page should be found, allow it
in robots.txt and mark it up as a normal page):
```html
<footer><a href="/contact/">Contact 聯絡我們</a></footer>
```

## Options
None.

## References
- [Google: Introduction to robots.txt](https://developers.google.com/search/docs/crawling-indexing/robots/intro)
- [Google: Block indexing with noindex](https://developers.google.com/search/docs/crawling-indexing/block-indexing)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from audit.models import Finding, Severity
from audit.rules.base import NoOptions, RuleMeta, RuleScope
from audit.rules.links._util import anchor_text, plural

if TYPE_CHECKING:
    from audit.site import LinkRow, Site

META = RuleMeta(
    code="K008",
    name="robots-blocked-linked",
    category="links",
    severity=Severity.NOTICE,
    scope=RuleScope.SITE,
)
Options = NoOptions


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per robots.txt-disallowed URL that crawled pages link to."""
    inlinks = site.inlinks
    blocked = {row.url for row in site.pages if row.blocked and inlinks[row.url]}
    if not blocked:
        return
    examples: dict[str, LinkRow] = {}
    for link in site.links.first_links_to(blocked):
        examples.setdefault(link.target, link)
    for url, link in examples.items():
        count = inlinks[url]
        pages = plural(count, "crawled page")
        anchor = anchor_text(link.anchor)
        yield META.at(
            url,
            f"robots.txt disallows this URL, but {pages} {'links' if count == 1 else 'link'} "
            f"to it (for example {link.source}, with the link {anchor}).",
            evidence=f"{anchor} → {url}",
            fix=(
                "If the page should be found, allow it in robots.txt; if it is private, "
                "remove the links to it from public pages."
            ),
        )
