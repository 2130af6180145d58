"""A link's whole text is a generic phrase such as "click here" or "read more".

## What it does
Reports each `<a href>` whose entire text (with the alt text of images inside
it) is a phrase that says nothing about the target: "click here", "here",
"read more", "more", "learn more", "this link", "link", "details", "continue",
"go" and similar; in Chinese "點此", "按這裡", "更多", "閱讀更多", "了解更多",
"詳情", "点击这里", "阅读更多", "详情"; in Japanese "こちら", "詳しくはこちら";
in Spanish, French and German "aquí", "leer más", "ici", "en savoir plus",
"hier", "mehr". Case, spaces, full-width forms, punctuation, arrows and
ellipses (`»`, `→`, `…`, `>`, `:`) are ignored, so "Read more »" and
"閱讀更多…" match. Only the whole text counts: "Read more about rosacea" and
"閱讀更多 - 酒糟肌治療" are fine. A link is also fine when its `aria-label`,
`aria-labelledby` or `title` is descriptive (not itself a generic phrase).
Links without any text are left to `link-text-missing`.

## Why is this bad?
Screen-reader users often pull up a list of the page's links; ten links called
"read more" are useless there. Search engines use link text to understand the
target page, so "click here" wastes the strongest hint a site gives about its
own pages. Everyone scanning a page reads links first.

## Example
```html
<p>Rosacea often improves with shallow micro-injections.
<a href="/treatments/rosacea-injection/">Read more »</a></p>
```

Use instead:
```html
<p>Rosacea often improves with shallow micro-injections.
<a href="/treatments/rosacea-injection/">Read more about rosacea micro-injection</a></p>
```

## Options
- `extra_phrases`: more link texts to report, in any language (matched after
  the same normalisation), e.g. `["ver detalles", "立即了解"]`.

## References
- [W3C WCAG 2.2: Understanding 2.4.4 Link Purpose (In Context)](https://www.w3.org/WAI/WCAG22/Understanding/link-purpose-in-context.html)
- [Google: Write good anchor text](https://developers.google.com/search/docs/crawling-indexing/links-crawlable)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from selectolax.lexbor import LexborNode

from audit.dom import clip, collapse
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import RuleMeta
from audit.rules.content._dom import content_name

META = RuleMeta(
    code="C007", name="link-text-generic", category="accessibility", severity=Severity.NOTICE
)


@dataclass(frozen=True)
class Options:
    """Settings of link-text-generic."""

    extra_phrases: tuple[str, ...] = ()


PHRASES = (
    # English
    "click here", "click", "here", "read more", "more", "learn more", "this link", "link",
    "details", "more details", "continue", "continue reading", "go", "more info",
    "more information", "see more", "view more", "find out more", "read on", "this page",
    # Traditional Chinese
    "點此", "點這裡", "點擊這裡", "點擊此處", "點我", "按此", "按這裡", "請按此", "請點此",
    "這裡", "此處", "更多", "閱讀更多", "了解更多", "瞭解更多", "查看更多", "看更多",
    "詳情", "查看詳情", "更多資訊", "詳細資訊", "繼續閱讀", "連結",
    # Simplified Chinese
    "点此", "点这里", "点击这里", "点击此处", "点击", "点我", "这里", "阅读更多", "了解更多",
    "查看更多", "详情", "查看详情", "更多信息", "继续阅读", "链接",
    # Japanese
    "こちら", "ここ", "詳しくはこちら", "詳細はこちら", "こちらをクリック", "ここをクリック",
    "詳細", "もっと見る", "続きを読む",
    # Spanish, French, German
    "aquí", "aqui", "haga clic aquí", "haz clic aquí", "clic aquí", "leer más", "más",
    "ver más", "más información", "ici", "cliquez ici", "en savoir plus", "lire la suite",
    "voir plus", "hier", "hier klicken", "klicken sie hier", "mehr", "weiterlesen",
    "mehr erfahren",
)  # fmt: skip
# Letters and digits are kept; spaces, punctuation, arrows and other symbols are dropped.
_NOISE = re.compile(r"[\W_]+")
# Characters of decoration ("→ ", " »", "[…]", spaces) a generic link text may carry
# beyond the letters of its phrase; a quarter of them may be separate words.
_DECORATION = 12


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield a finding for every link whose whole text is a generic phrase."""
    phrases, longest, spaces = _phrases(tuple(opts.extra_phrases))
    for link in page.links:
        text = link.text
        # Longer texts cannot be a bare generic phrase; skipping them keeps the rule fast.
        if len(text) > longest or text.count(" ") > spaces:
            continue
        if text and _key(text) not in phrases:
            continue
        node = link.node
        if node.tag != "a" or _described(page, node, phrases):
            continue
        name = content_name(node, own_label=False)
        if not name or _key(name) not in phrases:
            continue
        yield META.finding(
            page,
            f'Link text "{clip(name, 60)}" does not say where the link goes '
            f"({clip(link.href, 80)}).",
            evidence=node.html or "",
            selector=page.selector(node),
            fix=(
                f'Replace "{clip(name, 40)}" with words that name the destination, such as the '
                'title of the linked page ("Read more about rosacea treatment").'
            ),
        )


# Navigation and footer links repeat on every page of a site: remember their keys.
@lru_cache(maxsize=8192)
def _key(text: str) -> str:
    """``text`` folded for comparison: NFKC, casefolded, without punctuation, symbols or spaces."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return _NOISE.sub("", text.casefold())


@lru_cache(maxsize=32)
def _phrases(extra: tuple[str, ...]) -> tuple[frozenset[str], int, int]:
    """The keys of every generic phrase, and the most characters and spaces a match can have."""
    phrases = (*PHRASES, *extra)
    keys = {_key(phrase) for phrase in phrases}
    keys.discard("")
    most_spaces = max(len(phrase.split()) - 1 for phrase in phrases)
    return frozenset(keys), max(map(len, keys)) + _DECORATION, most_spaces + _DECORATION // 4


def _described(page: Page, node: LexborNode, phrases: frozenset[str]) -> bool:
    """True when an aria-label, aria-labelledby target or title gives a descriptive name."""
    attributes = node.attributes
    labels = [attributes.get("aria-label") or "", attributes.get("title") or ""]
    for element_id in (attributes.get("aria-labelledby") or "").split():
        if '"' not in element_id and "\\" not in element_id:
            target = page.tree.css_first(f'[id="{element_id}"]')
            labels.append(collapse(target.text()) if target is not None else "")
    return any((key := _key(label)) and key not in phrases for label in labels)
