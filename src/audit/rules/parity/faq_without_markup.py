"""The page shows a FAQ section but has no FAQPage markup.

## What it does
Finds a FAQ heading ("FAQ", "FAQs", "Frequently Asked Questions", "Common
questions", "Questions and answers", "Q&A", "常見問題", "常见问题", "常見問答",
"問與答", "よくある質問", "자주 묻는 질문", …) given as a heading or a short line of
its own, and counts the questions in the blocks after it, up to the next heading
of the same or a higher level that is not itself a question. A question is a
line that starts with "Q1:", "Q:", "問:" (also with full-width colons), or that
ends with "?" (or a full-width question mark) and is a heading, a `<dt>`, a
`<summary>`, a bold line or a short block of its own (an accordion's title).
When the page has at least `min_questions` questions under such a heading and
no FAQPage node in its structured data, one finding names the heading, the
first question and the number of questions.

## Why is this bad?
Google stopped showing FAQ rich results on 2026-05-07, so the markup no longer
earns a larger search snippet there. Other consumers still read it: Bing, AI
assistants and voice assistants use FAQPage markup to find questions and their
answers reliably, and to quote the clinic's own answer rather than a paraphrase.
A visible FAQ without markup leaves that to guesswork.

## Example
```html
<main><h2>Frequently Asked Questions</h2>
<h3>Q1: How deep does the needle go?</h3><p>About 0.1 to 0.5 mm.</p>
<h3>Q2: Does it hurt?</h3><p>Most patients feel mild pressure.</p></main>
```

Use instead:
```html
<head><script type="application/ld+json">
{"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": [
 {"@type": "Question", "name": "How deep does the needle go?",
  "acceptedAnswer": {"@type": "Answer", "text": "About 0.1 to 0.5 mm."}},
 {"@type": "Question", "name": "Does it hurt?",
  "acceptedAnswer": {"@type": "Answer", "text": "Most patients feel mild pressure."}}]}
</script></head>
<main><h2>Frequently Asked Questions</h2>
<h3>Q1: How deep does the needle go?</h3><p>About 0.1 to 0.5 mm.</p>
<h3>Q2: Does it hurt?</h3><p>Most patients feel mild pressure.</p></main>
```

## Options
- `min_questions` (integer, default 2): the fewest questions a FAQ section needs
  before it is reported.
- `extra_titles` (list of strings, default empty): more FAQ headings to
  recognise, e.g. `["Patient questions"]`; compared ignoring case and punctuation.

## References
- [Google: Changes to FAQ rich results (2026-05-07)](https://developers.google.com/search/docs/appearance/structured-data/faqpage)
- [schema.org: FAQPage](https://schema.org/FAQPage)
- [Bing Webmaster Guidelines: structured data](https://www.bing.com/webmasters/help/marking-up-your-site-with-structured-data-3a93e731)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from audit.dom import TextBlock, collapse
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import RuleMeta
from audit.rules.parity._text import has_type, normalize

META = RuleMeta(
    code="D303", name="faq-without-markup", category="structured-data", severity=Severity.NOTICE
)

TITLES = (
    "Frequently Asked Questions", "Frequently asked", "Common questions",
    "Questions and answers", "Questions & answers", "常見問題", "常见问题", "常見問答",
    "常见问答", "問與答", "问与答", "問答集", "よくある質問", "よくあるご質問", "자주 묻는 질문",
)  # fmt: skip
_SHORT_TITLE = re.compile(r"(?<![a-z])(?:faqs?|q\s*(?:&|and|\uff06)\s*a)(?![a-z])", re.IGNORECASE)
_Q_PREFIX = re.compile(
    r"^\s*(?:Q\s*\d*|問\s*\d*|问\s*\d*)\s*[:\uff1a.\uff0e、)]\s*\S", re.IGNORECASE
)
_HEADING_TAGS = {f"h{level}": level for level in range(1, 7)}
_QUESTION_TAGS = frozenset({"dt", "summary", "button", "label"})
MAX_TITLE = 100
MAX_LINE_TITLE = 50
MAX_QUESTION = 200
MAX_BLOCKS = 400
FIX = (
    "Add FAQPage markup (JSON-LD) that repeats each visible question and its answer word "
    "for word, and keep it in step with the page when the FAQ changes."
)


@dataclass(frozen=True)
class Options:
    """Settings of faq-without-markup."""

    min_questions: int = 2
    extra_titles: tuple[str, ...] = ()


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding when the page shows a FAQ section and has no FAQPage node."""
    data = page.structured
    if any(has_type(node, "FAQPage") for node in data.nodes):
        return
    if any(block.error and "FAQPage" in block.raw for block in data.blocks):
        return  # the markup exists but is broken: jsonld-invalid reports it
    titles = _Titles.build(tuple(opts.extra_titles))
    blocks = page.text_blocks
    sections: list[tuple[bool, int, TextBlock, list[str]]] = []
    for index, block in enumerate(blocks):
        if _is_title(block, titles):
            questions = _questions(blocks, index)
            if len(questions) >= max(opts.min_questions, 1):
                sections.append((block.tag in _HEADING_TAGS, len(questions), block, questions))
    if not sections:
        return
    # A real heading beats a stray line (a "FAQ" menu item), then the most questions win.
    _, _, block, questions = max(sections, key=lambda section: section[:2])
    title = block.text.split("\n")[0]
    yield META.finding(
        page,
        f'The page shows a FAQ section ("{title[:60]}", {len(questions)} questions) but has '
        "no FAQPage markup. Google no longer shows FAQ rich results (since 2026-05-07), but "
        "other consumers such as Bing, AI assistants and voice assistants still read FAQPage "
        "markup to find the questions and their answers.",
        evidence=f"{title} — {questions[0]}",
        selector=block.selector,
        fix=FIX,
    )


@dataclass(frozen=True)
class _Titles:
    """The FAQ titles as patterns: a cheap trigger (longest words) and the normalised match."""

    trigger: re.Pattern[str]
    full: re.Pattern[str]

    @staticmethod
    @lru_cache(maxsize=32)
    def build(extra: tuple[str, ...]) -> _Titles:
        titles = [title for title in (*TITLES, *extra) if title.strip()]
        words = {max(title.split(), key=len).casefold() for title in titles}
        keys = {normalize(title) for title in titles} - {""}
        return _Titles(
            trigger=re.compile(
                "|".join([*map(re.escape, words), _SHORT_TITLE.pattern]), re.IGNORECASE
            ),
            full=re.compile(
                "|".join(re.escape(key) for key in sorted(keys, key=len, reverse=True))
            ),
        )


def _is_title(block: TextBlock, titles: _Titles) -> bool:
    first = block.text.partition("\n")[0]
    if len(first) > MAX_TITLE:
        return False
    probe = first if first.isascii() else unicodedata.normalize("NFKC", first)
    if not titles.trigger.search(probe):
        return False  # the fast path for almost every block
    heading = block.tag in _HEADING_TAGS
    if len(first) > (MAX_TITLE if heading else MAX_LINE_TITLE):
        return False
    if not _SHORT_TITLE.search(probe) and not titles.full.search(normalize(first)):
        return False
    if _is_question(block, first):
        return False
    # A menu or table-of-contents entry pointing at the FAQ is not the FAQ.
    return heading or not any(
        collapse(link.text(deep=True)) == first for link in block.node.css("a[href]")
    )


def _questions(blocks: tuple[TextBlock, ...], start: int) -> list[str]:
    """The questions of the section opened at ``blocks[start]``."""
    level = _HEADING_TAGS.get(blocks[start].tag, 7)
    found = [
        line for line in blocks[start].text.split("\n")[1:] if _is_question(blocks[start], line)
    ]
    position = start + 1
    while position < len(blocks) and position - start <= MAX_BLOCKS:
        block = blocks[position]
        lines = block.text.split("\n")
        questions = [line for line in lines if _is_question(block, line)]
        block_level = _HEADING_TAGS.get(block.tag)
        if block_level is not None and block_level <= level and not questions:
            break
        found.extend(questions)
        position += 1
    return found


def _is_question(block: TextBlock, line: str) -> bool:
    line = line.strip()
    if not line or len(line) > MAX_QUESTION:
        return False
    if _Q_PREFIX.match(line):
        return True
    if not line.endswith(("?", "\uff1f")):
        return False
    if block.tag in _HEADING_TAGS or block.tag in _QUESTION_TAGS or "\n" not in block.text:
        return True
    key = normalize(line)
    return any(normalize(node.text(deep=True)) == key for node in block.node.css("strong, b"))
