"""A loading message or dummy text such as "Loading..." or lorem ipsum is visible on the page.

## What it does
Reports visible text whose whole content is a loading indicator ("Loading...",
"Please wait", "載入中...", "加载中...", "読み込み中", "로딩 중", "Cargando...",
"Chargement...", "Wird geladen...", …) and text that starts with lorem ipsum
(or contains "lorem ipsum dolor" anywhere). A block of text, one `<br>`-separated line,
the page title and an inline element such as `<span>` inside a short block
(up to 160 characters; emphasis like `<em>` is prose and is skipped) are each
compared as a whole, after dropping punctuation, ellipses, digits and whitespace
and ignoring case, so prose that merely uses the word ("during the early loading
phase", "本療程的載入期") is not reported. Text inside `<script>`, `<style>`,
`<template>` or hidden elements is not visible and is ignored.

## Why is this bad?
A spinner label left in the served HTML is the first thing a crawler reads and
often ends up as the snippet under the page in search results. Visitors see it
flash, or see it forever when the script that should remove it fails. Lorem
ipsum tells readers and search engines that the page is unfinished.

## Example
```html
<body><div class="loader">Loading...</div>
<main><h1>Rosacea barrier repair</h1><p>Our dermatologists explain the treatment.</p></main></body>
```

Use instead:
```html
<body><main><h1>Rosacea barrier repair</h1>
<p>Patients may feel tightness during the early loading phase of treatment.</p></main></body>
```

## Options
- `extra_phrases` (list of strings, default empty): more placeholder texts to
  report, e.g. `["Fetching articles"]`; compared like the built-in ones.

## References
- [Google: Understand the JavaScript SEO basics](https://developers.google.com/search/docs/crawling-indexing/javascript/javascript-seo-basics)
- [Google: Control your snippets in search results](https://developers.google.com/search/docs/appearance/snippet)
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from audit.dom import TextBlock, clip
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import RuleMeta
from audit.rules.leftovers._text import PROSE_TAGS, inline_elements, normalize

META = RuleMeta(
    code="L001", name="placeholder-text", category="leftovers", severity=Severity.WARNING
)

PHRASES = (
    # English
    "Loading", "Loading...", "Loading, please wait", "Please wait", "Please wait, loading",
    "Loading content", "Loading page", "Page loading", "Content loading", "Spinner",
    "Loading spinner", "Loader", "One moment please", "Just a moment",
    # Traditional and Simplified Chinese
    "載入中", "讀取中", "正在載入", "載入中請稍候", "請稍候", "請稍後", "資料載入中", "頁面載入中",
    "加载中", "读取中", "正在加载", "加载中请稍候", "请稍候", "请稍后", "页面加载中",
    # Japanese, Korean
    "読み込み中", "読込中", "ロード中", "ローディング", "しばらくお待ちください", "お待ちください",
    "로딩 중", "로딩", "로드 중", "불러오는 중", "잠시만 기다려 주세요",
    # Spanish, Portuguese, French, German, Italian
    "Cargando", "Espere por favor", "Por favor espere", "Carregando", "Aguarde",
    "Chargement", "Chargement en cours", "Veuillez patienter",
    "Wird geladen", "Lädt", "Bitte warten", "Caricamento", "Caricamento in corso",
)  # fmt: skip
_DIGITS = re.compile(r"\d+")
# In a table cell a bare "Loading" may be data (a "Phase" column); only an ellipsis or a
# "please wait" makes it unmistakably a loading message there.
_TABLE_CELLS = frozenset({"td", "th"})
_UNMISTAKABLE = re.compile(r"\.\.\.|…|wait|稍候|稍後|稍后|お待ち|기다려", re.IGNORECASE)
_WORDS = re.compile(r"[^\W_]+")
SHORT_BLOCK = 160
_LOREM = re.compile(r"^\W*lorem ipsum|lorem ipsum dolor", re.IGNORECASE)
FIX = (
    "Remove the loading message or dummy text from the page template, or keep it out of the "
    "served HTML and let the script add it only while content is really loading."
)


@dataclass(frozen=True)
class Options:
    """Settings of placeholder-text."""

    extra_phrases: tuple[str, ...] = ()


@lru_cache(maxsize=32)
def _vocabulary(extra: tuple[str, ...]) -> tuple[frozenset[str], re.Pattern[str]]:
    phrases = PHRASES + extra
    words = frozenset(_key(phrase) for phrase in phrases) - {""}
    # One pass over the lower-cased short texts finds the few blocks worth a close look;
    # grouping the phrases by first character keeps that regex fast.
    groups: dict[str, set[str]] = {}
    for phrase in phrases:
        tokens = _WORDS.findall(phrase.lower())
        if tokens:
            spelled = r"[^\w\0]*".join(map(re.escape, tokens))  # never across the separator
            groups.setdefault(spelled[0], set()).add(spelled[1:])
    groups.setdefault("l", set()).add("orem")
    branches = (
        re.escape(first) + "(?:" + "|".join(sorted(rests, key=len, reverse=True)) + ")"
        for first, rests in sorted(groups.items())
    )
    return words, re.compile("|".join(branches))


def _key(text: str) -> str:
    return normalize(_DIGITS.sub("", text)) if len(text) <= 80 else ""


def _placeholder(text: str, words: frozenset[str]) -> bool:
    return _key(text) in words or bool(_LOREM.search(text))


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per visible placeholder text."""
    words, mention = _vocabulary(tuple(opts.extra_phrases))
    for title in page.titles[:1]:
        if title and _placeholder(title, words):
            yield _finding(page, "the page title", title, "head > title")
    blocks = page.text_blocks
    for index in _suspects(blocks, mention):
        block = blocks[index]
        text = block.text
        if block.tag in _TABLE_CELLS and not _UNMISTAKABLE.search(text):
            continue
        if _placeholder(text, words):
            yield _finding(page, f"the <{block.tag}> element", text, block.selector)
            continue
        line = next((line for line in text.split("\n") if _placeholder(line, words)), None)
        if line is not None:
            yield _finding(page, f"a line of the <{block.tag}> element", line, block.selector)
            continue
        if len(text) > SHORT_BLOCK:
            continue
        for node in inline_elements(block.node):
            inner = node.text(deep=True)
            if node.tag not in PROSE_TAGS and inner.strip() and _placeholder(inner, words):
                yield _finding(page, f"the <{node.tag}> element", inner, page.selector(node))
                break


_SEPARATOR = re.compile("\0")


def _suspects(blocks: tuple[TextBlock, ...], mention: re.Pattern[str]) -> list[int]:
    """The indexes of the blocks whose short text, short line or lorem ipsum hits a phrase."""
    segments: list[str] = []
    owners: list[int] = []
    for index, block in enumerate(blocks):
        text = block.text
        if len(text) <= SHORT_BLOCK:
            parts = [text]
        else:
            parts = [line for line in text.split("\n") if len(line) <= 80]
            if "psum" in text or "PSUM" in text:
                parts.append(text)
        segments.extend(parts)
        owners.extend([index] * len(parts))
    joined = "\0".join(segments).lower()  # lower() may change lengths, so find separators
    separators = [match.start() for match in _SEPARATOR.finditer(joined)]
    found = {owners[bisect.bisect(separators, hit.start())] for hit in mention.finditer(joined)}
    return sorted(found)


def _finding(page: Page, where: str, text: str, selector: str) -> Finding:
    shown = clip(text, 60)
    kind = "Dummy lorem ipsum text" if _LOREM.search(text) else "Placeholder text"
    return META.finding(
        page,
        f'{kind} "{shown}" is visible in {where}: a loading indicator or filler text was '
        "left in the served HTML, so visitors and crawlers read it as page content.",
        evidence=text,
        selector=selector,
        fix=FIX,
    )
