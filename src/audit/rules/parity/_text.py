"""Private helpers of the parity rules: text comparison and picking the page's main nodes.

Not a rule (no META, no check()). Text is compared after NFKC (full-width forms
become ASCII), case folding and removal of punctuation, symbols and whitespace,
so "Rosacea care | Clinic" and "ROSACEA CARE - Clinic" compare equal; Chinese,
Japanese and Korean runs are split into character bigrams for token overlap.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Mapping

from selectolax.lexbor import LexborNode

from audit.structured.extract import StructuredData
from audit.structured.nodes import Node, Ref, Value
from audit.structured.vocabulary import active_vocabulary

_NOT_WORD = re.compile(r"[\W_]+")
_WORD = re.compile(r"[^\W_]+")
_CJK = re.compile(r"([\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+)")
_TAG = re.compile(r"<[^>]*>")
CODE_TAGS = frozenset({"pre", "code", "kbd", "samp", "textarea", "xmp"})


def normalize(text: str) -> str:
    """NFKC, case-folded, without punctuation, symbols or whitespace."""
    return _NOT_WORD.sub("", unicodedata.normalize("NFKC", text).casefold())


def tokens(text: str) -> frozenset[str]:
    """Words of the text; CJK runs become overlapping character pairs."""
    found: set[str] = set()
    for word in _WORD.findall(unicodedata.normalize("NFKC", text).casefold()):
        for index, part in enumerate(_CJK.split(word)):
            if not part:
                continue
            if index % 2 == 0 or len(part) == 1:  # outside a CJK run, or one character
                found.add(part)
            else:
                found.update(part[i : i + 2] for i in range(len(part) - 1))
    return frozenset(found)


def overlap(first: frozenset[str], second: frozenset[str]) -> float:
    """Shared tokens over the size of the smaller set (0.0 when either is empty)."""
    if not first or not second:
        return 0.0
    return len(first & second) / min(len(first), len(second))


def similar(first: str, second: str, threshold: float) -> bool:
    """True when one text contains the other or their token overlap reaches ``threshold``."""
    a, b = normalize(first), normalize(second)
    if not a or not b or a in b or b in a:
        return True
    return overlap(tokens(first), tokens(second)) >= threshold


def strip_tags(text: str) -> str:
    """Text without HTML tags and with entities decoded (FAQ answers may hold HTML)."""
    return html.unescape(_TAG.sub(" ", text))


def quote(text: str, limit: int = 90) -> str:
    """One line of at most ``limit`` characters for a message."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def in_code(node: LexborNode) -> bool:
    """True when ``node`` is, or sits inside, a ``<pre>``/``<code>``-like element."""
    current: LexborNode | None = node
    while current is not None:
        if current.tag in CODE_TAGS:
            return True
        current = current.parent
    return False


# --- nodes ---------------------------------------------------------------------------------


def is_a(name: str, ancestor: str) -> bool:
    """True when the schema.org type ``name`` is ``ancestor`` or one of its subtypes."""
    return active_vocabulary().is_a(name, ancestor)


def has_type(node: Node, ancestor: str) -> bool:
    """True when any of the node's schema.org types is ``ancestor`` or a subtype."""
    return any(is_a(kind, ancestor) for kind in node.types)


def id_index(data: StructuredData) -> dict[str, list[Node]]:
    """Nodes grouped by ``@id``.

    ``StructuredData.by_id`` cannot cache on a slots dataclass (TypeError), so the
    rules build the index once per check.
    """
    index: dict[str, list[Node]] = {}
    for node in data.nodes:
        if node.id:
            index.setdefault(node.id, []).append(node)
    return index


def resolve(value: Value, index: Mapping[str, list[Node]]) -> list[Node]:
    """The nodes a value stands for: itself, or every node carrying a reference's ``@id``."""
    if isinstance(value, Node):
        return [value]
    if isinstance(value, Ref):
        return index.get(value.id, [])
    return []


def primary_nodes(data: StructuredData) -> list[Node]:
    """The page-level nodes: the first top-level WebPage and the page's main Article.

    The main Article is the WebPage's ``mainEntity`` when that is an Article, else
    the only top-level Article, else the first top-level Article that names a
    ``mainEntityOfPage``. A listing with several articles and no marker gives none.
    """
    index = id_index(data)
    top = [node for node in data.nodes if node.parent is None and node.types]
    page = next((node for node in top if has_type(node, "WebPage")), None)
    article = None
    if page is not None:
        for value in page.values("mainEntity"):
            article = next((n for n in resolve(value, index) if has_type(n, "Article")), None)
            if article is not None:
                break
    if article is None:
        articles = [node for node in top if has_type(node, "Article") and node is not page]
        if len(articles) == 1:
            article = articles[0]
        else:
            article = next((node for node in articles if node.values("mainEntityOfPage")), None)
    return [node for node in (page, article) if node is not None]
