"""The JSON inside a JSON-LD script is wrapped in an HTML comment or a CDATA section.

## What it does
Reports a `<script type="application/ld+json">` whose JSON is enclosed in
`<!-- … -->` or `<![CDATA[ … ]]>` inside the script. The JSON itself may be
valid; a broken one is also reported by `jsonld-invalid`.

## Why is this bad?
The script's text must be the JSON document and nothing else. The wrapper is a
habit from browsers of the 1990s (HTML comments) and from XHTML (CDATA); today
it only makes the block unreadable for strict JSON-LD processors, plugins and
validators, which fail on the first `<` and skip the whole block.

## Example
```html
<script type="application/ld+json"><!--
{"@context": "https://schema.org", "@type": "MedicalClinic", "name": "Harbor Light Clinic"}
--></script>
```

Use instead:
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalClinic", "name": "Harbor Light Clinic"}
</script>
```

## Options
None.

## References
- [JSON-LD 1.1: Embedding JSON-LD in HTML documents](https://www.w3.org/TR/json-ld11/#embedding-json-ld-in-html-documents)
- [HTML Living Standard: Restrictions for contents of script elements](https://html.spec.whatwg.org/multipage/scripting.html#restrictions-for-contents-of-script-elements)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta

META = RuleMeta(
    code="D002", name="jsonld-wrapped", category="structured-data", severity=Severity.WARNING
)
Options = NoOptions

_WRAPPERS = {
    "html-comment": ("an HTML comment (<!-- … -->)", "<!-- and -->"),
    "cdata": ("a CDATA section (<![CDATA[ … ]]>)", "<![CDATA[ and ]]>"),
}


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per ld+json block whose JSON sits inside a comment or CDATA wrapper."""
    for block in page.structured.blocks:
        if block.wrapper is None or block.empty:  # an empty wrapper is jsonld-empty's
            continue
        what, markers = _WRAPPERS.get(block.wrapper, (block.wrapper, "the wrapper"))
        yield META.finding(
            page,
            f"The JSON of JSON-LD block #{block.index} is wrapped in {what} inside its "
            "<script>; strict JSON-LD processors and validators reject the block.",
            evidence=block.raw.strip()[:100],
            selector=block.selector,
            fix=f"Delete the {markers} around the JSON so that the script holds plain JSON.",
        )
