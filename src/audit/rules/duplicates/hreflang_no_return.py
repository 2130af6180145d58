"""A page lists a language version that does not list it back.

## What it does
For every HTML page that answered 200, reads its hreflang alternates
(`<link rel="alternate" hreflang="…" href="…">`). When an alternate is another
crawled HTML page that answered 200, that page's own hreflang alternates
must include this page; when they do not, this page is reported, one
finding per alternate that does not link back. URLs are compared in their
normalised form, and a link back to this page's canonical URL counts.

Alternates that were not crawled, or that error or redirect, are left to the
link and status rules.

## Why is this bad?
Hreflang annotations only count when they are confirmed from both sides:
search engines ignore a language pair that is declared on one page only, so
Taiwanese searchers may be shown the English page (or the reverse).

## Example
`/en/rosacea/` lists `/zh-hant/rosacea/` as its Traditional Chinese version,
but `/zh-hant/rosacea/` has no hreflang links:

```html
<!-- /en/rosacea/ -->
<link rel="alternate" hreflang="en" href="https://clinic.example/en/rosacea/">
<link rel="alternate" hreflang="zh-Hant" href="https://clinic.example/zh-hant/rosacea/">
```

Use instead: both pages carry the same pair of links.
```html
<!-- /en/rosacea/ and /zh-hant/rosacea/ -->
<link rel="alternate" hreflang="en" href="https://clinic.example/en/rosacea/">
<link rel="alternate" hreflang="zh-Hant" href="https://clinic.example/zh-hant/rosacea/">
```

## Options
None.

## References
- [Google: Tell Google about localized versions of your page](https://developers.google.com/search/docs/specialty/international/localized-versions)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.rules.base import NoOptions, RuleMeta, RuleScope
from audit.site import PageFacts, Site

META = RuleMeta(
    code="K108",
    name="hreflang-no-return",
    category="international",
    severity=Severity.WARNING,
    scope=RuleScope.SITE,
)
Options = NoOptions


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per (page, alternate) pair that is not confirmed from the other side."""
    facts = site.facts
    for page in facts.values():
        accepted = {page.url, page.canonical}
        own_lang = next((lang for lang, url in page.hreflang if url in accepted), "")
        seen: set[str] = set()
        for lang, target in page.hreflang:
            if target in seen or target in accepted:
                continue
            seen.add(target)
            alternate = facts.get(target)
            if alternate is None or _links_back(alternate, accepted):
                continue
            listed = len({url for _, url in alternate.hreflang})
            why = (
                "has no hreflang links at all"
                if not listed
                else f"lists {listed} hreflang alternate{'s' if listed > 1 else ''}, "
                "none of them this page"
            )
            yield META.at(
                page.url,
                f"The hreflang alternate {target} ({lang}) does not link back: it {why}.",
                evidence=f'<link rel="alternate" hreflang="{lang}" href="{target}">',
                selector=f'link[rel="alternate"][hreflang="{lang}" i]',
                fix=f'Add <link rel="alternate" hreflang="{own_lang or "…"}" href="{page.url}"> '
                f"to {target}, so that every language version lists all the others (and itself).",
            )


def _links_back(alternate: PageFacts, accepted: set[str | None]) -> bool:
    return any(url in accepted for _, url in alternate.hreflang)
