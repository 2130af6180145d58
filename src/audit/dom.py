"""DOM helpers over selectolax lexbor nodes: visible text blocks, comments, CSS paths.

Nodes carry no line numbers, so findings point at a CSS path plus an evidence
snippet a person can search for in the page source.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from selectolax.lexbor import LexborNode

# Elements whose text a visitor never sees as page content.
INVISIBLE_TAGS = frozenset(
    {
        "script",
        "style",
        "template",
        "noscript",
        "head",
        "title",
        "iframe",
        "object",
        "svg",
        "math",
        "canvas",
        "video",
        "audio",
        "select",
        "datalist",
    }
)
# Elements that start a new block of text; inline elements join their parent's block.
BLOCK_TAGS = frozenset(
    {
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "button",
        "caption",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    }
)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class TextBlock:
    """The visible text of one block element (its inline descendants included).

    ``text`` keeps one line per ``<br>``; runs of spaces are collapsed.
    """

    text: str
    node: LexborNode

    @property
    def tag(self) -> str:
        """The block element's tag name."""
        return self.node.tag or ""

    @property
    def selector(self) -> str:
        """A CSS path to the block element."""
        return css_path(self.node)


@dataclass(frozen=True, slots=True)
class Comment:
    """An HTML comment: its text between ``<!--`` and ``-->``."""

    text: str
    node: LexborNode

    @property
    def selector(self) -> str:
        """A CSS path to the comment's parent element."""
        parent = self.node.parent
        return css_path(parent) if parent is not None else ""


def is_hidden(node: LexborNode) -> bool:
    """True for an element hidden by the ``hidden`` attribute or an inline style."""
    attributes = node.attributes
    if not attributes:
        return False
    if "hidden" in attributes:
        return True
    style = attributes.get("style")
    return bool(style and _HIDDEN_STYLE.search(style))


def comments_in(document: LexborNode) -> list[Comment]:
    """Every comment under ``document`` in order, in the head, hidden elements and around <html>."""
    return [
        Comment(node.comment_content or "", node)
        for node in document.traverse(include_text=False)
        if node.tag == "-comment"
    ]


def walk_text(root: LexborNode) -> list[TextBlock]:
    """Collect the visible text blocks under ``root`` in document order.

    Text inside invisible elements (script, style, template, hidden, …) is skipped.
    """
    # Reading an element's attributes builds a dict, so hidden elements are found
    # once with a selector instead of testing every element on the way.
    hidden = {node.mem_id for node in root.css("[hidden], [style]") if is_hidden(node)}
    skipped, block_tags = INVISIBLE_TAGS | {"-comment"}, BLOCK_TAGS
    # Each block owner has its element and the parts of its text; a stack entry
    # is a node and the parts list of the block it belongs to.
    owners: list[tuple[LexborNode, list[str]]] = [(root, [])]
    stack: list[tuple[LexborNode, list[str]]] = [(root, owners[0][1])]
    pop, push = stack.pop, stack.append
    while stack:
        node, parts = pop()
        tag = node.tag
        if tag == "-text":
            text = node.text_content
            if text:
                parts.append(text)
        elif tag == "br":
            parts.append("\n")
        elif tag not in skipped and not (hidden and node.mem_id in hidden):
            if tag in block_tags and node is not root:
                parts = []
                owners.append((node, parts))
            child = node.last_child
            while child is not None:  # pushed last to first: popped in document order
                push((child, parts))
                child = child.prev
    blocks = []
    for node, parts in owners:
        text = _clean("".join(parts))
        if text:
            blocks.append(TextBlock(text, node))
    return blocks


def _clean(text: str) -> str:
    """One space for every run of whitespace (any Unicode space: NBSP, ideographic, …).

    Line breaks (from ``<br>``) are kept, one per non-empty line.
    """
    if "\n" not in text:
        return " ".join(text.split())
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def collapse(text: str) -> str:
    """Collapse all whitespace to single spaces and strip."""
    return " ".join(text.split())


def clip(text: str, limit: int = 160) -> str:
    """A one-line snippet of at most ``limit`` characters for evidence columns."""
    text = collapse(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def css_path(node: LexborNode) -> str:
    """A CSS path such as ``main > article > p:nth-of-type(3)`` (stops at an element id)."""
    parts: list[str] = []
    current: LexborNode | None = node
    while current is not None and current.tag not in (None, "html", "-document", "#document"):
        tag = current.tag or ""
        if tag.startswith("-"):
            current = current.parent
            continue
        element_id = (current.attributes or {}).get("id")
        if element_id and re.fullmatch(r"[A-Za-z][\w-]*", element_id):
            parts.append(f"{tag}#{element_id}")
            break
        parts.append(tag + _nth_of_type(current))
        if tag == "body":
            break
        current = current.parent
    return " > ".join(reversed(parts))


def _nth_of_type(node: LexborNode) -> str:
    tag = node.tag
    before = 0
    sibling = node.prev
    while sibling is not None:
        before += sibling.tag == tag
        sibling = sibling.prev
    after = node.next
    while after is not None and after.tag != tag:
        after = after.next
    if before == 0 and after is None:
        return ""
    return f":nth-of-type({before + 1})"
