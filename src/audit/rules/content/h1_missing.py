"""The page has no visible `<h1>` heading with text.

## What it does
Reports a page where no `<h1>` is both visible and non-empty. An `<h1>` counts
when it has text, or an image with alt text, or an `aria-label`. An `<h1>` that
is empty, or that sits inside an element hidden with the `hidden` attribute,
an inline `display: none` / `visibility: hidden` style, `<noscript>` or
`<template>`, does not count. (Elements hidden by a stylesheet class cannot be
seen from the HTML alone and are treated as visible.)

## Why is this bad?
The `<h1>` is the visible headline of the page. Search engines use it to
understand the main topic and sometimes to write the title shown in results;
screen-reader users jump to it to find where the content starts. A page
without one reads as a page without a subject.

## Example
```html
<html lang="en"><head><title>Rosacea treatment | Harbor Light</title></head>
<body><div class="hero" hidden><h1>Rosacea treatment</h1></div>
<h2>How micro-injections help</h2><p>Shallow injections support the skin.</p></body></html>
```

Use instead:
```html
<html lang="en"><head><title>Rosacea treatment | Harbor Light</title></head>
<body><h1>Rosacea treatment</h1>
<h2>How micro-injections help</h2><p>Shallow injections support the skin.</p></body></html>
```

## Options
None.

## References
- [Google: Influencing your title links (the main heading is one source)](https://developers.google.com/search/docs/appearance/title-link)
- [MDN: The h1 to h6 elements](https://developer.mozilla.org/en-US/docs/Web/HTML/Element/Heading_Elements)
"""

from __future__ import annotations

from collections.abc import Iterator

from selectolax.lexbor import LexborNode

from audit.dom import INVISIBLE_TAGS, clip
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.content._dom import hidden_by, shown_name

META = RuleMeta(code="C001", name="h1-missing", category="seo", severity=Severity.WARNING)
Options = NoOptions

FIX = "Give the page one visible <h1> that states its main topic, for example the article title."


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding when no ``<h1>`` is visible and has text."""
    h1s = [heading for heading in page.headings if heading.level == 1]
    if not h1s:
        first = page.headings[0] if page.headings else None
        yield META.finding(
            page,
            "The page has no <h1> heading."
            + (
                f' Its first heading is <h{first.level}> "{clip(first.text, 60)}".' if first else ""
            ),
            evidence=(first.node.html or "") if first else "",
            selector=page.selector(first.node) if first else "body",
            fix=FIX,
        )
        return
    hidden = empty = 0
    for heading in h1s:
        if hidden_by(heading.node) is not None:
            hidden += 1
        elif not shown_name(heading.node, heading.text):
            empty += 1
        else:
            return
    first = h1s[0].node
    if len(h1s) == 1:
        container = hidden_by(first)
        if container is None:
            message = "The page's only <h1> is empty."
        else:
            message = (
                f'The page\'s only <h1> "{clip(h1s[0].text, 60)}" is hidden '
                f"(by {_describe(container)})."
            )
    else:
        message = (
            f"None of the page's {len(h1s)} <h1> headings is visible with text "
            f"({empty} empty, {hidden} hidden)."
        )
    yield META.finding(
        page, message, evidence=first.html or "", selector=page.selector(first), fix=FIX
    )


def _describe(node: LexborNode) -> str:
    attributes = node.attributes
    if node.tag in INVISIBLE_TAGS:
        return f"<{node.tag}>"
    if "hidden" in attributes:
        return f"<{node.tag} hidden>"
    return f'<{node.tag} style="{clip(attributes.get("style") or "", 40)}">'
