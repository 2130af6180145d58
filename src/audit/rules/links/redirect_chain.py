"""A URL redirects two or more times before it reaches a page.

## What it does
Reports a redirect that takes two or more hops (`/a` → `/b` → `/c`), once per
chain, on the URL where the chain starts, listing each hop with its status
and where the chain ends. A single redirect is not a chain (a link to it is a
`redirected-link`); a chain that returns to an address it already visited is
a `redirect-loop`. A chain the crawler gave up on (more than
`crawl.max_redirects` hops) is reported here too, with that reason.

## Why is this bad?
Every hop is another round trip before the page appears, which is slow on
mobile networks. Search engines follow only a limited number of hops (Google
stops after 10) and may not pass the old URL's signals all the way to the
final page. Chains usually grow when a site is moved twice without updating
the first redirect.

## Example
The old contact page `/old-contact` redirects (301) to `/contact-us/`, which
itself redirects (301) to the current `/contact/` page:
```html
<a href="/old-contact">Contact us 聯絡我們</a>
```

Use instead:
Make `/old-contact` redirect straight to `/contact/` (one hop), and link to
the final page directly:
```html
<a href="/contact/">Contact us 聯絡我們</a>
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
from audit.rules.links._util import hops_text, status_text

if TYPE_CHECKING:
    from audit.site import Site

META = RuleMeta(
    code="K003",
    name="redirect-chain",
    category="links",
    severity=Severity.WARNING,
    scope=RuleScope.SITE,
)
Options = NoOptions

LOOP = "redirect loop"


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per chain of two or more redirects, on its first URL."""
    seen: set[str] = set()
    for row in site.pages:
        chain = row.redirect_chain
        # Rows reached by a redirect are the later hops of a chain already reported.
        if len(chain) < 2 or row.source == "redirect" or row.url in seen:
            continue
        if row.error and row.error.startswith(LOOP):
            continue
        seen.add(row.url)
        hops = hops_text(chain)
        if row.error:
            outcome = f"and the crawler gave up ({row.error})"
        else:
            status, final = site.final_status(row.url)
            end = site.by_url.get(final)
            answer = f" ({status_text(status, end.error)})" if end else ""
            outcome = f"before it reaches {final}{answer}"
        yield META.at(
            row.url,
            f"{row.url} redirects {len(chain)} times {outcome}: {hops}.",
            evidence=hops,
            fix=(
                f"Point {row.url} straight at the final address with a single 301 redirect, "
                "and link to the final address directly."
            ),
        )
