"""A JSON-LD script is empty or holds an empty object or array.

## What it does
Reports a `<script type="application/ld+json">` whose text is blank (or only a
comment wrapper), is `null`, `{}` or `[]`, or holds nothing but an `@context`
(an empty `@graph` included). An empty script with a `src` attribute is
reported too: JSON-LD must be inline, consumers do not fetch it from a file.

## Why is this bad?
An empty block describes nothing: usually a plugin or template whose fields
were never filled in, or markup that was removed by hand and left behind. The
page gets none of the structured data someone meant it to have, and validators
report it as an error.

## Example
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": []}
</script>
```

Use instead:
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "MedicalClinic", "name": "Harbor Light Clinic"}
]}
</script>
```

## Options
None.

## References
- [Google: Introduction to structured data markup](https://developers.google.com/search/docs/appearance/structured-data/intro-structured-data)
- [JSON-LD 1.1: Embedding JSON-LD in HTML documents](https://www.w3.org/TR/json-ld11/#embedding-json-ld-in-html-documents)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.syntax._util import block_text

META = RuleMeta(
    code="D003", name="jsonld-empty", category="structured-data", severity=Severity.WARNING
)
Options = NoOptions

FIX = (
    "Fill the block with the page's structured data (fix the template or plugin settings "
    "that should print it), or delete the empty <script> element."
)


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per ld+json block without any data."""
    for block in page.structured.blocks:
        if block.error is not None:
            continue
        if block.empty:
            text = block_text(block).strip()
            what = "holds only null" if text else "is empty"
            what = "holds only an empty comment wrapper" if block.wrapper and not text else what
            src = _src(page, block.index)
            if src and not text:
                what = f'is empty and points at src="{src}", which consumers never fetch'
        elif _is_void(block.data):
            what = _describe(block.data)
        else:
            continue
        yield META.finding(
            page,
            f"JSON-LD block #{block.index} {what}: it describes nothing.",
            evidence=block.raw.strip()[:100] or '<script type="application/ld+json"></script>',
            selector=block.selector,
            fix=FIX,
        )


def _is_void(value: Any) -> bool:
    """True for null, {}, [] and objects with nothing but @context (and an empty @graph)."""
    if value is None:
        return True
    if isinstance(value, list):
        return all(_is_void(item) for item in value)
    if isinstance(value, dict):
        return all(
            key == "@context" or (key == "@graph" and _is_void(item)) for key, item in value.items()
        )
    return False


def _describe(value: Any) -> str:
    if value == {}:
        return "holds only an empty object {}"
    if value == []:
        return "holds only an empty array []"
    if isinstance(value, dict) and "@graph" in value:
        return "holds only an @context and an empty @graph"
    if isinstance(value, dict):
        return "holds only an @context"
    return "holds only empty objects"


def _src(page: Page, index: int) -> str:
    """The ``src`` of the index-th ld+json script (JSON-LD is never loaded from a file)."""
    scripts = page.jsonld_scripts
    node = scripts[index - 1].node if 0 < index <= len(scripts) else None
    return ((node.attributes.get("src") or "") if node is not None else "").strip()
