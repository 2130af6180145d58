"""A JSON-LD block is not valid JSON, so search engines ignore the whole block.

## What it does
Parses every `<script type="application/ld+json">` with a strict JSON parser and
reports each block that fails, with its number on the page, the line and column
of the error (counted from the start of the script's text, plus the line in the
page source), the parser's message and the likely cause: a trailing comma, a
`//` or `/* */` comment, single or curly quotes, a line break typed inside a
text value, a missing comma, an unescaped double quote, a stray backslash, an
HTML comment or template code left in the JSON.
Valid blocks on the same page are not reported.

## Why is this bad?
Structured data is read only when its JSON parses. One stray comma switches off
every entity in the block (the clinic, its doctors, the article), and the page
loses the rich results it was written for. Some tools silently repair small
mistakes, so a block can look fine in one validator and fail in Google's.

## Example
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalClinic",
 "name": "港光皮膚科診所", "telephone": "+886-2-2700-0000",}
</script>
```

Use instead:
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalClinic",
 "name": "港光皮膚科診所", "telephone": "+886-2-2700-0000"}
</script>
```

## Options
None.

## References
- [RFC 8259: The JSON Data Interchange Format](https://www.rfc-editor.org/rfc/rfc8259)
- [Google: General structured data guidelines](https://developers.google.com/search/docs/appearance/structured-data/sd-policies)
- [Google: Rich Results Test](https://search.google.com/test/rich-results)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.syntax._util import block_text, diagnose, error_place, type_in_text

META = RuleMeta(
    code="D001", name="jsonld-invalid", category="structured-data", severity=Severity.ERROR
)
Options = NoOptions


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per ld+json block that strict JSON parsing rejects."""
    for block in page.structured.blocks:
        error = block.error
        if error is None:
            continue
        text = block_text(block)
        cause, fix = diagnose(text, error)
        kind = type_in_text(text)
        lost = f"its {kind} markup" if kind else "the whole block"
        likely = f"; likely {cause}" if cause else ""
        yield META.finding(
            page,
            f"JSON-LD block #{block.index} is not valid JSON: "
            f"{error.message.removesuffix(' at')} at {error_place(page, block, error)}"
            f"{likely}. Search engines ignore {lost}.",
            evidence=error.snippet,
            selector=block.selector,
            fix=fix,
        )
