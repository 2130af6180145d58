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
from dataclasses import dataclass, replace
from typing import Any

_WRAPPERS = (
    ("html-comment", re.compile(r"^\s*<!--(.*?)-->\s*$", re.DOTALL)),
    ("cdata", re.compile(r"^\s*(?://\s*)?<!\[CDATA\[(.*?)(?://\s*)?\]\]>\s*$", re.DOTALL)),
)


@dataclass(frozen=True, slots=True)
class JsonError:
    """Where strict JSON parsing failed: 1-based line and column, the 0-based character
    ``position`` in the block's unwrapped ``text``, and the text around it."""

    message: str
    line: int
    column: int
    snippet: str
    position: int = 0


@dataclass(frozen=True, slots=True)
class JsonLdBlock:
    """One ld+json script: its 1-based number on the page, raw text and strict parse.

    ``data`` is None when the block is empty or invalid; ``error`` says why it
    is invalid; ``wrapper`` names an HTML comment or CDATA section around the
    JSON; ``text`` is what the parser read (the wrapper removed), starting at
    character ``offset`` of ``raw``.
    """

    index: int
    raw: str
    selector: str
    data: Any = None
    error: JsonError | None = None
    wrapper: str | None = None
    text: str = ""
    offset: int = 0

    @property
    def empty(self) -> bool:
        """True when the block holds nothing but whitespace (after unwrapping)."""
        return self.data is None and self.error is None


def parse_block(index: int, raw: str, selector: str) -> JsonLdBlock:
    """Strictly parse one script's text; never raises."""
    text, wrapper, offset = raw, None, 0
    for name, pattern in _WRAPPERS:
        match = pattern.match(raw)
        if match:
            text, wrapper, offset = match.group(1), name, match.start(1)
            break
    block = JsonLdBlock(index, raw, selector, wrapper=wrapper, text=text, offset=offset)
    if not text.strip():
        return block
    try:
        data = json.loads(text, parse_constant=_reject_constant, parse_int=json_int)
    except json.JSONDecodeError as exc:
        return replace(block, error=_error(text, exc.msg, exc.pos))
    except _NonStandardConstant as exc:
        position = max(text.find(exc.name), 0)
        return replace(block, error=_error(text, f"{exc.name} is not valid JSON", position))
    except RecursionError:
        return replace(block, error=JsonError("nested too deeply", 1, 1, text[:60]))
    return replace(block, data=data)


def json_int(digits: str) -> int | float:
    """An integer literal of JSON, as ``json.loads(parse_int=...)`` hands it over.

    Python refuses to convert more than 4,300 digits (``sys.get_int_max_str_digits``)
    and raises ValueError, which ``json.loads`` lets through: one long number in
    a page's JSON-LD would crash the parse. JavaScript's ``JSON.parse``, which
    search engines follow, reads every number as a double, so such a literal
    becomes a float (``inf`` when it is out of range).
    """
    try:
        return int(digits)
    except ValueError:
        return float(digits)


class _NonStandardConstant(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _reject_constant(name: str) -> Any:
    # Python's json accepts NaN and Infinity; JSON (and Google's parser) does not.
    raise _NonStandardConstant(name)


def _error(text: str, message: str, position: int) -> JsonError:
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    return JsonError(message, line, column, _snippet(text, position), position)


def _snippet(text: str, position: int, radius: int = 30) -> str:
    """The text around ``position`` on one line, with ``⟨here⟩`` marking the spot."""
    before = text[max(0, position - radius) : position]
    after = text[position : position + radius]
    return " ".join(f"{before}⟨here⟩{after}".split())
