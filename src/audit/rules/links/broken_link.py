"""An internal link points at a URL that answers an error, directly or after redirects.

## What it does
Reports, on the linking page, each internal link whose target answered
4xx/5xx or failed to answer (see `http-error`), or redirects to such a URL,
or redirects without ever reaching a page (a loop). One finding per linking
page and target, with the target and the anchor text of the first such link
on the page. A link to a URL that robots.txt disallows is not broken: the
crawler never requested it, so its status is unknown (see
`robots-blocked-linked`).

## Why is this bad?
A visitor who clicks the link lands on an error page and usually leaves.
Search engines treat many broken links as a sign of a neglected site, and the
link passes no value to any page.

## Example
The page `/treatments/acne-scar/` links to a treatment page that was deleted
(`/treatments/laser-toning/` answers 404):
```html
<p>Combine it with <a href="/treatments/laser-toning/">laser toning 淨膚雷射</a>.</p>
```

Use instead:
Link to a page that exists (or restore the missing page):
```html
<p>Combine it with <a href="/treatments/pico-laser/">pico laser 皮秒雷射</a>.</p>
```

## Options
None.

## References
- [Google: Make your links crawlable](https://developers.google.com/search/docs/crawling-indexing/links-crawlable)
- [Google: How HTTP status codes affect Google Search](https://developers.google.com/search/docs/crawling-indexing/http-network-errors)
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
    code="K002",
    name="broken-link",
    category="links",
    severity=Severity.ERROR,
    scope=RuleScope.SITE,
)
Options = NoOptions


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per linking page and broken target."""
    broken = broken_targets(site)
    if not broken:
        return
    for link in site.links.first_links_to(broken):
        anchor = anchor_text(link.anchor)
        yield META.at(
            link.source,
            f"The link {anchor} points at {link.target}, which {broken[link.target]}.",
            evidence=f"{anchor} → {link.target}",
            fix=(
                f"Change the link {anchor} to a page that exists, or remove it; if "
                f"{link.target} moved, redirect it (301) to its new address."
            ),
        )
