"""An indexable page has no structured data at all.

## What it does
Reports an HTML page that search engines may index (no `noindex` in a robots
meta tag or the `X-Robots-Tag` header) and that carries no structured data: no
typed JSON-LD object, microdata item or RDFa resource, and no schema.org
property in any of them. Open Graph and Twitter card tags do not count: they
describe a share preview, not the page's entities. Markup that is there but
incomplete (untyped, of another vocabulary such as Dublin Core RDFa, or with a
type the extraction could not read, such as the `"type"` alias of `@type` or an
`itemtype` on an element the HTML parser dropped) is left to the rules that
judge the markup itself.

The message says when the page prints JSON-LD as visible text (a text block
holding `"@context"`, with `"@type"` in it or in the blocks just after) or keeps
it inside an HTML comment, the two usual reasons the markup never reaches search
engines. A page whose JSON-LD block fails to parse is left to
`jsonld-invalid`.

## Why is this bad?
Structured data tells search engines and AI assistants what the page is about
and who stands behind it (the clinic, the doctor, the condition treated). Without
it the page is not eligible for rich results, and its entities have to be guessed
from the text. For a health site it is also the easiest place to state authorship
and medical review.

## Example
```html
<head><title>Rosacea care | Harbor Light Clinic</title></head>
<body><h1>Rosacea care</h1><p>Gentle cleansers help.</p>
<p>{"@context": "https://schema.org", "@type": "MedicalWebPage"}</p></body>
```

Use instead:
```html
<head><title>Rosacea care | Harbor Light Clinic</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalWebPage", "name": "Rosacea care"}
</script></head>
<body><h1>Rosacea care</h1><p>Gentle cleansers help.</p></body>
```

## Options
None.

## References
- [Google: Introduction to structured data markup](https://developers.google.com/search/docs/appearance/structured-data/intro-structured-data)
- [schema.org: Getting started](https://schema.org/docs/gs.html)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from audit.dom import TextBlock
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.parity._text import in_code
from audit.structured.nodes import Node

META = RuleMeta(
    code="D302",
    name="structured-data-missing",
    category="structured-data",
    severity=Severity.WARNING,
)
Options = NoOptions

_CONTEXT = re.compile(r"[\"“”]@context[\"“”]")
_TYPE = re.compile(r"[\"“”]@type[\"“”]")
_TYPE_ATTRIBUTE = re.compile(r"<[A-Za-z][^<>]*?\s(?:itemtype|typeof)\s*=", re.IGNORECASE)
# Open Graph (read as RDFa when the page declares its prefix) and RDFa's vocabulary note.
_SHARE_PREVIEW = (
    "http://ogp.me/ns", "https://ogp.me/ns", "http://www.w3.org/ns/rdfa#", "og:", "fb:",
    "article:", "twitter:",
)  # fmt: skip
LOOKAHEAD = 8
FIX = (
    "Add a JSON-LD block describing the page (for a health article: MedicalWebPage with "
    'author, publisher and dates) in a <script type="application/ld+json"> element, '
    "through your CMS or SEO plugin."
)
FIX_PRINTED = (
    "Move the JSON-LD that is printed in the page text into a "
    '<script type="application/ld+json"> element (ask your developer or SEO plugin to '
    "output it there) and remove it from the visible text."
)


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding when an indexable page has no structured data at all."""
    if "noindex" in page.robots_directives:
        return
    data = page.structured
    if data.typed_nodes or data.problems or any(block.error for block in data.blocks):
        return  # broken blocks and crashed extraction are reported by their own rules
    if any(_has_content(node) for node in data.nodes) or _typed_markup(page):
        return  # markup without a type (or of another vocabulary): not "missing"
    printed = _printed_jsonld(page.text_blocks)
    if printed is not None:
        yield META.finding(
            page,
            "The page has no structured data that search engines can read: the JSON-LD on "
            "this page is printed as text, not in a script tag, so it is shown to visitors "
            "and ignored by search engines.",
            evidence=printed.text,
            selector=printed.selector,
            fix=FIX_PRINTED,
        )
        return
    commented = next((c for c in page.comments if _CONTEXT.search(c.text)), None)
    if commented is not None:
        yield META.finding(
            page,
            "The page has no structured data that search engines can read: its JSON-LD is "
            "inside an HTML comment, which switches it off.",
            evidence=commented.text.strip(),
            selector=commented.selector or "html",
            fix="Take the JSON-LD out of the HTML comment so that it is a live "
            '<script type="application/ld+json"> element.',
        )
        return
    graph = (
        " Its Open Graph tags alone do not count: they describe a share preview, not the "
        "page's entities."
        if page.open_graph
        else ""
    )
    yield META.finding(
        page,
        f"The page has no structured data: no JSON-LD, microdata or RDFa markup.{graph}",
        evidence=page.title or "",
        selector="head",
        fix=FIX,
    )


def _has_content(node: Node) -> bool:
    """True for a node with properties other than Open Graph's and RDFa's own bookkeeping."""
    return bool(node.properties) or any(not key.startswith(_SHARE_PREVIEW) for key in node.foreign)


def _typed_markup(page: Page) -> bool:
    """True when the page declares a type that extraction did not turn into a node.

    Such as ``"type"`` (the schema.org context's alias of ``@type``), or an
    ``itemtype``/``typeof`` attribute on an element the HTML parser moved or dropped.
    """
    if any(_declares_type(block.data, 0) for block in page.structured.blocks):
        return True
    html = page.html
    return ("itemtype" in html or "typeof" in html) and _TYPE_ATTRIBUTE.search(html) is not None


def _declares_type(value: object, depth: int) -> bool:
    if depth > 20:
        return False
    if isinstance(value, dict):
        if isinstance(value.get("@type", value.get("type")), str | list):
            return True
        return any(_declares_type(item, depth + 1) for item in value.values())
    if isinstance(value, list):
        return any(_declares_type(item, depth + 1) for item in value)
    return False


def _printed_jsonld(blocks: tuple[TextBlock, ...]) -> TextBlock | None:
    """The visible block where a JSON-LD object starts, if the page prints one as text."""
    for index, block in enumerate(blocks):
        if "@context" not in block.text or not _CONTEXT.search(block.text):
            continue
        if in_code(block.node):
            continue  # a code sample shown on purpose
        ahead = blocks[index : index + LOOKAHEAD]
        if any(_TYPE.search(later.text) for later in ahead):
            return block
    return None
