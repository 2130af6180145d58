"""The canonical link points at a page that errors, redirects, is noindex or is blocked.

## What it does
Follows the canonical link of every HTML page that answered 200 (when it
names another URL) to what the crawl found there, and reports the page when
the canonical target:

- answered an error (4xx or 5xx) or did not load at all;
- answered something other than 200, or redirects (the message names where
  it ends);
- carries `noindex`;
- is disallowed by robots.txt, so search engines cannot read it.

A target on the same host that the crawl never requested is reported as
"not crawled" (as a notice: it may exist, but nothing on the site links to
it, or the crawl stopped first). Targets on other hosts that were not
crawled are left alone: a cross-domain canonical is allowed.

## Why is this bad?
A canonical link asks search engines to index the target instead of this
page. When the target is broken, redirects or must not be indexed, the
request contradicts itself: search engines ignore the canonical and guess,
or drop both pages from results.

## Example
Two pages: `/articles/rosacea/` declares
`<link rel="canonical" href="https://clinic.example/rosacea-old/">`, and
`/rosacea-old/` redirects (301) to `/articles/rosacea/`.

```html
<link rel="canonical" href="https://clinic.example/rosacea-old/">
```

Use instead:
```html
<link rel="canonical" href="https://clinic.example/articles/rosacea/">
```

## Options
None.

## References
- [Google: How to specify a canonical URL](https://developers.google.com/search/docs/crawling-indexing/consolidate-duplicate-urls)
- [Google: Block indexing with noindex](https://developers.google.com/search/docs/crawling-indexing/block-indexing)
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from audit.models import Finding, PageSummary, Severity
from audit.rules.base import NoOptions, RuleMeta, RuleScope
from audit.site import PageFacts, Site

META = RuleMeta(
    code="K106",
    name="canonical-target-error",
    category="seo",
    severity=Severity.WARNING,
    scope=RuleScope.SITE,
)
Options = NoOptions

_FIX_BROKEN = (
    "Point the canonical link at the address of a page that loads (status 200), usually "
    "this page itself, or bring the missing page back."
)


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per page whose canonical target is not an indexable 200 page."""
    for page in site.facts.values():
        target = page.canonical
        if not target or target == page.url:
            continue
        problem = _problem(site, page, target)
        if problem is None:
            continue
        what, fix, severity = problem
        yield META.at(
            page.url,
            f"The canonical link points at {target}, which {what}.",
            evidence=f'<link rel="canonical" href="{target}">',
            selector='link[rel="canonical"]',
            fix=fix,
            severity=severity,
        )


def _problem(site: Site, page: PageFacts, target: str) -> tuple[str, str, Severity | None] | None:
    """``(what is wrong, fix, severity or None)`` for the canonical target; None when it is fine."""
    row: PageSummary | None = site.by_url.get(target)
    if row is None:
        if urlsplit(target).netloc != urlsplit(page.url).netloc:
            return None
        return (
            "was not crawled (no crawled page links to it, or the crawl stopped first)",
            "Check that the canonical address is right and that the page exists; link to it "
            "from the site, or point the canonical link at this page's own address.",
            Severity.NOTICE,
        )
    if row.blocked:
        return (
            "robots.txt blocks, so search engines cannot read it",
            "Allow the canonical target in robots.txt, or point the canonical link at a page "
            "search engines may crawl.",
            None,
        )
    if row.redirect_chain:
        status, final = site.final_status(target)
        ends = f"ends with status {status} at {final}" if status else f"ends at {final}"
        stop = f" ({row.error})" if row.error else ""
        return (
            f"redirects ({row.status}){stop}; the redirect {ends}",
            f"Point the canonical link straight at the final address {final}.",
            None,
        )
    if row.failed:
        detail = f"answered HTTP {row.status}" if row.status else f"failed to load ({row.error})"
        return detail, _FIX_BROKEN, None
    if row.status != 200:
        return f"answered HTTP {row.status} instead of 200", _FIX_BROKEN, None
    facts = site.facts.get(target)
    if facts is not None and not facts.indexable:
        return (
            "is marked noindex",
            "Remove noindex from the canonical target, or point the canonical link at a page "
            "that may be indexed (usually this page itself).",
            None,
        )
    return None
