"""The page has no `<title>`, or its title is empty.

## What it does
Reports an HTML page without a `<title>` element in its head, or whose title
is only whitespace.

## Why is this bad?
The title is the headline of the page in search results, browser tabs and
shared links. Without one, search engines invent a title from the page text,
usually a poor one, and the page competes badly for its own topic.

## Example
```html
<html lang="en"><head><meta charset="utf-8"></head>
<body><h1>Rosacea treatment</h1></body></html>
```

Use instead:
```html
<html lang="en"><head><title>Rosacea treatment | Harbor Light Clinic</title></head>
<body><h1>Rosacea treatment</h1></body></html>
```

## Options
None.

## References
- [Google: Influencing your title links](https://developers.google.com/search/docs/appearance/title-link)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta

META = RuleMeta(code="S001", name="title-missing", category="seo", severity=Severity.ERROR)
Options = NoOptions


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield a finding when the page has no non-empty title."""
    if not any(title for title in page.titles):
        empty = bool(page.titles)
        yield META.finding(
            page,
            "The <title> is empty." if empty else "The page has no <title> element.",
            evidence="<title></title>" if empty else "",
            selector="head > title" if empty else "head",
            fix="Add a unique, descriptive <title> of 30 to 60 characters to the <head>.",
        )
