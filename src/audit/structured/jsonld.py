"""Strict parsing of ``<script type="application/ld+json">`` blocks.

extruct (and most consumers) silently repair trailing commas and comments, so
they cannot be the judge: every block goes through ``json.loads`` first, and a
failure keeps its line, column and a snippet for the ``jsonld-invalid`` finding.
A block wrapped in ``<!-- … -->`` or ``<![CDATA[ … ]]>`` (an old habit) is
unwrapped and parsed, and the wrapper is reported separately.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_WRAPPERS = (
    ("html-comment", re.compile(r"^\s*<!--(.*?)-->\s*$", re.DOTALL)),
    ("cdata", re.compile(r"^\s*(?://\s*)?<!\[CDATA\[(.*?)(?://\s*)?\]\]>\s*$", re.DOTALL)),
)


@dataclass(frozen=True, slots=True)
class JsonError:
    """Where strict JSON parsing failed: 1-based line and column, and the text around it."""

    message: str
    line: int
    column: int
    snippet: str


@dataclass(frozen=True, slots=True)
class JsonLdBlock:
    """One ld+json script: its 1-based number on the page, raw text and strict parse.

    ``data`` is None when the block is empty or invalid; ``error`` says why it
    is invalid; ``wrapper`` names an HTML comment or CDATA section around the JSON.
    """

    index: int
    raw: str
    selector: str
    data: Any = None
    error: JsonError | None = None
    wrapper: str | None = None

    @property
    def empty(self) -> bool:
        """True when the block holds nothing but whitespace (after unwrapping)."""
        return self.data is None and self.error is None


def parse_block(index: int, raw: str, selector: str) -> JsonLdBlock:
    """Strictly parse one script's text; never raises."""
    text, wrapper = raw, None
    for name, pattern in _WRAPPERS:
        match = pattern.match(text)
        if match:
            text, wrapper = match.group(1), name
            break
    if not text.strip():
        return JsonLdBlock(index, raw, selector, wrapper=wrapper)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        error = JsonError(exc.msg, exc.lineno, exc.colno, _snippet(text, exc.pos))
        return JsonLdBlock(index, raw, selector, error=error, wrapper=wrapper)
    except RecursionError:
        error = JsonError("nested too deeply", 1, 1, text[:60])
        return JsonLdBlock(index, raw, selector, error=error, wrapper=wrapper)
    return JsonLdBlock(index, raw, selector, data=data, wrapper=wrapper)


def _snippet(text: str, position: int, radius: int = 30) -> str:
    """The text around ``position`` on one line, with ``⟨here⟩`` marking the spot."""
    before = text[max(0, position - radius) : position]
    after = text[position : position + radius]
    return " ".join(f"{before}⟨here⟩{after}".split())
