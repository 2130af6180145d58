"""A heading level is skipped going down, or the first heading is not an `<h1>`.

## What it does
Walks the visible headings in document order and reports each place where the
level drops by more than one (an `<h2>` followed by an `<h4>`), naming both
headings, and reports the first heading when it is not an `<h1>`. Going back up
any number of levels (`<h4>` to `<h2>`) is fine. Headings that are hidden
(`hidden`, inline `display: none`, `aria-hidden="true"`, inside `<noscript>` or
`<template>`) or have `role="presentation"` / `role="none"` are left out, as a
screen reader leaves them out.

## Why is this bad?
Screen-reader users navigate a page by its headings, like a table of contents.
A skipped level makes them think they missed a section, and a page that opens
with an `<h2>` or `<h3>` hides where the main content starts. Search engines read
the same outline to understand how sections relate. Heading levels usually get
skipped to get a smaller font; that is a job for CSS.

## Example
```html
<body><h1>Rosacea treatment</h1>
<h2>How it works</h2><h4>Session length</h4><p>About forty minutes.</p></body>
```

Use instead:
```html
<body><h1>Rosacea treatment</h1>
<h2>How it works</h2><h3>Session length</h3><p>About forty minutes.</p></body>
```

## Options
None.

## References
- [W3C WAI: Headings tutorial](https://www.w3.org/WAI/tutorials/page-structure/headings/)
- [Deque axe: heading-order](https://dequeuniversity.com/rules/axe/4.10/heading-order)
"""

from __future__ import annotations

from collections.abc import Iterator

from selectolax.lexbor import LexborNode

from audit.dom import clip
from audit.models import Finding, Severity
from audit.page import Heading, Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.content._dom import hidden_by, shown_name

META = RuleMeta(
    code="C003", name="heading-order", category="accessibility", severity=Severity.NOTICE
)
Options = NoOptions

_NOT_A_HEADING = frozenset({"presentation", "none"})


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield a finding for an opening heading other than ``<h1>`` and for every skipped level."""
    previous: Heading | None = None
    memo: dict[int, LexborNode | None] = {}
    for heading in page.headings:
        attributes = heading.node.attributes
        if (
            (attributes.get("aria-hidden") or "").strip().lower() == "true"
            or (attributes.get("role") or "").strip().lower() in _NOT_A_HEADING
            or hidden_by(heading.node, memo) is not None
        ):
            continue
        if previous is None and heading.level != 1:
            yield _first_not_h1(page, heading)
        elif previous is not None and heading.level > previous.level + 1:
            missing = ", ".join(f"<h{level}>" for level in range(previous.level + 1, heading.level))
            yield META.finding(
                page,
                f"Heading level skipped: {_label(previous)} is followed by {_label(heading)} "
                f"with no {missing} between them.",
                evidence=heading.node.html or "",
                selector=page.selector(heading.node),
                fix=(
                    f"Change the <h{heading.level}> to <h{previous.level + 1}>, or add the missing "
                    "heading above it. Pick heading levels by outline, not by font size."
                ),
            )
        previous = heading


def _first_not_h1(page: Page, heading: Heading) -> Finding:
    later_h1 = next((other for other in page.headings if other.level == 1), None)
    where = f" The <h1> {_quoted(later_h1)} comes after it." if later_h1 else ""
    return META.finding(
        page,
        f"The first heading is {_label(heading)}, not an <h1>.{where}",
        evidence=heading.node.html or "",
        selector=page.selector(heading.node),
        fix=(
            "Start the page's headings with its <h1> title. If the earlier heading is part of "
            "the site header, menu or sidebar, make it plain text instead of a heading."
        ),
    )


def _label(heading: Heading) -> str:
    return f"<h{heading.level}> {_quoted(heading)}"


def _quoted(heading: Heading) -> str:
    name = shown_name(heading.node, heading.text)
    return f'"{clip(name, 60)}"' if name else "(empty)"
