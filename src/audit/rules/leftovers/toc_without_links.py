"""A table of contents lists its entries as plain text, or links to anchors that do not exist.

## What it does
Finds a table-of-contents title ("Table of Contents", "Contents", "On this page",
"In this article", "目錄", "目录", "本文目錄", "目次", "목차", "Inhalt", "Índice",
"Sommaire", …) given as a heading or a short line of its own, and reads the
entries that follow it: the items of the list after it, or the short lines and
paragraphs after it. It reports, once per table of contents:

- entries that are plain text, not links, when at least half of the entries
  repeat the title of a section further down the page (so a "Contents" box that
  lists what is in a product kit is not mistaken for a table of contents);
- entries that link to `#anchors` that no element on the page has as `id` (or
  `<a name>`), naming the missing anchors.

Entries that link to other pages are accepted as they are.

## Why is this bad?
A table of contents without working links is a list readers cannot use to jump
to a section, and it gives search engines none of the "jump to" links they show
under results for long articles. Broken anchors scroll nowhere. Plain-text
entries usually mean the links were lost when the article was pasted into the
editor.

## Example
```html
<main><p>Table of Contents</p>
<p>Why single-specialty care stalls</p>
<p>What regenerative medicine adds</p>
<h2>Why single-specialty care stalls</h2><p>Lasers close vessels.</p>
<h2>What regenerative medicine adds</h2><p>Barrier repair.</p></main>
```

Use instead:
```html
<main><nav class="toc"><h2>Contents</h2><ol>
<li><a href="#stalls">Why single-specialty care stalls</a></li>
<li><a href="#adds">What regenerative medicine adds</a></li></ol></nav>
<h2 id="stalls">Why single-specialty care stalls</h2><p>Lasers close vessels.</p>
<h2 id="adds">What regenerative medicine adds</h2><p>Barrier repair.</p></main>
```

## Options
- `extra_titles` (list of strings, default empty): more table-of-contents titles
  to recognise, e.g. `["Jump to"]`; compared ignoring case and punctuation.
- `min_entries` (integer, default 2): the fewest entries a list needs to be
  treated as a table of contents.

## References
- [Google: Links to specific sections (jump links)](https://developers.google.com/search/docs/appearance/snippet#section-links)
- [W3C WAI: Page structure, navigation menus](https://www.w3.org/WAI/tutorials/menus/structure/)
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

from audit.dom import TextBlock, collapse, css_path
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import RuleMeta
from audit.rules.leftovers._text import (
    HEADING_TAGS,
    normalize,
    page_anchors,
    same_page_fragment,
)

META = RuleMeta(
    code="L007", name="toc-without-links", category="leftovers", severity=Severity.NOTICE
)

TITLES = (
    "Table of Contents", "Contents", "On this page", "In this article", "Jump to section",
    "Article contents", "目錄", "目录", "本文目錄", "本文目录", "文章目錄", "文章目录", "內容目錄",
    "目次", "목차", "Inhalt", "Inhaltsverzeichnis", "Índice", "Indice", "Contenido",
    "Tabla de contenidos", "Sommaire", "Table des matières",
)  # fmt: skip
MAX_ENTRIES = 60
MAX_ENTRY_CHARS = 200
_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*|[ivx]+|[a-z])[.)、:]\s*", re.IGNORECASE)
FIX = (
    'Turn every entry of the table of contents into a link to its section (<a href="#id">) '
    "and give each section heading the matching id."
)


@dataclass(frozen=True)
class Options:
    """Settings of toc-without-links."""

    extra_titles: tuple[str, ...] = ()
    min_entries: int = 2


@dataclass
class _Entry:
    text: str
    href: str | None


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per table of contents with plain-text entries or missing anchors."""
    titles = frozenset(normalize(title) for title in (*TITLES, *opts.extra_titles))
    initials = frozenset(title[:1] for title in titles)
    blocks = page.text_blocks
    anchors: frozenset[str] | None = None
    index = 0
    while index < len(blocks):
        text = blocks[index].text
        initial = text[:1].lower()
        if (len(text) > 40 and "\n" not in text[:41]) or (
            initial.isalnum() and initial not in initials
        ):
            index += 1
            continue
        title, *rest = text.split("\n")
        if len(title) > 40 or normalize(title) not in titles:
            index += 1
            continue
        entries, after = _entries(blocks, index, rest)
        toc, index = blocks[index], max(after, index + 1)
        if len(entries) < max(opts.min_entries, 1):
            continue
        plain = [entry.text for entry in entries if entry.href is None]
        if plain and not _repeated_below(plain, blocks[after : after + 400]):
            continue
        if anchors is None:
            anchors = page_anchors(page)
        missing = [
            f"#{fragment}"
            for entry in entries
            if entry.href is not None
            and (fragment := same_page_fragment(page, entry.href)) is not None
            and fragment not in anchors
        ]
        if plain or missing:
            yield _finding(page, toc, title, entries, plain, missing)


def _entries(
    blocks: tuple[TextBlock, ...], index: int, rest: list[str]
) -> tuple[list[_Entry], int]:
    """The entries after the title at ``blocks[index]`` and the index of the first block after."""
    if rest:  # the title and its entries in one block, one per <br> line
        return [_Entry(line, href) for line, href in _lines(blocks[index])[1:]], index + 1
    entries: list[_Entry] = []
    seen: set[str] = set()
    first_list: LexborNode | None = None
    in_list: bool | None = None
    position = index + 1
    while position < len(blocks) and len(entries) < MAX_ENTRIES:
        block = blocks[position]
        if block.tag in HEADING_TAGS:
            break
        if in_list is None:
            in_list = block.tag == "li"
        if in_list:  # items of one list (nested lists included)
            root = _list_root(block.node)
            first_list = first_list if first_list is not None else root
            if block.tag != "li" or root is None or root.mem_id != first_list.mem_id:
                break
        elif block.tag == "li":
            break
        lines = _lines(block)
        if any(len(line) > MAX_ENTRY_CHARS or _key(line) in seen for line, _ in lines):
            break  # prose, or the first section repeating the first entry
        seen.update(_key(line) for line, _ in lines)
        entries.extend(_Entry(line, href) for line, href in lines)
        position += 1
    return entries, position


def _lines(block: TextBlock) -> list[tuple[str, str | None]]:
    """Each line of a block with the href of its link (None when the line is plain text)."""
    links = {
        collapse(link.text(deep=True)): link.attributes.get("href") or ""
        for link in block.node.css("a[href]")
    }
    lines = block.text.split("\n")
    if links and len(lines) == 1:  # a list item: its own link comes before nested ones
        line = lines[0]
        return [(line, next((href for text, href in links.items() if text and text in line), None))]
    return [(line, links.get(line)) for line in lines]


def _list_root(node: LexborNode) -> LexborNode | None:
    """The outermost ``<ul>``/``<ol>`` around a list item (a few levels up at most)."""
    root = None
    current = node.parent
    for _ in range(12):
        if current is None:
            break
        if current.tag in ("ul", "ol"):
            root = current
        elif current.tag not in ("li", "div", "span"):
            break
        current = current.parent
    return root


def _key(text: str) -> str:
    return normalize(_NUMBERING.sub("", text))


def _repeated_below(plain: list[str], later: tuple[TextBlock, ...]) -> bool:
    """True when at least half of the plain entries repeat a short block further down."""
    below = {
        _key(line)
        for block in later
        if len(block.text) <= MAX_ENTRY_CHARS
        for line in block.text.split("\n")
    }
    hits = sum(_key(text) in below for text in plain)
    return hits >= math.ceil(len(plain) / 2)


def _finding(
    page: Page,
    toc: TextBlock,
    title: str,
    entries: list[_Entry],
    plain: list[str],
    missing: list[str],
) -> Finding:
    parts = []
    if plain and len(plain) == len(entries):
        parts.append(
            f'The table of contents "{title}" lists its {len(entries)} entries as plain text, '
            "not as links to the sections."
        )
    elif plain:
        shown = ", ".join(f'"{text[:40]}"' for text in plain[:3])
        parts.append(
            f'{len(plain)} of the {len(entries)} entries of the table of contents "{title}" '
            f"are plain text, not links ({shown})."
        )
    if missing:
        parts.append(
            f'The table of contents "{title}" links to anchors that do not exist on the page: '
            + ", ".join(missing[:5])
            + (f" and {len(missing) - 5} more." if len(missing) > 5 else ".")
        )
    parts.append("Readers cannot jump to those sections and search engines get no section links.")
    return META.finding(
        page,
        " ".join(parts),
        evidence="; ".join(entry.text for entry in entries[:3]),
        selector=css_path(toc.node),
        fix=FIX,
    )
