"""A heading has no content under it, or a comparison section promises a table it does not have.

## What it does
Walks the main content (`<main>`, else `<body>`) in document order and, for each
heading `<h1>`…`<h6>`, looks at what comes before the next heading of the same or
a higher level (or the end of the main content), whatever the nesting of
`<section>` or `<div>` wrappers. It reports:

- an **empty section**: no visible text, image, table, list, form control,
  iframe or video under the heading (a sub-heading counts as content; the empty
  sub-section is reported instead);
- a **comparison section without a table**: the heading announces a comparison
  ("Comparison", "compared", a "比較" label, "對照表", or "vs." together with "compare"
  in the text) or the text refers to a table ("the table below", "the following
  table", "下表", "如下表"), but the section holds no `<table>` nor a stand-in
  (`<dl>`, `role="table"`/`"grid"`, a list, an image or chart). A heading that
  merely contains "vs." is not enough: many prose sections are titled "A vs. B".

Headings that are link teasers (a heading inside a link or made of one link, as
in article listings) and hidden elements are ignored.

## Why is this bad?
An empty heading is a promise the page does not keep: usually content that failed
to render, a block deleted in the editor, or a table that the CMS dropped.
Readers hit a dead end, and search engines see thin sections whose heading
claims more than the text delivers.

## Example
```html
<main><h1>Rosacea care</h1><p>Intro.</p>
<h2>Comparison: Single-Specialty vs. Dual-Expertise Care</h2>
<p>The table below sets the two approaches side by side.</p>
<h2>Aftercare</h2>
<h2>Next steps</h2><p>Book a consultation.</p></main>
```

Use instead:
```html
<main><h1>Rosacea care</h1><p>Intro.</p>
<h2>Comparison: Single-Specialty vs. Dual-Expertise Care</h2>
<p>The table below sets the two approaches side by side.</p>
<table><tr><th>Goal</th><td>Calm flares</td><td>Repair tissue</td></tr></table>
<h2>What Regenerative Medicine Brings to the Table</h2><p>Barrier repair.</p>
<h2>Manual vs. automated delivery</h2><p>Manual injection adapts depth.</p></main>
```

## Options
None.

## References
- [W3C WAI: Headings](https://www.w3.org/WAI/tutorials/page-structure/headings/)
- [Google: Creating helpful, reliable, people-first content](https://developers.google.com/search/docs/fundamentals/creating-helpful-content)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from selectolax.lexbor import LexborNode

from audit.dom import TextBlock, collapse, is_hidden
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.leftovers._text import after_subtree, is_inside

META = RuleMeta(code="L006", name="empty-section", category="leftovers", severity=Severity.WARNING)
Options = NoOptions

_SKIP = frozenset({"script", "style", "template", "noscript", "head", "title", "datalist"})
_MEDIA = frozenset(
    {"img", "picture", "svg", "video", "audio", "iframe", "object", "embed", "canvas", "math"}
)
_CONTROLS = frozenset({"input", "select", "textarea", "button", "meter", "progress"})
_TABLE_LIKE = frozenset({"table", "dl", "ul", "ol", "figure"}) | _MEDIA
_TABLE_ROLES = frozenset({"table", "grid", "treegrid"})
_TABLE_CLASS = re.compile(r"table|grid|compar", re.IGNORECASE)
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_BLANK = " \t\r\n\f\v\u00a0\u3000\u200b\ufeff"
_HEADING_ANNOUNCES = re.compile(
    r"\bcompar(?:ison|isons|ed|ing|e)\b|comparatif|comparación|comparativa|vergleich"
    r"|對照|对照|比較表|比较表|對比|对比|比[較较]\s*[:\uff1a]|[的之]比[較较]|比[較较]\s*$"
    r"|[與与和].{1,20}比[較较]",
    re.IGNORECASE,
)
_HEADING_HINT = re.compile(r"compar|vergleich|[對对比較较]")  # cheap first look
_HEADING_VS = re.compile(r"\bvs\b\.?|\bversus\b", re.IGNORECASE)
_TEXT_COMPARES = re.compile(r"\bcompar|side[ -]by[ -]side|對比|对比|相較|相较|相比", re.IGNORECASE)
_TEXT_ANNOUNCES = re.compile(
    r"\b(?:table|chart)\s+below\b|\bfollowing\s+(?:comparison\s+)?(?:table|chart)\b"
    r"|\b(?:shown|summari[sz]ed|listed|compared|set out)\s+in\s+the\s+(?:table|chart)\b"
    r"|\bsee\s+table\s+\d|\bcomparison\s+(?:table|chart)\b"
    r"|(?<!以)下表|如下表|以下表格|下方表格|下列表格|對照表|对照表|比較表|比较表",
    re.IGNORECASE,
)
# Every _TEXT_ANNOUNCES match contains one of these (after lower-casing).
_TABLE_WORDS = ("table", "chart", "下表", "表格", "照表", "較表", "较表")
# How far a _TEXT_ANNOUNCES match reaches before its keyword ("following comparison ")
# and after it (" below"), in whitespace-collapsed text, with a margin.
_BEFORE, _AFTER = 28, 10
FIX_EMPTY = "Add the missing content under this heading, or remove the heading."
FIX_TABLE = (
    "Add the comparison table the section promises (as a real <table>), or reword the "
    "heading and text so they no longer announce one."
)


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per empty section and per comparison section without a table."""
    body = page.tree.body
    root = page.tree.css_first("main, [role=main]") or body
    if root is None:
        return
    # The cached text blocks find the few suspicious headings cheaply; only those
    # sections are then walked node by node.
    blocks = page.text_blocks
    first, last = _main_range(blocks, root, whole=root.mem_id == body.mem_id)
    levels = [0] * len(blocks)
    for index in range(first, last):
        tag = blocks[index].tag
        if tag in _HEADINGS:
            levels[index] = int(tag[1])
    ends = _section_ends(levels, last)
    for index in range(first, last):
        level = levels[index]
        if not level:
            continue
        block = blocks[index]
        end = ends[index]
        following = blocks[end].node if end < last else None
        announced = _announced(block.text, blocks, levels, index, last)
        if not (end == index + 1 or announced) or _teaser(block.node):
            continue
        content, table = _scan(block.node, following, root, want_table=bool(announced))
        title = collapse(block.text)
        if not content and not (following is not None and _teaser(following)):
            yield _finding(page, block, title, following, "")
        elif announced and not table:
            yield _finding(page, block, title, following, announced)


def _main_range(blocks: tuple[TextBlock, ...], root: LexborNode, *, whole: bool) -> tuple[int, int]:
    """The slice of ``blocks`` inside ``root`` (the blocks of one element are contiguous)."""
    if whole:
        return 0, len(blocks)
    first = next((i for i, block in enumerate(blocks) if is_inside(block.node, root)), len(blocks))
    last = len(blocks)
    while last > first and not is_inside(blocks[last - 1].node, root):
        last -= 1
    return first, last


def _section_ends(levels: list[int], last: int) -> dict[int, int]:
    """For each heading, the index of the next heading of the same or a higher level."""
    ends: dict[int, int] = {}
    stack: list[tuple[int, int]] = []
    for index in range(last - 1, -1, -1):
        level = levels[index]
        if level:
            while stack and stack[-1][1] > level:
                stack.pop()
            ends[index] = stack[-1][0] if stack else last
            stack.append((index, level))
    return ends


def _table_announcement(text: str) -> str:
    """The words announcing a table in ``text`` ("" if none).

    The regex is slow over long paragraphs, so it only runs on a few words
    around each keyword (from the previous to the next space, so no word is cut).
    """
    lowered = text.lower()
    if len(lowered) != len(text):  # rare letters whose lower case is longer
        found = _TEXT_ANNOUNCES.search(text)
        return found.group(0) if found else ""
    for word in _TABLE_WORDS:
        at = lowered.find(word)
        while at != -1:
            start = max(0, text.rfind(" ", 0, max(0, at - _BEFORE)) + 1)
            end = text.find(" ", at + len(word) + _AFTER)
            found = _TEXT_ANNOUNCES.search(text, start, len(text) if end == -1 else end)
            if found:
                return found.group(0)
            at = lowered.find(word, at + 1)
    return ""


def _announced(
    title: str, blocks: tuple[TextBlock, ...], levels: list[int], index: int, last: int
) -> str:
    """The words by which a heading or the text right under it announces a table ("" if none)."""
    lowered = title.lower()
    match = _HEADING_ANNOUNCES.search(title) if _HEADING_HINT.search(lowered) else None
    versus = ("vs" in lowered or "versus" in lowered) and _HEADING_VS.search(title) is not None
    for later in range(index + 1, last):
        if levels[later]:
            break
        text = blocks[later].text
        found = _table_announcement(text)
        if found:
            return found  # the text's own words are the clearest evidence
        if versus and match is None:
            match = _TEXT_COMPARES.search(text)
    return match.group(0) if match else ""


def _scan(
    heading: LexborNode, stop: LexborNode | None, root: LexborNode, *, want_table: bool
) -> tuple[bool, bool]:
    """Whether content, and a table or stand-in, comes after ``heading`` before ``stop``."""
    # LexborNode equality is slow (it compares markup), so compare node ids instead.
    content = table = False
    stop_id = stop.mem_id if stop is not None else -1
    node = after_subtree(heading, root)
    while node is not None and node.mem_id != stop_id:
        tag = node.tag or ""
        descend = False
        if tag == "-text":
            content = content or bool((node.text_content or "").strip(_BLANK))
        elif tag.startswith("-") or tag in _SKIP or is_hidden(node):
            pass
        else:
            attributes = node.attributes or {}
            table = table or (
                tag in _TABLE_LIKE
                or (attributes.get("role") or "").lower() in _TABLE_ROLES
                or (
                    tag in ("div", "section")
                    and bool(_TABLE_CLASS.search(attributes.get("class") or ""))
                )
            )
            content = (
                content
                or tag in _MEDIA
                or (tag in _CONTROLS and attributes.get("type") != "hidden")
            )
            descend = tag not in _MEDIA
        if content and (table or not want_table):
            break
        node = node.child if descend and node.child is not None else after_subtree(node, root)
    return content, table


def _teaser(heading: LexborNode) -> bool:
    """True for a heading that is a link to elsewhere (article cards, listings)."""
    current = heading.parent
    for _ in range(6):
        if current is None:
            break
        if current.tag == "a" and (current.attributes or {}).get("href"):
            return True
        current = current.parent
    link = heading.css_first("a[href]")
    return link is not None and collapse(link.text(deep=True)) == collapse(heading.text(deep=True))


def _finding(
    page: Page, block: TextBlock, title: str, following: LexborNode | None, announced: str
) -> Finding:
    heading = f'<{block.tag}> "{title}"'
    if following is None:
        until = "the end of the main content"
    else:
        until = f'the next <{following.tag}> "{collapse(following.text(deep=True))[:60]}"'
    if announced:
        message = (
            f"Comparison section without a table: the {heading} section announces a comparison "
            f'("{announced}") but holds no table before {until}.'
        )
    else:
        message = (
            f"The heading {heading} has nothing under it before {until}: the section is empty."
        )
    return META.finding(
        page,
        message,
        evidence=title,
        selector=block.selector,
        fix=FIX_TABLE if announced else FIX_EMPTY,
    )
