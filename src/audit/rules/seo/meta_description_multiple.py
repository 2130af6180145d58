"""The page has more than one meta description.

## What it does
Counts the `<meta name="description">` tags of the page (name matched
case-insensitively; `og:description` and `twitter:description` are separate
tags and do not count) and reports a page with two or more.

## Why is this bad?
Search engines expect one description. With several they may pick either,
join them, or ignore them all and write their own snippet. A second
description usually comes from a theme and an SEO plugin both adding one, and
the text the marketing team wrote may be the one that loses.

## Example
```html
<html lang="en"><head><title>Acne Scar Revision | Harbor Light Skin Clinic</title>
<meta name="description" content="A staged plan for rolling and boxcar acne scars, in Taipei.">
<meta name="description" content="Just another clinic website">
</head><body><h1>Acne scar revision</h1></body></html>
```

Use instead:
```html
<html lang="en"><head><title>Acne Scar Revision | Harbor Light Skin Clinic</title>
<meta name="description" content="A staged plan for rolling and boxcar acne scars, in Taipei.">
<meta property="og:description" content="Staged acne scar treatment in Taipei.">
</head><body><h1>Acne scar revision</h1></body></html>
```

## Options
None.

## References
- [Google: Control your snippets in search results](https://developers.google.com/search/docs/appearance/snippet)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.dom import clip, collapse
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta

META = RuleMeta(
    code="S006", name="meta-description-multiple", category="seo", severity=Severity.WARNING
)
Options = NoOptions


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding when the page has two or more descriptions, pointing at the second."""
    values = page.meta("description")
    if len(values) < 2:
        return
    nodes = page.tree.css('meta[name="description" i]')
    first, second = collapse(values[0]), collapse(values[1])
    texts = (
        f'both say "{clip(first, 80)}"'
        if len(values) == 2 and first == second
        else f'the first is "{clip(first, 80)}", the second "{clip(second, 80)}"'
    )
    yield META.finding(
        page,
        f"The page has {len(values)} meta descriptions; {texts}.",
        evidence=nodes[1].html or "",
        selector=page.selector(nodes[1]),
        fix="Keep one meta description and remove the others (check the theme and SEO "
        "plugins: each may add its own).",
    )
