"""DOM helpers shared by the content rules: rendering and accessible names.

These belong in :mod:`audit.dom` (and as cached views on :class:`audit.page.Page`);
they live here until the page model grows them.
"""

from __future__ import annotations

from selectolax.lexbor import LexborNode

from audit.dom import INVISIBLE_TAGS, collapse, is_hidden

ZERO_WIDTH = str.maketrans(dict.fromkeys("\u200b\u200c\u200d\u2060\ufeff", " "))
"""Translation table turning zero-width characters into spaces."""
BLANK = " \u200b\u200c\u200d\u2060\ufeff"
"""Characters that show nothing: ``text.strip(BLANK)`` is empty for a blank collapsed text."""
# Markup that can hide text or name an element other than by its text.
_NAME_MARKERS = ("hidden", "style", "aria-label", "<img", "<svg", "<script", "<template")


def hidden_by(
    node: LexborNode, memo: dict[int, LexborNode | None] | None = None
) -> LexborNode | None:
    """The element (``node`` or an ancestor) that keeps ``node`` from rendering, if any.

    Args:
        node: Any element.
        memo: A dict kept across calls on one page, so shared ancestors are looked at once.

    Returns:
        The first element from ``node`` upwards that is invisible (``<template>``,
        ``<noscript>``, …) or hidden by the ``hidden`` attribute or an inline style;
        None when ``node`` renders.
    """
    memo = {} if memo is None else memo
    path: list[int] = []
    found: LexborNode | None = None
    current: LexborNode | None = node
    while current is not None:
        tag = current.tag
        if tag in ("html", "-document"):
            break
        key = current.mem_id
        if key in memo:
            found = memo[key]
            break
        path.append(key)
        if tag in INVISIBLE_TAGS or is_hidden(current):
            found = current
            break
        current = current.parent
    for key in path:
        memo[key] = found
    return found


def content_name(node: LexborNode, *, own_label: bool = True) -> str:
    """The name an element gets from its content, as a screen reader would announce it.

    Args:
        node: A heading, link or other element that takes its name from its content.
        own_label: Whether ``node``'s own ``aria-label`` comes first in the name.

    Returns:
        The element's own ``aria-label`` followed by its visible text, the alt text of
        its images, the ``aria-label`` of its descendants and the ``<title>`` of its
        SVG icons; whitespace and zero-width characters collapsed.
    """
    parts: list[str] = []
    stack = children_reversed(node)
    while stack:
        current = stack.pop()
        tag = current.tag or ""
        if tag == "-text":
            parts.append(current.text_content or "")
            continue
        if tag.startswith("-"):
            continue
        attributes = current.attributes
        if is_hidden(current) or (attributes.get("aria-hidden") or "").lower() == "true":
            continue
        label = attributes.get("aria-label") or ""
        if label.strip():
            parts.append(f" {label} ")
        elif tag == "img":
            parts.append(f" {attributes.get('alt') or ''} ")
        elif tag == "svg":
            title = current.css_first("title")
            parts.append(f" {title.text() if title is not None else ''} ")
        elif tag not in INVISIBLE_TAGS:
            stack.extend(children_reversed(current))
    label = (node.attributes.get("aria-label") or "") if own_label else ""
    return collapse(f"{label} {''.join(parts)}".translate(ZERO_WIDTH))


def children_reversed(node: LexborNode) -> list[LexborNode]:
    """The children of ``node`` in reverse order (ready for a stack)."""
    children = []
    child = node.child
    while child is not None:
        children.append(child)
        child = child.next
    children.reverse()
    return children


def shown_name(node: LexborNode, text: str) -> str:
    """The name of ``node`` given its full ``text`` (as the page model collects it).

    The quick answer is ``text`` itself; the content is walked only when the markup may
    hide part of it or may name the element some other way (images, labels, SVG).

    Args:
        node: A heading or link.
        text: ``node``'s text with whitespace collapsed, hidden parts included.

    Returns:
        The same as :func:`content_name`, without the walk when the markup is plain.
    """
    markup = node.html or ""
    if text.strip(BLANK) and not any(marker in markup for marker in _NAME_MARKERS):
        return text
    return content_name(node)
