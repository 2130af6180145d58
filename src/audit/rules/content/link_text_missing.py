"""A link has no text, no image alt text and no label.

## What it does
Reports each `<a href>` that gives a screen reader nothing to announce: no text,
no image inside it with alt text, no SVG `<title>`, and no `aria-label`,
`aria-labelledby` or `title` on the link. Icon-only links (a font icon in an
`<i>` or `<span>`, an SVG without a title, an image with `alt=""`) are the usual
cause. Links that do not render (hidden by the `hidden` attribute, an inline
`display: none`, or inside `<noscript>` or `<template>`) and links marked
`aria-hidden="true"` are skipped.

## Why is this bad?
A screen reader announces such a link as "link" or reads its URL letter by
letter, so visitors who cannot see the icon cannot tell where it goes. Search
engines get no anchor text for the target page either.

## Example
```html
<footer><a href="https://www.facebook.com/harborlightclinic">
  <i class="icon-facebook"></i></a></footer>
```

Use instead:
```html
<footer><a href="https://www.facebook.com/harborlightclinic" aria-label="Harbor Light on Facebook">
  <i class="icon-facebook"></i></a></footer>
```

## Options
None.

## References
- [Deque axe: link-name](https://dequeuniversity.com/rules/axe/4.10/link-name)
- [W3C WCAG 2.2: Understanding 2.4.4 Link Purpose (In Context)](https://www.w3.org/WAI/WCAG22/Understanding/link-purpose-in-context.html)
"""

from __future__ import annotations

from collections.abc import Iterator

from selectolax.lexbor import LexborNode

from audit.dom import clip
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.content._dom import BLANK, content_name, hidden_by

META = RuleMeta(
    code="C008", name="link-text-missing", category="accessibility", severity=Severity.WARNING
)
Options = NoOptions


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield a finding for every rendered link without an accessible name."""
    memo: dict[int, LexborNode | None] = {}
    for link in page.links:
        node = link.node
        if link.text.strip(BLANK) or node.tag != "a":
            continue
        if _exempt(node) or content_name(node) or hidden_by(node, memo) is not None:
            continue
        yield META.finding(
            page,
            f'The link to "{clip(link.href, 100)}" has no text, image alt text or label, '
            "so screen readers cannot say where it goes.",
            evidence=node.html or "",
            selector=page.selector(node),
            fix=(
                "Add visible link text, or alt text to the image inside the link, or an "
                'aria-label that names the destination (aria-label="Harbor Light on Facebook").'
            ),
        )


def _exempt(node: LexborNode) -> bool:
    attributes = node.attributes
    if (attributes.get("aria-hidden") or "").strip().lower() == "true":
        return True
    return any(
        (attributes.get(name) or "").strip() for name in ("aria-label", "aria-labelledby", "title")
    )
