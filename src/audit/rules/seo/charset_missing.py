"""The page does not declare its character encoding.

## What it does
Reports a page that declares its encoding neither in the HTML
(`<meta charset="utf-8">`, or the older
`<meta http-equiv="Content-Type" content="text/html; charset=utf-8">`) nor in
the `Content-Type` HTTP header (`text/html; charset=utf-8`), or whose
`<meta charset>` is empty.

## Why is this bad?
Without a declaration, browsers guess the encoding from the bytes. A wrong
guess turns every accented letter, Chinese character, curly quote or dash into
unreadable symbols (mojibake), on screen and in the text search engines
index. The HTML standard requires a declaration unless the server sends one.

## Example
```html
<html lang="zh-Hant"><head><title>港光皮膚科診所</title></head>
<body><h1>港光皮膚科診所</h1></body></html>
```

Use instead:
```html
<html lang="zh-Hant"><head><meta charset="utf-8"><title>港光皮膚科診所</title></head>
<body><h1>港光皮膚科診所</h1></body></html>
```

## Options
None.

## References
- [HTML Standard: Specifying the document's character encoding](https://html.spec.whatwg.org/multipage/semantics.html#charset)
- [W3C: Declaring character encodings in HTML](https://www.w3.org/International/questions/qa-html-encoding-declarations)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.crawl.decoding import parse_content_type
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta

META = RuleMeta(code="S013", name="charset-missing", category="seo", severity=Severity.NOTICE)
Options = NoOptions
_FIX = 'Add <meta charset="utf-8"> as the first element of the <head>.'


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield a finding when neither the HTML nor the Content-Type header names an encoding."""
    charset = page.charset
    if charset or parse_content_type(page.headers.get("content-type", ""))[1]:
        return
    if charset is None:
        yield META.finding(
            page,
            "The page does not declare its character encoding, neither in a <meta charset> "
            "nor in the Content-Type header.",
            selector="head",
            fix=_FIX,
        )
        return
    node = page.tree.css_first("meta[charset]") or page.tree.css_first(
        'meta[http-equiv="content-type" i]'
    )
    yield META.finding(
        page,
        "The character encoding declaration is empty.",
        evidence=(node.html or "") if node is not None else "",
        selector=page.selector(node) if node is not None else "head",
        fix='Set it to <meta charset="utf-8"> (and save the page as UTF-8).',
    )
