"""An internal link points at a URL that redirects.

## What it does
Reports, on the linking page, each internal link whose target answers with a
redirect (301, 302, 307, 308), naming where the redirect ends. One finding per
linking page and target. A link whose redirect ends on an error or never ends
is a `broken-link` instead, and is not repeated here.

## Why is this bad?
Every click costs an extra round trip before the page appears, and search
engines have to crawl two URLs for one page. Links to old addresses also keep
the old URL alive in search results and analytics, and leave the site one
server change away from a broken link.

## Example
The page `/treatments/rosacea-injection/` links to the contact page's old
address, which redirects (301) to `/contact/`:
```html
<a href="/old-contact">Book a consultation 預約諮詢</a>
```

Use instead:
Link to the final address directly:
```html
<a href="/contact/">Book a consultation 預約諮詢</a>
```

## Options
None.

## References
- [Google: Redirects and Google Search](https://developers.google.com/search/docs/crawling-indexing/301-redirects)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from audit.models import Finding, Severity
from audit.rules.base import NoOptions, RuleMeta, RuleScope
from audit.rules.links._util import anchor_text, broken_targets

if TYPE_CHECKING:
    from audit.site import Site

META = RuleMeta(
    code="K005",
    name="redirected-link",
    category="links",
    severity=Severity.NOTICE,
    scope=RuleScope.SITE,
)
Options = NoOptions


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per linking page and redirecting target."""
    broken = broken_targets(site)
    redirects: dict[str, tuple[int, str]] = {}
    for row in site.pages:
        if row.redirect_chain and row.url not in broken and row.url not in redirects:
            _, final = site.final_status(row.url)
            redirects[row.url] = (row.redirect_chain[0].status, final)
    if not redirects:
        return
    for link in site.links.first_links_to(redirects):
        status, final = redirects[link.target]
        anchor = anchor_text(link.anchor)
        hops = len(site.by_url[link.target].redirect_chain)
        via = f"{hops} redirects" if hops > 1 else f"a {status} redirect"
        yield META.at(
            link.source,
            f"The link {anchor} points at {link.target}, which leads through {via} to {final}.",
            evidence=f"{anchor} → {link.target}",
            fix=f"Change the link {anchor} to point at {final} directly.",
        )
