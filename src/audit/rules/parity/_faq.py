"""Private helper of schema-content-mismatch: FAQPage questions and answers against the page.

Each ``Question.name`` and ``acceptedAnswer.text`` must appear in the visible
text (normalised containment, HTML tags stripped from the answer). Text of an
element hidden inline (a collapsed accordion that a script opens) counts as
shown: Google accepts answers behind a click.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from functools import cached_property

from audit.dom import TextBlock, is_hidden
from audit.models import Finding
from audit.page import Page
from audit.rules.base import RuleMeta
from audit.rules.parity._text import (
    has_type,
    id_index,
    normalize,
    overlap,
    quote,
    resolve,
    strip_tags,
    tokens,
)
from audit.structured.extract import StructuredData
from audit.structured.nodes import Node

_Q_PREFIX = re.compile(r"^\s*(?:Q\s*\d*|問\s*\d*|问\s*\d*)\s*[:\uff1a.\uff0e、)]\s*", re.IGNORECASE)
MAX_LINE = 300
FIX_QUESTION = (
    "Show every question of the FAQPage markup on the page, word for word, or remove the "
    "questions the page does not show from the markup."
)
FIX_ANSWER = (
    "Copy the answer shown on the page into the markup's acceptedAnswer text (or update the "
    "page), so both say the same thing."
)


class _Visible:
    """The page's visible text, normalised once; per-block views built only when needed."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.blocks: tuple[TextBlock, ...] = page.text_blocks
        self.raw = " ".join(" ".join(block.text for block in self.blocks).split())

    @cached_property
    def text(self) -> str:
        # Normalising a long page costs milliseconds (NFKC, then a per-character
        # regex), so it is only done when a verbatim search has failed.
        return normalize("\n".join(block.text for block in self.blocks))

    @cached_property
    def hidden(self) -> str:
        parts = [
            node.text(deep=True, separator=" ")
            for node in self.page.tree.css("body [hidden], body [style]")
            if is_hidden(node)
        ]
        return normalize(" ".join(parts))

    @cached_property
    def normalized_blocks(self) -> list[str]:
        return [normalize(block.text) for block in self.blocks]

    @cached_property
    def lines(self) -> list[tuple[str, frozenset[str]]]:
        return [
            (line, tokens(line))
            for block in self.blocks
            for line in block.text.split("\n")
            if len(line) <= MAX_LINE
        ]

    def shows(self, normalized: str, raw: str = "") -> bool:
        """True when the text (normalised; ``raw`` as written, if known) is on the page."""
        if not normalized or (raw and " ".join(raw.split()) in self.raw):
            return True
        return normalized in self.text or normalized in self.hidden

    def closest_line(self, text: str) -> str | None:
        wanted = tokens(text)
        best, score = None, 0.5
        for line, found in self.lines:
            value = overlap(wanted, found)
            if value >= score:
                best, score = line, value + 1e-9
        return best

    def after(self, question: str) -> str | None:
        """The text the page shows after a question: the rest of its block, or the next block."""
        for index, normalized in enumerate(self.normalized_blocks):
            if question not in normalized:
                continue
            lines = self.blocks[index].text.split("\n")
            for position, line in enumerate(lines):
                if question in normalize(line) and position + 1 < len(lines):
                    return " ".join(lines[position + 1 :])
            return self.blocks[index + 1].text if index + 1 < len(self.blocks) else None
        return None


def faq_mismatches(page: Page, data: StructuredData, meta: RuleMeta) -> Iterator[Finding]:
    """Yield one finding per FAQPage question or answer the visible text does not show."""
    faqs = [node for node in data.nodes if has_type(node, "FAQPage")]
    if not faqs:
        return
    visible = _Visible(page)
    index = id_index(data)
    seen: set[int] = set()
    for faq in faqs:
        for value in faq.values("mainEntity"):
            for question in resolve(value, index):
                if id(question) not in seen and has_type(question, "Question"):
                    seen.add(id(question))
                    yield from _question(page, index, question, visible, meta)


def _question(
    page: Page, index: Mapping[str, list[Node]], question: Node, visible: _Visible, meta: RuleMeta
) -> Iterator[Finding]:
    raw = question.first_text("name") or question.first_text("text") or ""
    asked = strip_tags(raw).strip()
    key = normalize(_Q_PREFIX.sub("", asked))
    shown = visible.shows(key, asked)
    if not shown:
        closest = visible.closest_line(asked)
        seen = f'the closest visible line is "{quote(closest)}"' if closest else "nothing similar"
        yield meta.finding(
            page,
            f'The FAQPage question "{quote(asked)}" ({question.location}) does not appear in '
            f"the page's visible text ({seen}); Google requires FAQ markup to repeat "
            "questions the page shows.",
            evidence=asked,
            selector=question.location,
            fix=FIX_QUESTION,
        )
    for value in question.values("acceptedAnswer"):
        answers = [value] if isinstance(value, str) else resolve(value, index)
        for answer in answers:
            node = answer if isinstance(answer, Node) else question
            text = answer if isinstance(answer, str) else answer.first_text("text")
            said = strip_tags(text or "").strip()
            if visible.shows(normalize(said), said):
                continue
            after = visible.after(key) if shown and key else None
            if after:
                page_says = f'the page shows "{quote(after)}"'
            else:
                page_says = "the page shows no answer to it" + (
                    "" if shown else " (nor the question)"
                )
            yield meta.finding(
                page,
                f'The FAQPage answer to "{quote(asked, 60)}" ({node.location}) does not match '
                f'the visible text: the markup says "{quote(said)}" but {page_says}.',
                evidence=said,
                selector=node.location,
                fix=FIX_ANSWER,
            )
