"""The page does not declare a canonical URL.

## What it does
Reports a page with neither a `<link rel="canonical">` element nor a
`Link: <…>; rel="canonical"` HTTP header. A canonical link that is present but
broken is reported by `canonical-invalid` instead.

## Why is this bad?
The same page is often reachable under several addresses: with and without
`www.`, with a trailing slash or not, with `?utm_source=…` tracking
parameters. A canonical link tells search engines which address is the real
one, so ranking signals are not split between copies and the right URL is
shown in results. Without it, the search engine guesses.

## Example
```html
<html lang="en"><head><title>Acne Scar Revision | Harbor Light Skin Clinic</title>
<link rel="alternate" hreflang="en" href="https://clinic.example/page/">
</head><body><h1>Acne scar revision</h1></body></html>
```

Use instead:
```html
<html lang="en"><head><title>Acne Scar Revision | Harbor Light Skin Clinic</title>
<link rel="canonical" href="https://clinic.example/page/">
</head><body><h1>Acne scar revision</h1></body></html>
```

## Options
None.

## References
- [Google: How to specify a canonical URL](https://developers.google.com/search/docs/crawling-indexing/consolidate-duplicate-urls)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta

META = RuleMeta(code="S007", name="canonical-missing", category="seo", severity=Severity.NOTICE)
Options = NoOptions
# One Link header entry with rel=canonical: `<https://…>; rel="canonical"` (rel may list several).
_LINK_HEADER_CANONICAL = re.compile(
    r"""<[^>]*>[^,<]*;\s*rel\s*=\s*(?:"[^"]*\bcanonical\b[^"]*"|'[^']*\bcanonical\b[^']*'|canonical\b)""",
    re.IGNORECASE,
)


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield a finding when neither the HTML nor the Link header names a canonical URL."""
    if page.canonicals or _LINK_HEADER_CANONICAL.search(page.headers.get("link", "")):
        return
    yield META.finding(
        page,
        'The page has no <link rel="canonical">, so search engines choose its main URL themselves.',
        selector="head",
        fix=f'Add <link rel="canonical" href="{page.url}"> to the <head> (the page\'s own '
        "full address, or the address of the page it duplicates).",
    )
