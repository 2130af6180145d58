"""Private helpers shared by the leftover rules (not a rule: no META, no check()).

Small DOM walks that the page model does not offer yet: the text of one block
without its code samples, the inline elements of a block, and JSON-LD summaries.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urldefrag, urljoin

from selectolax.lexbor import LexborNode

from audit.dom import BLOCK_TAGS, INVISIBLE_TAGS, is_hidden
from audit.structured.visible import parse_json as parse_json

if TYPE_CHECKING:
    from audit.page import Page

# Elements whose text is a code sample shown on purpose.
CODE_TAGS = frozenset({"pre", "code", "kbd", "samp", "textarea", "xmp", "listing", "plaintext"})
# Emphasis and citation tags mark words of prose, not data slots ("the <em>null</em> hypothesis").
PROSE_TAGS = frozenset({"em", "i", "b", "strong", "dfn", "var", "q", "cite", "abbr", "mark", "u"})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_NOT_WORD = re.compile(r"[\W_]+")
_TYPE_IN_TEXT = re.compile(r'"@type"\s*:\s*"([^"]{1,80})"')


def normalize(text: str) -> str:
    """Case-folded text without punctuation, ellipses, symbols or whitespace."""
    return _NOT_WORD.sub("", text.casefold())


def in_code(node: LexborNode) -> bool:
    """True when ``node`` is, or sits inside, a ``<pre>``/``<code>``-like element."""
    current: LexborNode | None = node
    while current is not None:
        if current.tag in CODE_TAGS:
            return True
        current = current.parent
    return False


def _children(node: LexborNode) -> list[LexborNode]:
    children = []
    child = node.child
    while child is not None:
        children.append(child)
        child = child.next
    return children


def own_text(block: LexborNode, *, skip_code: bool = True) -> str:
    """The visible text of one block element, nested blocks (and code samples) left out.

    Lines are split at ``<br>``; runs of whitespace collapse to one space.
    """
    parts: list[str] = []
    stack = list(reversed(_children(block)))
    while stack:
        node = stack.pop()
        tag = node.tag
        if tag == "-text":
            parts.append(node.text_content or "")
        elif tag == "br":
            parts.append("\n")
        elif tag in BLOCK_TAGS or tag in INVISIBLE_TAGS or (skip_code and tag in CODE_TAGS):
            parts.append(" ")
        elif tag and not tag.startswith("-") and not is_hidden(node):
            stack.extend(reversed(_children(node)))
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def inline_elements(block: LexborNode) -> Iterator[LexborNode]:
    """The visible inline elements inside a block, in document order (nested blocks excluded)."""
    stack = list(reversed(_children(block)))
    while stack:
        node = stack.pop()
        tag = node.tag
        if not tag or tag.startswith("-") or tag in BLOCK_TAGS or tag in INVISIBLE_TAGS:
            continue
        if is_hidden(node):
            continue
        yield node
        stack.extend(reversed(_children(node)))


def describe(value: Any) -> tuple[str, str]:
    """The ``@type`` and the headline (or name) of a parsed JSON-LD value ("" when absent)."""
    if isinstance(value, list):
        value = next((item for item in value if isinstance(item, dict)), {})
    if not isinstance(value, dict):
        return "", ""
    graph = value.get("@graph")
    if "@type" not in value and isinstance(graph, list) and graph:
        return describe(graph)
    kind = value.get("@type", "")
    if isinstance(kind, list):
        kind = "/".join(str(item) for item in kind)
    title = value.get("headline") or value.get("name") or ""
    return str(kind), title if isinstance(title, str) else ""


def type_in_text(text: str) -> str:
    """The first ``"@type": "X"`` value found in unparsable JSON-LD text ("" when absent)."""
    match = _TYPE_IN_TEXT.search(text)
    return match.group(1) if match else ""


def after_subtree(node: LexborNode, root: LexborNode) -> LexborNode | None:
    """The next node in document order outside ``node``'s subtree; None past the end of ``root``.

    Nodes are compared by ``mem_id``: LexborNode equality compares markup and is slow.
    """
    current: LexborNode | None = node
    while current is not None and current.mem_id != root.mem_id:
        if current.next is not None:
            return current.next
        current = current.parent
    return None


def is_inside(node: LexborNode, root: LexborNode) -> bool:
    """True when ``root`` is an ancestor of ``node``."""
    current = node.parent
    while current is not None:
        if current.mem_id == root.mem_id:
            return True
        current = current.parent
    return False


def page_anchors(page: Page) -> frozenset[str]:
    """Every ``id`` and ``<a name>`` on the page: the targets of ``#fragment`` links."""
    ids = {node.attributes.get("id") or "" for node in page.tree.css("[id]")}
    names = {node.attributes.get("name") or "" for node in page.tree.css("a[name]")}
    return frozenset(ids | names)


def same_page_fragment(page: Page, href: str) -> str | None:
    """The fragment of a link to this same page (None for a link to another page)."""
    if href.startswith("#"):
        return unquote(href[1:])
    try:
        url, fragment = urldefrag(urljoin(page.base_url, href))
    except ValueError:
        return None
    return unquote(fragment) if fragment and url == urldefrag(page.url).url else None
