"""Extracting microdata or RDFa from the page crashed, so that markup was not checked.

## What it does
Reports each structured-data syntax (microdata, RDFa) whose extraction failed on
the page with an exception, naming the syntax and the error. The other syntaxes
and JSON-LD are still extracted and checked; only the failing one is lost.

## Why is this bad?
Markup that breaks an extractor is usually malformed (an invalid URL in `href`,
`src`, `about` or `resource`, a broken prefix declaration) and may break search
engines' parsers as well. None of the rules could check the data in that
syntax, so its problems stay hidden until the markup is fixed.

## Example
```html
<div vocab="https://schema.org/" typeof="Physician">
  <span property="name">Dr. Lin</span>
  <a property="url" href="http://[clinic.example/dr-lin">Profile</a>
</div>
```

Use instead:
```html
<div vocab="https://schema.org/" typeof="Physician">
  <span property="name">Dr. Lin</span>
  <a property="url" href="https://clinic.example/dr-lin">Profile</a>
</div>
```

## Options
None.

## References
- [W3C: HTML Microdata](https://www.w3.org/TR/microdata/)
- [W3C: RDFa Core 1.1](https://www.w3.org/TR/rdfa-core/)
- [Schema Markup Validator](https://validator.schema.org/)
"""

from __future__ import annotations

from collections.abc import Iterator

from selectolax.lexbor import LexborNode

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta

META = RuleMeta(
    code="D005", name="extraction-failed", category="structured-data", severity=Severity.WARNING
)
Options = NoOptions

# label, where the markup starts, the attributes that usually hold the malformed value
_SYNTAXES = {
    "microdata": ("Microdata", "[itemscope]", "itemid, itemtype, href or src"),
    "rdfa": (
        "RDFa",
        "[typeof], [vocab], [about], [resource], [prefix]",
        "about, resource, href or src",
    ),
}


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per syntax whose extraction crashed."""
    for problem in page.structured.problems:
        label, selector, attributes = _SYNTAXES.get(
            problem.syntax, (problem.syntax, "", "href or src")
        )
        first = page.tree.css_first(selector) if selector else None
        yield META.finding(
            page,
            f"{label} extraction failed ({problem.message}), so this page's {label} "
            "structured data could not be read or checked.",
            evidence=_opening_tag(first) if first is not None else problem.message,
            selector=(page.selector(first) if first is not None else "") or "html",
            fix=(
                f"Look for a malformed value in the {label} markup, above all an invalid URL "
                f"in {attributes} attributes, and correct it; then test the page in the "
                "Schema Markup Validator."
            ),
        )


def _opening_tag(node: LexborNode) -> str:
    """``<div vocab="…" typeof="…">``: searchable, without serialising the whole subtree."""
    attributes = "".join(
        f' {name}="{value}"' if value is not None else f" {name}"
        for name, value in node.attributes.items()
    )
    return f"<{node.tag}{attributes}>"
