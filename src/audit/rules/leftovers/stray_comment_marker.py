"""A comment marker such as "-->" or a literal HTML tag such as "<p>" is visible on the page.

## What it does
Reports visible text that shows HTML comment or CDATA markers (`<!--`, `--!>`,
`<![CDATA[`, `]]>`, and `-->` standing at the start or end of a line) or an HTML
tag as text (`<div class="x">`, `</p>`, `<br/>`: known element names only). These
appear when a comment is closed twice, when markup is escaped by an editor, or
when a block of code was pasted into a rich-text field. Arrows (`->`, `=>`, `<-`,
`→`, `⇒`, an `A --> B` arrow between words), dashes in prose (`room -- the`) and
code samples inside `<pre>` or `<code>` are not reported.

## Why is this bad?
Stray markup makes the page look broken to visitors, ends up in search snippets,
and often signals a bigger problem nearby: content that was meant to be a
comment (or a comment that swallowed content) is now shown, or hidden, by mistake.

## Example
```html
<article><h1>Rosacea care</h1><p>Gentle cleansers help.</p>
<!-- end of schema block -->
-->
<p>Use &lt;br/&gt; to split lines.</p></article>
```

Use instead:
```html
<article><h1>Rosacea care</h1><p>Trigger -> flush -> redness: break the chain early.</p>
<p>The consultation room -- the place it starts. Write <code>&lt;br&gt;</code> in HTML.</p>
</article>
```

## Options
None.

## References
- [WHATWG HTML: Comments](https://html.spec.whatwg.org/multipage/syntax.html#comments)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.leftovers._text import in_code, own_text

META = RuleMeta(
    code="L003", name="stray-comment-marker", category="leftovers", severity=Severity.WARNING
)
Options = NoOptions

_TAG_NAMES = (
    "a|abbr|address|article|aside|audio|b|blockquote|body|br|button|caption|cite|code|dd|del"
    "|details|div|dl|dt|em|embed|fieldset|figcaption|figure|footer|form|h[1-6]|head|header|hr"
    "|html|i|iframe|img|input|ins|label|li|link|main|meta|nav|noscript|ol|option|p|picture|pre"
    "|script|section|small|source|span|strong|style|sub|summary|sup|table|tbody|td|template"
    "|textarea|tfoot|th|thead|title|tr|u|ul|video"
)
_MARKER = re.compile(
    r"<!--|--!>|<!\[CDATA\[|\]\]>|<!doctype\b"
    rf"|</?(?:{_TAG_NAMES})(?:\s[^<>]{{0,200}})?\s*/?>"
    # "-->" closing a comment stands at a line's edge; between words it is an arrow.
    r"|^\s*-->|-->\s*$",
    re.IGNORECASE | re.MULTILINE,
)
_QUICK = re.compile(r"<|--!?>|\]\]>")
FIX = (
    "Delete the stray markup from the page content. If it is the end of a comment, find "
    "where the comment starts and check that nothing meant to be visible (or hidden) "
    "is on the wrong side of it."
)


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per visible block that shows a comment marker or a tag as text."""
    text = page.visible_text
    # Every marker holds "<" or ">": testing for one character is forty times faster
    # than the regex over a whole page.
    if not ("<" in text or ">" in text) or not _QUICK.search(text):
        return
    for block in page.text_blocks:
        if not _QUICK.search(block.text) or not _MARKER.search(block.text):
            continue
        if in_code(block.node):
            continue
        text = own_text(block.node)  # again, without inline code samples
        match = _MARKER.search(text)
        if match is None:
            continue
        marker = match.group(0).strip()
        kind = _kind(marker)
        start = max(match.start() - 40, 0)
        yield META.finding(
            page,
            f'The {kind} "{marker[:40]}" is shown as visible text in the <{block.tag}> element: '
            "markup meant for the browser leaked into the page content.",
            evidence=text[start:],
            selector=block.selector,
            fix=FIX,
        )


def _kind(marker: str) -> str:
    lowered = marker.lower()
    if lowered.startswith("<![cdata") or marker == "]]>":
        return "CDATA marker"
    if lowered.startswith("<!doctype"):
        return "doctype declaration"
    return "comment marker" if marker[:2] in ("<!", "--") else "HTML tag"
