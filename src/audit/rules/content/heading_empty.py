"""A heading has no text for a reader or a screen reader.

## What it does
Reports each visible `<h1>`…`<h6>` whose content gives it no name: no text, no
image with alt text, no SVG `<title>` and no `aria-label` or `aria-labelledby`.
Whitespace, `&nbsp;`, zero-width characters and text inside hidden elements do
not count as text. Headings that are themselves hidden, `aria-hidden="true"` or
`role="presentation"` / `role="none"` are skipped.

## Why is this bad?
Screen readers list empty headings in the page outline and announce them as
"heading level 2" with nothing after it, which sends visitors to a blank
section. Empty headings usually come from page-builder blocks whose title was
deleted, or from headings used to add vertical space.

## Example
```html
<body><h1>Rosacea treatment</h1>
<h2> </h2><p>Shallow injections support the skin.</p></body>
```

Use instead:
```html
<body><h1>Rosacea treatment</h1>
<h2>How micro-injections help</h2><p>Shallow injections support the skin.</p></body>
```

## Options
None.

## References
- [Deque axe: empty-heading](https://dequeuniversity.com/rules/axe/4.10/empty-heading)
- [W3C WCAG technique H42: Using h1-h6 to identify headings](https://www.w3.org/WAI/WCAG22/Techniques/html/H42)
"""

from __future__ import annotations

from collections.abc import Iterator

from selectolax.lexbor import LexborNode

from audit.dom import clip
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.content._dom import hidden_by, shown_name

META = RuleMeta(
    code="C004", name="heading-empty", category="accessibility", severity=Severity.WARNING
)
Options = NoOptions

_NOT_A_HEADING = frozenset({"presentation", "none"})


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield a finding for every visible heading without a name."""
    previous = ""
    memo: dict[int, LexborNode | None] = {}
    for heading in page.headings:
        node = heading.node
        attributes = node.attributes
        name = shown_name(node, heading.text)
        if name or (attributes.get("aria-labelledby") or "").strip():
            previous = f'<h{heading.level}> "{clip(name, 60)}"' if name else f"<h{heading.level}>"
            continue
        if (
            (attributes.get("aria-hidden") or "").strip().lower() == "true"
            or (attributes.get("role") or "").strip().lower() in _NOT_A_HEADING
            or hidden_by(node, memo) is not None
        ):
            continue
        after = f" (after {previous})" if previous else ""
        yield META.finding(
            page,
            f"An <h{heading.level}> heading is empty{after}.",
            evidence=node.html or "",
            selector=page.selector(node),
            fix=(
                "Write the section title inside the heading, or delete the empty heading; "
                "use spacing in the design (CSS margins) instead of empty headings."
            ),
        )
