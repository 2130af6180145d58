"""The page title is too long or too short to show well in search results.

## What it does
Measures the first `<title>` of the page (whitespace collapsed) and reports it
when it is longer than `max_chars` or shorter than `min_chars`.

Search results cut titles by pixel width, not by character count, and a
Chinese, Japanese or Korean character is about twice as wide as a Latin
letter. So every wide character (Unicode East Asian Width "W" or "F": CJK
ideographs, kana, Hangul, full-width punctuation such as the Chinese comma, and emoji)
counts as `cjk_weight` characters. A 34-character Traditional Chinese title
counts as 68 and is too long; a 28-character one counts as 56 and is fine.

A page without a title is left to `title-missing`.

## Why is this bad?
A title longer than about 60 characters is cut off with "…" in search
results, often losing the clinic name or the key words at the end. A very
short title ("Home", "Services") wastes the most visible line of the result
and does not say what the page is about.

## Example
```html
<html lang="en"><head>
<title>Rosacea Treatment in Taipei with Micro-Injections, Lasers and Skin Barrier
Repair | Harbor Light Skin Clinic</title>
</head><body><h1>Rosacea treatment</h1></body></html>
```

Use instead:
```html
<html lang="en"><head>
<title>Rosacea Treatment in Taipei | Harbor Light Skin Clinic</title>
</head><body><h1>Rosacea treatment</h1></body></html>
```

## Options
- `min_chars`: shortest acceptable title, in characters (default 30).
- `max_chars`: longest acceptable title, in characters (default 60).
- `cjk_weight`: how many characters one wide (Chinese, Japanese, Korean,
  full-width) character counts for (default 2.0; 1.0 counts every character once).

## References
- [Google: Influencing your title links](https://developers.google.com/search/docs/appearance/title-link)
- [Unicode Standard Annex #11: East Asian Width](https://www.unicode.org/reports/tr11/)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import RuleMeta
from audit.rules.seo._length import length_findings

META = RuleMeta(code="S002", name="title-length", category="seo", severity=Severity.WARNING)


@dataclass(frozen=True)
class Options:
    """Settings of title-length."""

    min_chars: int = 30
    max_chars: int = 60
    cjk_weight: float = 2.0


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield a finding when the first title is outside ``min_chars``…``max_chars``."""
    if page.title:
        yield from length_findings(
            page,
            META,
            page.title,
            opts,
            what="title",
            node=page.tree.css_first("title:not(svg title)"),
            fallback_selector="head > title",
            shorten="with the main topic first and the clinic name last.",
            lengthen="say what the page is about and add the clinic or brand name.",
        )
