"""The page has more than one visible `<h1>` heading.

## What it does
Reports a page with two or more `<h1>` headings that are visible and have text,
listing them. Hidden `<h1>` elements (the `hidden` attribute, an inline
`display: none`, inside `<noscript>` or `<template>`) and empty ones are not
counted: `h1-missing` and `heading-empty` cover those.

## Why is this bad?
One `<h1>` per page names its main topic. Several compete for that role: search
engines have to guess which one the page is about, and screen-reader users who
jump to "the" main heading land on the wrong one. A common cause is a theme
that wraps the logo or a sidebar widget title in an `<h1>`.

## Example
```html
<body><header><h1>Harbor Light Skin Clinic</h1></header>
<main><h1>Rosacea treatment</h1><p>Shallow injections support the skin.</p></main></body>
```

Use instead:
```html
<body><header><p class="logo">Harbor Light Skin Clinic</p></header>
<main><h1>Rosacea treatment</h1><p>Shallow injections support the skin.</p></main></body>
```

## Options
None.

## References
- [MDN: Avoid using multiple h1 elements on one page](https://developer.mozilla.org/en-US/docs/Web/HTML/Element/Heading_Elements#avoid_using_multiple_h1_elements_on_one_page)
"""

from __future__ import annotations

from collections.abc import Iterator

from selectolax.lexbor import LexborNode

from audit.dom import clip
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.content._dom import hidden_by, shown_name

META = RuleMeta(code="C002", name="h1-multiple", category="seo", severity=Severity.NOTICE)
Options = NoOptions

LISTED = 5


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding, at the second ``<h1>``, when the page has several."""
    memo: dict[int, LexborNode | None] = {}
    h1s: list[tuple[str, LexborNode]] = []
    for heading in page.headings:
        if heading.level == 1 and hidden_by(heading.node, memo) is None:
            name = shown_name(heading.node, heading.text)
            if name:
                h1s.append((name, heading.node))
    if len(h1s) < 2:
        return
    quoted = [f'"{clip(name, 50)}"' for name, _ in h1s[:LISTED]]
    if len(h1s) > LISTED:
        quoted.append(f"{len(h1s) - LISTED} more")
    listing = ", ".join(quoted[:-1]) + " and " + quoted[-1]
    second = h1s[1][1]
    yield META.finding(
        page,
        f"The page has {len(h1s)} <h1> headings: {listing}.",
        evidence=second.html or "",
        selector=page.selector(second),
        fix=(
            "Keep one <h1> for the page's main topic and change the others to <h2> "
            "(or to plain text if they are a logo or a widget title)."
        ),
    )
