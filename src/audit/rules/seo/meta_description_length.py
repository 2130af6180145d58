"""The meta description is too long or too short for a search result snippet.

## What it does
Measures the first `<meta name="description">` (whitespace collapsed) and
reports it when it is longer than `max_chars` or shorter than `min_chars`.

As for titles, snippets are cut by pixel width, so every wide character
(Unicode East Asian Width "W" or "F": Chinese, Japanese and Korean characters,
full-width punctuation such as the Chinese comma, and emoji) counts as `cjk_weight`
characters: a Traditional Chinese description of 90 characters counts as 180
and is too long.

A page without a description is left to `meta-description-missing`.

## Why is this bad?
Search engines cut a long description with "…", usually on phones after about
120 to 160 characters, so the end of the message is lost. A very short one
("Welcome!") does not tell the searcher why to click, and search engines tend
to replace it with text of their own choosing.

## Example
```html
<html lang="en"><head><title>Acne Scar Revision | Harbor Light Skin Clinic</title>
<meta name="description" content="Acne scars.">
</head><body><h1>Acne scar revision</h1></body></html>
```

Use instead:
```html
<html lang="en"><head><title>Acne Scar Revision | Harbor Light Skin Clinic</title>
<meta name="description" content="A staged plan of subcision, fractional laser and skin
boosters for rolling and boxcar acne scars, in Taipei.">
</head><body><h1>Acne scar revision</h1></body></html>
```

## Options
- `min_chars`: shortest acceptable description, in characters (default 70).
- `max_chars`: longest acceptable description, in characters (default 160).
- `cjk_weight`: how many characters one wide (Chinese, Japanese, Korean,
  full-width) character counts for (default 2.0; 1.0 counts every character once).

## References
- [Google: Control your snippets in search results](https://developers.google.com/search/docs/appearance/snippet)
- [Unicode Standard Annex #11: East Asian Width](https://www.unicode.org/reports/tr11/)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from audit.dom import collapse
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import RuleMeta
from audit.rules.seo._length import length_findings

META = RuleMeta(
    code="S005", name="meta-description-length", category="seo", severity=Severity.NOTICE
)


@dataclass(frozen=True)
class Options:
    """Settings of meta-description-length."""

    min_chars: int = 70
    max_chars: int = 160
    cjk_weight: float = 2.0


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield a finding when the first description is outside ``min_chars``…``max_chars``."""
    description = collapse(page.meta_description or "")
    if description:
        yield from length_findings(
            page,
            META,
            description,
            opts,
            what="meta description",
            node=page.tree.css_first('meta[name="description" i]'),
            fallback_selector="head",
            shorten="with the key point first.",
            lengthen="say what the page offers and why it is worth a click.",
        )
