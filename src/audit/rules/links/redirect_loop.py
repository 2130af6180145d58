"""A URL redirects in a loop and never reaches a page.

## What it does
Reports a redirect chain that comes back to an address it already visited
(`/a` → `/b` → `/a`, or a URL that redirects to itself), once per loop, on the
URL where the crawler entered it, listing every hop. Loops are found across
the whole crawl, so a loop is reported even when its URLs were each linked
from a page and crawled separately.

## Why is this bad?
Browsers give up with "too many redirects" and show an error; search
engines cannot index the page at all. Every internal link to the URL is a
dead end (each one is reported as a `broken-link`). Loops usually come from
two redirect rules that undo each other, for example one adding and one
removing the trailing slash, or an old page and a new page redirecting to
each other.

## Example
`/booking` redirects (302) to `/booking/`, which redirects (301) back to
`/booking`:
```html
<a href="/booking">Book a visit 預約門診</a>
```

Use instead:
Keep one of the two redirect rules so that `/booking` leads to one page that
answers 200, and link to that page:
```html
<a href="/booking/">Book a visit 預約門診</a>
```

## Options
None.

## References
- [Google: Redirects and Google Search](https://developers.google.com/search/docs/crawling-indexing/301-redirects)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from audit.models import Finding, Hop, PageSummary, Severity
from audit.rules.base import NoOptions, RuleMeta, RuleScope
from audit.rules.links._util import hops_text, redirect_walk

if TYPE_CHECKING:
    from audit.site import Site

META = RuleMeta(
    code="K004",
    name="redirect-loop",
    category="links",
    severity=Severity.ERROR,
    scope=RuleScope.SITE,
)
Options = NoOptions


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per redirect loop, on the URL where the crawler entered it."""
    # Every row that redirects into a loop leads to the same set of looping URLs.
    entries: dict[frozenset[str], tuple[PageSummary, tuple[Hop, ...]]] = {}
    for row in site.pages:
        if not row.redirect_chain:
            continue
        walk = redirect_walk(site, row.url)
        if not walk.loop:
            continue
        key = frozenset(hop.url for hop in walk.loop)
        known = entries.get(key)
        if known is None or (known[0].source == "redirect" and row.source != "redirect"):
            entries[key] = (row, walk.hops)
    for row, hops in entries.values():
        text = hops_text(hops)
        yield META.at(
            row.url,
            f"{row.url} redirects in a loop and never reaches a page: {text}.",
            evidence=text or row.error or "",
            fix=(
                f"Fix the redirect rules so that {row.url} leads to one final page that answers "
                "200; one of the rules sends visitors back to an earlier address."
            ),
        )
