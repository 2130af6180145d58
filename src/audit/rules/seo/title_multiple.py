"""The page has more than one `<title>` element.

## What it does
Counts the `<title>` elements of the page (those inside inline SVG images are
icon labels and do not count) and reports a page with two or more.

## Why is this bad?
Browsers and search engines use only the first title; the others are ignored.
A second title usually means two plugins or templates each add one, and the
one that wins may not be the one the marketing team wrote. The HTML standard
allows one title per document.

## Example
```html
<html lang="en"><head>
<title>Rosacea Treatment | Harbor Light Skin Clinic</title>
<title>Home - Harbor Light</title>
</head><body><h1>Rosacea treatment</h1></body></html>
```

Use instead:
```html
<html lang="en"><head>
<title>Rosacea Treatment | Harbor Light Skin Clinic</title>
</head><body><h1>Rosacea treatment</h1>
<svg role="img"><title>Phone icon</title></svg></body></html>
```

## Options
None.

## References
- [HTML Standard: the title element](https://html.spec.whatwg.org/multipage/semantics.html#the-title-element)
- [Google: Influencing your title links](https://developers.google.com/search/docs/appearance/title-link)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.dom import clip
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta

META = RuleMeta(code="S003", name="title-multiple", category="seo", severity=Severity.WARNING)
Options = NoOptions


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding when the page has two or more titles, pointing at the second."""
    if len(page.titles) < 2:
        return
    nodes = page.tree.css("title:not(svg title)")
    first, second = page.titles[0], page.titles[1]
    texts = (
        f'both say "{clip(first, 80)}"'
        if len(page.titles) == 2 and first == second
        else f'the first is "{clip(first, 80)}", the second "{clip(second, 80)}"'
    )
    yield META.finding(
        page,
        f"The page has {len(page.titles)} <title> elements and only the first is used; {texts}.",
        evidence=nodes[1].html or "",
        selector=page.selector(nodes[1]),
        fix="Keep one <title> in the <head> and remove the others (check the theme and SEO "
        "plugins: each may add its own).",
    )
