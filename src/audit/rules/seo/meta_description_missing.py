"""The page has no meta description, or an empty one.

## What it does
Reports a page without a `<meta name="description">` (the name is matched
case-insensitively), or whose description has no text. Open Graph
(`og:description`) and `itemprop="description"` do not count: search engines
read the `name="description"` tag.

## Why is this bad?
The meta description is the snippet search engines most often show under the
title. Without one they pick a sentence from the page, often a menu label, a
cookie notice or a half sentence, and the result gets fewer clicks.

## Example
```html
<html lang="en"><head><title>Acne Scar Revision | Harbor Light Skin Clinic</title>
<meta property="og:description" content="Staged acne scar treatment in Taipei.">
</head><body><h1>Acne scar revision</h1></body></html>
```

Use instead:
```html
<html lang="en"><head><title>Acne Scar Revision | Harbor Light Skin Clinic</title>
<meta name="description" content="A staged plan of subcision, fractional laser and skin
boosters for rolling and boxcar acne scars, at Harbor Light Skin Clinic in Taipei.">
</head><body><h1>Acne scar revision</h1></body></html>
```

## Options
None.

## References
- [Google: Control your snippets in search results](https://developers.google.com/search/docs/appearance/snippet)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta

META = RuleMeta(
    code="S004", name="meta-description-missing", category="seo", severity=Severity.WARNING
)
Options = NoOptions
_SELECTOR = 'meta[name="description" i]'


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield a finding when no meta description has text."""
    descriptions = page.meta("description")
    if any(value.strip() for value in descriptions):
        return
    if not descriptions:
        yield META.finding(
            page,
            'The page has no <meta name="description">.',
            selector="head",
            fix="Add a meta description of 70 to 160 characters that sums up the page "
            "and invites the click.",
        )
        return
    node = page.tree.css_first(_SELECTOR)
    yield META.finding(
        page,
        "The meta description is empty.",
        evidence=(node.html or "") if node is not None else "",
        selector=page.selector(node) if node is not None else "head",
        fix="Write a description of 70 to 160 characters in its content attribute.",
    )
