"""Private helpers for the schema.org rules: evidence a person can search for in the source.

The snippet is cut from the page source itself (the JSON-LD block's text, or the
HTML for microdata and RDFa): the line around the first occurrence of the term or
value, so that pasting it into "find in page source" lands on it.
"""

from __future__ import annotations

import json
import re

from audit.page import Page
from audit.structured.nodes import Node, Value

_WINDOW_BEFORE, _WINDOW_AFTER = 40, 80


def type_snippet(page: Page, node: Node, name: str) -> str:
    """Where the type ``name`` of ``node`` is written."""
    quoted = re.escape(name)
    if node.syntax == "json-ld":
        return _find(_source(page, node), [rf'"(?:[^"]*[:/])?{quoted}"'], name)
    return _find(page.html, [rf'(?:itemtype|typeof)\s*=\s*"[^"]*\b{quoted}\b[^"]*"'], name)


def property_snippet(page: Page, node: Node, prop: str) -> str:
    """Where the property ``prop`` of ``node`` is written."""
    quoted = re.escape(prop)
    if node.syntax == "json-ld":
        return _find(_source(page, node), [rf'"(?:[^"]*[:/])?{quoted}"\s*:'], prop)
    return _find(page.html, [rf'(?:itemprop|property)\s*=\s*"[^"]*\b{quoted}\b[^"]*"'], prop)


def value_snippet(page: Page, node: Node, prop: str, value: Value) -> str:
    """Where ``prop``'s ``value`` is written (the value alone when it cannot be found)."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    literal = re.escape(json.dumps(text, ensure_ascii=False))
    quoted = re.escape(prop)
    fallback = f'"{prop}": {json.dumps(text, ensure_ascii=False)}'
    if node.syntax == "json-ld":
        patterns = [rf'"(?:[^"]*[:/])?{quoted}"\s*:\s*\[?\s*{literal}', literal]
        return _find(_source(page, node), patterns, fallback)
    escaped = re.escape(text.strip())
    patterns = [
        rf'(?:itemprop|property)\s*=\s*"[^"]*\b{quoted}\b[^"]*"[^>]*?{escaped}',
        escaped,
        rf'(?:itemprop|property)\s*=\s*"[^"]*\b{quoted}\b[^"]*"',
    ]
    return _find(page.html, patterns, fallback) if text.strip() else fallback


def _source(page: Page, node: Node) -> str:
    for block in page.structured.blocks:
        if block.index == node.block:
            return block.raw
    return ""


def _find(text: str, patterns: list[str], fallback: str) -> str:
    for pattern in patterns:
        match = re.search(pattern, text) if text else None
        if match is None:
            continue
        line_start = text.rfind("\n", 0, match.start()) + 1
        line_end = text.find("\n", match.end())
        line_end = len(text) if line_end < 0 else line_end
        start = max(line_start, match.start() - _WINDOW_BEFORE)
        end = min(line_end, match.end() + _WINDOW_AFTER)
        snippet = text[start:end].strip()
        if snippet:
            return snippet
    return fallback
