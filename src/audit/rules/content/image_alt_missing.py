"""An image has no `alt` attribute.

## What it does
Reports every `<img>` without an `alt` attribute, one finding per image with its
address in the evidence. `alt=""` is correct for a decorative image and is not
reported. Also exempt: images marked `role="presentation"`, `role="none"` or
`aria-hidden="true"`, images named by `aria-label` or `aria-labelledby`, and
images that do not render (the `hidden` attribute or an inline `display: none`
on the image or a parent, or inside `<noscript>` or `<template>`; tracking
pixels are usually hidden this way). After `max_findings` images one summary
finding says how many more there are.

## Why is this bad?
Screen readers read the file name of an image without `alt` ("IMG underscore
4 0 2 7 dot jpg"), or skip it and leave a gap in the content. Search engines
use alt text to understand images and rank them in image search, and browsers
show it when the image fails to load.

## Example
```html
<body><h1>Dr. Lin Wei-Chen</h1>
<img src="/img/dr-lin.jpg" width="400" height="400"></body>
```

Use instead:
```html
<body><h1>Dr. Lin Wei-Chen</h1>
<img src="/img/dr-lin.jpg" alt="Dr. Lin Wei-Chen in the treatment room" width="400" height="400">
<img src="/img/divider.svg" alt=""></body>
```

## Options
- `max_findings`: the most images reported one by one on a page (default 20);
  the rest are counted in one summary finding. `0` reports every image.

## References
- [W3C WAI: Images tutorial, an alt decision tree](https://www.w3.org/WAI/tutorials/images/decision-tree/)
- [Google: Image SEO best practices](https://developers.google.com/search/docs/appearance/google-images)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from audit.dom import clip
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import RuleMeta
from audit.rules.content._dom import hidden_by

META = RuleMeta(
    code="C006", name="image-alt-missing", category="accessibility", severity=Severity.WARNING
)


@dataclass(frozen=True)
class Options:
    """Settings of image-alt-missing."""

    max_findings: int = 20


FIX = (
    'Add an alt attribute that says what the image shows, e.g. alt="Dr. Lin examining a '
    'patient\'s cheek"; if the image is only decoration, add an empty alt="".'
)
_EXEMPT_ROLES = frozenset({"presentation", "none"})
_LAZY_SOURCES = ("data-src", "data-lazy-src", "data-original", "srcset", "data-srcset")


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield a finding per image without alt, then a summary past ``max_findings``."""
    memo: dict[int, LexborNode | None] = {}
    missing = [
        image.node for image in page.images if image.alt is None and _reported(image.node, memo)
    ]
    shown = missing if opts.max_findings <= 0 else missing[: opts.max_findings]
    for node in shown:
        yield META.finding(
            page,
            f'Image "{clip(_source(node), 100)}" has no alt attribute.',
            evidence=node.html or "",
            selector=page.selector(node),
            fix=FIX,
        )
    rest = missing[len(shown) :]
    if rest:
        yield META.finding(
            page,
            f"… and {len(rest)} more image{'s' if len(rest) > 1 else ''} without an alt attribute "
            f"on this page (only the first {len(shown)} are listed).",
            evidence=" ".join(_source(node) for node in rest[:5]),
            selector=page.selector(rest[0]),
            fix=FIX,
        )


def _reported(node: LexborNode, memo: dict[int, LexborNode | None]) -> bool:
    attributes = node.attributes
    if (attributes.get("role") or "").strip().lower() in _EXEMPT_ROLES:
        return False
    if (attributes.get("aria-hidden") or "").strip().lower() == "true":
        return False
    if (attributes.get("aria-label") or "").strip() or (
        attributes.get("aria-labelledby") or ""
    ).strip():
        return False
    return hidden_by(node, memo) is None


def _source(node: LexborNode) -> str:
    """The image's address as written: ``src``, or a lazy-loading attribute when src is a stub."""
    attributes = node.attributes
    src = (attributes.get("src") or "").strip()
    if src and not src.startswith("data:"):
        return src
    for name in _LAZY_SOURCES:
        value = (attributes.get(name) or "").strip()
        if value:
            return value.split()[0].rstrip(",")
    return src or "(no src)"
