"""Unrendered template syntax or a script value such as "undefined" is visible on the page.

## What it does
Reports template tags that were never filled in (`{{ title }}`, `{% if %}`,
`<%= price %>`, `${name}`, `<?php … ?>`) and the text `[object Object]` anywhere
in the visible text, the `<title>`, the meta description and the Open Graph or
Twitter title and description. The bare script values `undefined`, `null`, `NaN`
and `Invalid Date` are reported only when they are the whole text of a block, of
a `<br>`-separated line, of an inline element such as `<span>` or of a head
field, so prose like "the null hypothesis" is left alone. Code samples inside
`<pre>`, `<code>`, `<kbd>` or `<samp>` are skipped, and JSON or math braces such
as `{x}` are not template syntax.

## Why is this bad?
The page shows its plumbing instead of its content: a price of "undefined", a
headline of `{{ post.title }}`. Search engines index and display these strings in
titles and snippets, and visitors lose trust in a page that looks broken.

## Example
```html
<html><head><title>{{ page.title }} | Harbor Light</title></head>
<body><h1>Laser aftercare</h1><p>Price: <span class="price">undefined</span></p></body></html>
```

Use instead:
```html
<html><head><title>Laser aftercare | Harbor Light</title></head>
<body><h1>Laser aftercare</h1><p>Templates use <code>{{ page.title }}</code> placeholders.</p>
<p>We tested the null hypothesis that {x} equals {y}.</p></body></html>
```

## Options
None.

## References
- [Google: Fix search-related JavaScript problems](https://developers.google.com/search/docs/crawling-indexing/javascript/fix-search-javascript)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.leftovers._text import PROSE_TAGS, in_code, inline_elements, own_text

META = RuleMeta(code="L002", name="template-leak", category="leftovers", severity=Severity.ERROR)
Options = NoOptions

# Template syntax and "[object Object]" are leaks wherever they appear.
# (No IGNORECASE: every branch starts with a symbol, which keeps the scan fast.)
_SYNTAX = re.compile(
    r"\{\{[^{}]{0,200}\}\}|\{%-?\s*\w.{0,200}?%\}|<%[=\-#]?.{0,200}?%>|<\?(?:(?i:php)|=).{0,200}?\?>"
    r"|\$\{[A-Za-z_$][^{}\n]{0,200}\}|\[object Object\]"
)
_SCRIPT_VALUE = re.compile(r"\b(?:undefined|null|NaN|Invalid Date)\b")
_BARE = frozenset({"undefined", "null", "NaN", "Invalid Date"})
_HEAD_FIELDS = (
    ("description", 'meta[name="description"]'),
    ("og:title", 'meta[property="og:title"]'),
    ("og:description", 'meta[property="og:description"]'),
    ("twitter:title", 'meta[name="twitter:title"]'),
    ("twitter:description", 'meta[name="twitter:description"]'),
)
FIX = (
    "Fix the template, CMS field or script that fills this spot so that it outputs the real "
    "value, or remove the placeholder; then check the published page again."
)


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per head field and per visible block that shows a leak."""
    social = {**page.open_graph, **page.twitter}
    head = [("the <title>", page.title or "", "head > title")]
    for key, selector in _HEAD_FIELDS:
        value = page.meta_description if key == "description" else social.get(key)
        head.append((f"the {key} meta tag", value or "", selector))
    for where, text, selector in head:
        leak = _leak(text)
        if leak:
            yield _finding(page, leak, where, text, selector)
    joined = page.visible_text
    # Every _SYNTAX branch starts with one of four characters: testing for a character is
    # forty times faster than the regex over a whole page.
    syntax = any(char in joined for char in "{<$[") and _SYNTAX.search(joined)
    if not (syntax or any(value in joined for value in _BARE)):
        return
    for block in page.text_blocks:
        text = block.text
        if not (_SYNTAX.search(text) or _SCRIPT_VALUE.search(text)):
            continue
        if in_code(block.node):
            continue
        text = own_text(block.node)  # again, without inline code samples
        leak = _leak(text)
        if leak:
            yield _finding(page, leak, f"the <{block.tag}> element", text, block.selector)
            continue
        for node in inline_elements(block.node):
            value = " ".join(node.text(deep=True).split())
            if value in _BARE and node.tag not in PROSE_TAGS and not in_code(node):
                yield _finding(page, value, f"the <{node.tag}> element", value, page.selector(node))
                break


def _leak(text: str) -> str:
    """The leaked string in ``text`` ("" when none)."""
    match = _SYNTAX.search(text)
    if match:
        return match.group(0)
    stripped = text.strip()
    if stripped in _BARE:
        return stripped
    return next((line for line in text.split("\n") if line.strip() in _BARE), "").strip()


def _finding(page: Page, leak: str, where: str, text: str, selector: str) -> Finding:
    if leak in _BARE or leak.lower() == "[object object]":
        what = f'The script value "{leak}" is shown in {where} instead of real content'
    else:
        what = f'Unrendered template syntax "{leak[:60]}" is shown in {where}'
    start = max(text.find(leak) - 40, 0)
    return META.finding(
        page,
        what + ": the page was published before its template or script filled it in.",
        evidence=text[start:],
        selector=selector,
        fix=FIX,
    )
