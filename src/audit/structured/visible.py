"""JSON-LD objects printed as visible page text instead of inside a script tag.

Real clinic pages ship this: a CMS field meant for the head ends up in the
body, one line per paragraph or ``<br>``. The object is found from its opening
brace (followed soon by ``"@context"`` or ``"@type"``) to the matching brace,
across consecutive text blocks, then parsed strictly (curly "smart" quotes,
which editors insert, are tolerated on a second try). Both the
``jsonld-in-visible-text`` rule and the site-level entity checks read it.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from audit.dom import TextBlock
from audit.structured.jsonld import json_int

MAX_BLOCKS = 200
MAX_CHARS = 50_000
_START = re.compile(r"\{\s*[\"“”]@(?:context|type)[\"“”]")
_KEYS = re.compile(r"[\"“”]@(?:context|type)[\"“”]")
_SMART = str.maketrans({"“": '"', "”": '"', "„": '"', "″": '"'})
_QUOTES = frozenset('"“”„″')
_CODE_TAGS = frozenset({"pre", "code", "kbd", "samp", "textarea", "xmp", "listing", "plaintext"})


@dataclass(frozen=True, slots=True)
class VisibleJsonLd:
    """One object-like text: blocks ``first``..``last`` (indexes into the page's text blocks)."""

    first: int
    last: int
    text: str
    value: Any
    error: str


def find_visible_jsonld(blocks: tuple[TextBlock, ...]) -> list[VisibleJsonLd]:
    """Every JSON-LD-like object in the visible text, parsed when possible, in order."""
    if not any("@context" in block.text or "@type" in block.text for block in blocks):
        return []
    lines = [(index, line) for index, block in enumerate(blocks) for line in block.text.split("\n")]
    found = []
    position = 0
    while position < len(lines):
        offset = _start(lines, position)
        if offset < 0 or _in_code(blocks[lines[position][0]]):
            position += 1
            continue
        text, end = _collect(lines, position, offset)
        value, error = parse_json(text)
        if value is None and any(char in text for char in "“”„″"):
            value, _ = parse_json(text.translate(_SMART))
        if not _looks_like_jsonld(value, text):
            position += 1
            continue
        found.append(VisibleJsonLd(lines[position][0], lines[end][0], text, value, error))
        position = end + 1
    return found


def parse_json(text: str) -> tuple[Any, str]:
    """``(value, "")`` for strict JSON, else ``(None, "reason at line L column C")``."""
    try:
        return json.loads(text, parse_int=json_int), ""
    except json.JSONDecodeError as error:
        return None, f"{error.msg} at line {error.lineno} column {error.colno}"
    except RecursionError:
        return None, "nested too deeply"


def _looks_like_jsonld(value: Any, text: str) -> bool:
    node = value[0] if isinstance(value, list) and value else value
    if isinstance(node, dict):
        return "@context" in node or "@type" in node
    return "@context" in text and "@type" in text and "schema.org" in text


def _in_code(block: TextBlock) -> bool:
    node = block.node
    while node is not None:
        if node.tag in _CODE_TAGS:
            return True
        node = node.parent
    return False


def _start(lines: list[tuple[int, str]], position: int) -> int:
    """Where a JSON-LD object starts on this line (-1 when it does not)."""
    line = lines[position][1]
    if line.lstrip().startswith("{"):
        ahead = " ".join(text for _, text in lines[position + 1 : position + 4])
        return line.index("{") if _KEYS.search(line[:300] + ahead) else -1
    match = _START.search(line)
    return match.start() if match else -1


def _collect(lines: list[tuple[int, str]], position: int, offset: int) -> tuple[str, int]:
    """The text from the opening brace to its matching brace (or the cap) and the last line."""
    pieces: list[str] = []
    depth, in_string, escaped, size = 0, False, False, 0
    first_block = lines[position][0]
    last = position
    for end in range(position, len(lines)):
        block, line = lines[end]
        if block - first_block >= MAX_BLOCKS or size > MAX_CHARS:
            break
        last = end
        if end == position:
            line = line[offset:]
        for column, char in enumerate(line):
            if escaped:
                escaped = False
            elif in_string:
                escaped = char == "\\"
                in_string = char not in _QUOTES
            elif char in _QUOTES:
                in_string = True
            elif char in "{[":
                depth += 1
            elif char in "}]":
                depth -= 1
                if depth == 0:
                    pieces.append(line[: column + 1])
                    return "\n".join(pieces), end
        pieces.append(line)
        size += len(line) + 1
    return "\n".join(pieces), last
