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

import re
from collections.abc import Iterator

from audit.dom import TextBlock
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.leftovers._text import describe, in_code, parse_json, type_in_text

META = RuleMeta(
    code="L004", name="jsonld-in-visible-text", category="leftovers", severity=Severity.ERROR
)
Options = NoOptions

MAX_BLOCKS = 200
MAX_CHARS = 50_000
_START = re.compile(r"\{\s*[\"“”]@(?:context|type)[\"“”]")
_KEYS = re.compile(r"[\"“”]@(?:context|type)[\"“”]")
_SMART = str.maketrans({"“": '"', "”": '"', "„": '"', "″": '"'})
_QUOTES = frozenset('"“”„″')
FIX = (
    "Remove the code from the page text and put the object, unchanged, inside a "
    '<script type="application/ld+json"> element in the page (ask your developer or SEO '
    "plugin to output it there)."
)


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per JSON-LD object printed as visible text."""
    blocks = page.text_blocks
    if not any("@context" in block.text or "@type" in block.text for block in blocks):
        return
    lines = [(index, line) for index, block in enumerate(blocks) for line in block.text.split("\n")]
    position = 0
    while position < len(lines):
        offset = _start(lines, position)
        if offset < 0 or in_code(blocks[lines[position][0]].node):
            position += 1
            continue
        text, end = _collect(lines, position, offset)
        finding = _judge(page, blocks, lines[position][0], lines[end][0], text)
        if finding is None:
            position += 1
            continue
        yield finding
        position = end + 1


def _start(lines: list[tuple[int, str]], position: int) -> int:
    """Where a JSON-LD object starts on this line (-1 when it does not)."""
    line = lines[position][1]
    if line.lstrip().startswith("{"):
        ahead = " ".join(text for _, text in lines[position + 1 : position + 4])
        return line.index("{") if _KEYS.search(line[:300] + ahead) else -1
    match = _START.search(line)
    return match.start() if match else -1


def _collect(lines: list[tuple[int, str]], position: int, offset: int) -> tuple[str, int]:
    """The text from the opening brace to its matching brace (or the cap) and the last line."""
    pieces: list[str] = []
    depth, in_string, escaped, size = 0, False, False, 0
    first_block = lines[position][0]
    last = position
    for end in range(position, len(lines)):
        block, line = lines[end]
        if block - first_block >= MAX_BLOCKS or size > MAX_CHARS:
            break
        last = end
        if end == position:
            line = line[offset:]
        for column, char in enumerate(line):
            if escaped:
                escaped = False
            elif in_string:
                escaped = char == "\\"
                in_string = char not in _QUOTES
            elif char in _QUOTES:
                in_string = True
            elif char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
                if depth == 0:
                    pieces.append(line[: column + 1])
                    return "\n".join(pieces), end
        pieces.append(line)
        size += len(line) + 1
    return "\n".join(pieces), last


def _judge(
    page: Page, blocks: tuple[TextBlock, ...], first: int, last: int, text: str
) -> Finding | None:
    value, error = parse_json(text)
    if value is None and any(char in text for char in "“”„″"):
        value, _ = parse_json(text.translate(_SMART))
    spread = (
        f"spread over {last - first + 1} consecutive blocks"
        if last > first
        else f"in one <{blocks[first].tag}>"
    )
    node = value[0] if isinstance(value, list) and value else value
    if isinstance(node, dict) and ("@context" in node or "@type" in node):
        kind, title = describe(node)
        label = "headline" if node.get("headline") else "name"
        named = f' ({label} "{title[:80]}")' if title else ""
        message = (
            f"A {kind + ' ' if kind else ''}JSON-LD object{named} is printed as visible text "
            f"{spread}: search engines ignore structured data in page text, and visitors see "
            "raw code."
        )
    elif "@context" in text and "@type" in text and "schema.org" in text:
        kind = type_in_text(text)
        message = (
            "Text that looks like a schema.org JSON-LD object"
            f"{f' (@type {kind})' if kind else ''} is printed as visible text {spread}, "
            f"and it is not even valid JSON ({error})."
        )
    else:
        return None
    return META.finding(
        page, message, evidence=text[:100], selector=blocks[first].selector, fix=FIX
    )
