"""The page has no mobile viewport, or its viewport does not set `width=device-width`.

## What it does
Reads the first `<meta name="viewport">` of the page and reports a page
without one, or one whose `content` lacks `width=device-width` (spaces around
`=` and `,` or `;` separators are accepted).

## Why is this bad?
Without `width=device-width`, phones render the page as a desktop page about
980 pixels wide and shrink it, so text is tiny and visitors must zoom. Google
indexes the mobile version of pages, and a page that is not mobile-friendly
serves most of a clinic's visitors badly.

## Example
```html
<html lang="en"><head><title>Contact | Harbor Light Skin Clinic</title>
<meta name="viewport" content="width=1024">
</head><body><h1>Contact</h1></body></html>
```

Use instead:
```html
<html lang="en"><head><title>Contact | Harbor Light Skin Clinic</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
</head><body><h1>Contact</h1></body></html>
```

## Options
None.

## References
- [MDN: Viewport meta tag](https://developer.mozilla.org/en-US/docs/Web/HTML/Viewport_meta_tag)
- [Google: Mobile site and mobile-first indexing best practices](https://developers.google.com/search/docs/crawling-indexing/mobile/mobile-sites-mobile-first-indexing)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from audit.dom import clip
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta

META = RuleMeta(code="S012", name="viewport-missing", category="seo", severity=Severity.WARNING)
Options = NoOptions
_DEVICE_WIDTH = re.compile(r"(?:^|[,;\s])width\s*=\s*device-width\b", re.IGNORECASE)
_TAG = '<meta name="viewport" content="width=device-width, initial-scale=1">'


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield a finding when the viewport is absent or lacks ``width=device-width``."""
    content = page.viewport
    if content is None:
        yield META.finding(
            page,
            'The page has no <meta name="viewport">, so phones show it as a shrunken desktop page.',
            selector="head",
            fix=f"Add {_TAG} to the <head>.",
        )
        return
    if _DEVICE_WIDTH.search(content):
        return
    node = page.tree.css_first('meta[name="viewport" i]')
    yield META.finding(
        page,
        f'The viewport "{clip(content, 80)}" does not set width=device-width, so phones '
        "do not fit the page to their screen.",
        evidence=(node.html or "") if node is not None else content,
        selector=page.selector(node) if node is not None else "head",
        fix=f"Replace it with {_TAG}.",
    )
