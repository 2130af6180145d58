"""A schema.org JSON-LD object is printed as visible text instead of sitting in a script tag.

## What it does
Finds JSON-LD shown to visitors: text that starts with `{` and carries
`"@context"` or `"@type"` within its first lines, whether the object sits in one
element, is split over `<br>` lines, or is spread over consecutive paragraphs or
list items (one line per `<p>`, as some editors paste it). The lines are joined
until the braces balance (at most 200 blocks or 50 KB) and parsed as JSON. The
finding names the object's `@type` and headline or name; text that looks like
schema.org JSON-LD but is not valid JSON is reported too. Typographic quotes
(`“ ”`) that an editor put in place of `"` are tolerated. JSON inside `<pre>` or
`<code>` (a code sample) is not reported.

## Why is this bad?
Search engines read structured data only from `<script type="application/ld+json">`
(or microdata and RDFa attributes). As page text, the object earns no rich result,
fills the page with code that visitors see, and dilutes the article's text with
keys and URLs. It usually means a CMS field meant for a script was pasted into
the body.

## Example
```html
<article><h1>Rosacea care</h1><p>Gentle cleansers help.</p>
<p>{</p>
<p>"@context": "https://schema.org",</p>
<p>"@type": "MedicalWebPage",</p>
<p>"headline": "Rosacea care"</p>
<p>}</p></article>
```

Use instead:
```html
<head><script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalWebPage", "headline": "Rosacea care"}
</script></head>
<article><h1>Rosacea care</h1><p>Gentle cleansers help.</p>
<pre><code>{"@context": "https://schema.org", "@type": "Thing"}</code></pre></article>
```

## Options
None.

## References
- [Google: Introduction to structured data markup](https://developers.google.com/search/docs/appearance/structured-data/intro-structured-data)
- [JSON-LD 1.1: Embedding JSON-LD in HTML documents](https://www.w3.org/TR/json-ld11/#embedding-json-ld-in-html-documents)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.dom import TextBlock
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.leftovers._text import describe, type_in_text
from audit.structured.visible import VisibleJsonLd

META = RuleMeta(
    code="L004", name="jsonld-in-visible-text", category="leftovers", severity=Severity.ERROR
)
Options = NoOptions

FIX = (
    "Remove the code from the page text and put the object, unchanged, inside a "
    '<script type="application/ld+json"> element in the page (ask your developer or SEO '
    "plugin to output it there)."
)


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per JSON-LD object printed as visible text."""
    blocks = page.text_blocks
    for found in page.visible_jsonld:
        yield _finding(page, blocks, found)


def _finding(page: Page, blocks: tuple[TextBlock, ...], found: VisibleJsonLd) -> Finding:
    first, last, text, value = found.first, found.last, found.text, found.value
    spread = (
        f"spread over {last - first + 1} consecutive blocks"
        if last > first
        else f"in one <{blocks[first].tag}>"
    )
    node = value[0] if isinstance(value, list) and value else value
    if isinstance(node, dict):
        kind, title = describe(node)
        label = "headline" if node.get("headline") else "name"
        named = f' ({label} "{title[:80]}")' if title else ""
        message = (
            f"A {kind + ' ' if kind else ''}JSON-LD object{named} is printed as visible text "
            f"{spread}: search engines ignore structured data in page text, and visitors see "
            "raw code."
        )
    else:
        kind = type_in_text(text)
        message = (
            "Text that looks like a schema.org JSON-LD object"
            f"{f' (@type {kind})' if kind else ''} is printed as visible text {spread}, "
            f"and it is not even valid JSON ({found.error})."
        )
    return META.finding(
        page, message, evidence=text[:100], selector=blocks[first].selector, fix=FIX
    )
