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

from audit.dom import clip
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import RuleMeta
from audit.rules.seo._language import describe_length, display_length

META = RuleMeta(code="S002", name="title-length", category="seo", severity=Severity.WARNING)


@dataclass(frozen=True)
class Options:
    """Settings of title-length."""

    min_chars: int = 30
    max_chars: int = 60
    cjk_weight: float = 2.0


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield a finding when the first title is outside ``min_chars``…``max_chars``."""
    title = page.title
    if not title:
        return
    length, wide = display_length(title, opts.cjk_weight)
    if length > opts.max_chars:
        bound, fix = (
            f"limit {opts.max_chars}",
            f"Shorten the title to {opts.max_chars} characters or fewer"
            + (" (Chinese, Japanese and Korean characters count double)" if wide else "")
            + ", with the main topic first and the clinic name last.",
        )
    elif length < opts.min_chars:
        bound, fix = (
            f"minimum {opts.min_chars}",
            f"Lengthen the title to at least {opts.min_chars} characters: "
            "say what the page is about and add the clinic or brand name.",
        )
    else:
        return
    node = page.tree.css_first("title:not(svg title)")
    yield META.finding(
        page,
        f"The title is {describe_length(length, wide, len(title), opts.cjk_weight, bound)}: "
        f'"{clip(title, 100)}"',
        evidence=(node.html or "") if node is not None else title,
        selector=page.selector(node) if node is not None else "head > title",
        fix=fix,
    )
