"""Whether a marked-up item shows on the page, for grading google-required-missing.

Google shows rich results only for content that readers of the page can see
("don't mark up content that is not visible to readers of the page", General
structured data guidelines). An item counts as shown when one of its naming
texts (``name``, ``headline``, ``alternateName``, ``legalName``; for an unnamed
item, the names of the nodes it holds or hangs from) appears in the page's
title or visible text; an item with no name anywhere counts as shown when the
page's body has any visible text. Comparison is made on NFKC-normalised,
case-folded text with everything but letters and digits removed, so full-width
forms, spacing and punctuation differences (``仁愛診所`` / ``仁愛 診所``,
``Dr. Liu`` / ``Dr Liu``) do not matter.
"""

from __future__ import annotations

import re
import unicodedata

from audit.page import Page
from audit.rules.google._match import PageGraph
from audit.structured.nodes import Node

NAMING = ("name", "headline", "alternateName", "legalName")
_SEPARATORS = re.compile(r"\s+[|｜\-–—:：]\s+|[｜|]")
_MIN_CHARS = 2


def normalise(text: str) -> str:
    """NFKC, case-folded, letters and digits only (works for CJK and Latin text alike)."""
    return "".join(
        char for char in unicodedata.normalize("NFKC", text).casefold() if char.isalnum()
    )


class Visibility:
    """The page's visible text, normalised on first use (most pages never need it)."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self._haystack: str | None = None
        self._has_body_text = False

    @property
    def haystack(self) -> str:
        """The page's visible text blocks, then its titles, normalised and joined."""
        if self._haystack is None:
            body = "\x00".join(normalise(block.text) for block in self.page.text_blocks)
            self._has_body_text = bool(body.replace("\x00", ""))
            titles = "\x00".join(normalise(title) for title in self.page.titles)
            self._haystack = f"{body}\x00{titles}"
        return self._haystack

    def shows(self, graph: PageGraph, node: Node) -> bool:
        """True when the item's naming text appears on the page (see the module docstring).

        An item with no naming text at all counts as shown when the page has visible
        text in its body (the title alone does not count).
        """
        haystack = self.haystack
        needles = _needles(graph, node)
        if not needles:
            return self._has_body_text
        return any(needle in haystack for needle in needles)


def _needles(graph: PageGraph, node: Node) -> set[str]:
    needles = _names(graph, node)
    if needles:
        return needles
    for prop in node.properties:
        for value in graph.values(node, prop):
            if isinstance(value, Node):
                needles |= _names(graph, value)
    if node.parent is not None:
        needles |= _names(graph, node.parent)
    return needles


def _names(graph: PageGraph, node: Node) -> set[str]:
    found: set[str] = set()
    for prop in NAMING:
        for value in graph.values(node, prop):
            if not isinstance(value, str):
                continue
            for text in (value, *_SEPARATORS.split(value)):
                needle = normalise(text)
                if len(needle) >= _MIN_CHARS:
                    found.add(needle)
    return found
