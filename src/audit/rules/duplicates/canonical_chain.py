"""The canonical link points at a page whose own canonical points somewhere else.

## What it does
For every HTML page that answered 200 and names another URL as its
canonical, reads the canonical of that target (when it was crawled) and
follows on, up to 10 steps. When the target names yet another URL as its
canonical, the page is reported with the whole chain
(`/a/ → /b/ → /c/`); when the chain comes back to a page already in it, the
finding reports the loop.

A target that errors, redirects or is noindex is left to
`canonical-target-error`.

## Why is this bad?
Search engines follow one canonical step at best; a chain blurs which page
should be indexed, and a loop (A names B, B names A) gives no answer at all,
so both hints are ignored and search engines pick a page themselves.

## Example
Three pages: `/a/` declares `<link rel="canonical" href="https://clinic.example/b/">`,
and `/b/` declares:

```html
<link rel="canonical" href="https://clinic.example/c/">
```

Use instead: `/a/` and `/b/` both point straight at the final page:
```html
<link rel="canonical" href="https://clinic.example/c/">
```

## Options
None.

## References
- [Google: Consolidate duplicate URLs](https://developers.google.com/search/docs/crawling-indexing/consolidate-duplicate-urls)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.rules.base import NoOptions, RuleMeta, RuleScope
from audit.rules.duplicates._util import short_url
from audit.site import Site

META = RuleMeta(
    code="K107",
    name="canonical-chain",
    category="seo",
    severity=Severity.WARNING,
    scope=RuleScope.SITE,
)
Options = NoOptions
MAX_STEPS = 10


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per page whose canonical target names another canonical."""
    facts = site.facts
    for page in facts.values():
        first = page.canonical
        if not first or first == page.url:
            continue
        chain = [page.url, first]
        loop = cut = False
        while True:
            target = facts.get(chain[-1])
            following = target.canonical if target is not None else None
            if not following or following == chain[-1]:
                break
            if len(chain) > MAX_STEPS:
                cut = True
                break
            loop = following in chain
            chain.append(following)
            if loop:
                break
        if len(chain) < 3:
            continue
        steps = " → ".join(short_url(url, page.url) for url in chain)
        if loop:
            message = (
                f"The canonical links run into a loop: {steps}; no page is named as the one "
                "to index."
            )
            fix = (
                "Decide which page search engines should index and point every canonical "
                "link in the loop at it; that page's canonical should name itself."
            )
        else:
            more = f" → … (cut off after {MAX_STEPS} steps)" if cut else ""
            message = (
                f"The canonical link points at {first}, which names another canonical: "
                f"{steps}{more}."
            )
            fix = f"Point the canonical link straight at the final page, {chain[-1]}."
        yield META.at(
            page.url,
            message,
            evidence=f'<link rel="canonical" href="{first}">',
            selector='link[rel="canonical"]',
            fix=fix,
        )
