"""Private helpers shared by the syntax rules (not a rule: no META, no check()).

- :func:`diagnose`: the likely cause of a strict-JSON failure (trailing comma,
  comment, single or smart quotes, raw line break, missing comma, …) read from
  the text around the error position, with a plain-language fix;
- :func:`jsonld_type`: whether a script's text is a JSON-LD object, and its type;
- :func:`block_text`: the JSON text the strict parser saw (wrapper removed).
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from audit.structured.jsonld import JsonError, JsonLdBlock

if TYPE_CHECKING:
    from audit.page import Page

# Curly double and single quotes, guillemets and the full-width quote.
_SMART_QUOTES = frozenset(
    "\u201c\u201d\u201e\u201f\u2033\u2018\u2019\u201a\u201b\u00ab\u00bb\uff02"
)
_JS_WORDS = frozenset({"undefined", "None", "True", "False", "NULL", "Null", "function", "new"})
_TYPE_IN_TEXT = re.compile(r"""["']@type["']\s*:\s*\[?\s*["']([^"']{1,80})["']""")
_TEMPLATE = re.compile(r"\{\{|\{%|<\?php|<%|\$\{")

FIX_DEFAULT = (
    "Correct the JSON at the position shown (paste the block into a JSON validator to "
    "check it) so that the whole block can be read again."
)
_CAUSES: dict[str, tuple[str, str]] = {
    "bom": (
        "an invisible byte-order mark (BOM) before the JSON",
        "Save the file as UTF-8 without a BOM, or delete the invisible first character.",
    ),
    "js-comment": (
        "a JavaScript comment (// … or /* … */), which JSON does not allow",
        "Delete the comment from the JSON; put notes outside the <script> element.",
    ),
    "html-comment": (
        "an HTML comment (<!-- … -->) mixed into the JSON",
        "Delete the <!-- … --> comment from inside the script; the script must hold JSON only.",
    ),
    "html": (
        "HTML markup inside the script",
        "Remove the HTML tags from the script so that it holds only the JSON object.",
    ),
    "newline": (
        "a line break typed inside a text value",
        "Join the text onto one line, or write each line break as \\n inside the quotes.",
    ),
    "tab": (
        "a tab character typed inside a text value",
        "Replace the tab inside the quotes with a space (or write it as \\t).",
    ),
    "control": (
        "an invisible control character inside a text value",
        "Delete the invisible control character from the text value (retype the text).",
    ),
    "bad-escape": (
        "a backslash that starts no valid escape (such as \\' or a Windows path)",
        "Delete the backslash before ' and other characters, or double it (\\\\) to keep "
        "a literal backslash.",
    ),
    "trailing-comma": (
        "a trailing comma before the closing {close}",
        "Delete the comma after the last item before the closing {close}.",
    ),
    "smart-quotes": (
        "curly “smart” quotes instead of straight double quotes",
        'Replace the curly quotes with straight double quotes ("); word processors '
        "insert curly ones, so edit JSON in a plain-text editor.",
    ),
    "single-quotes": (
        "single quotes around a name or value; JSON needs double quotes",
        'Use straight double quotes (") around every property name and text value.',
    ),
    "unquoted-name": (
        "a property name without double quotes",
        'Put the property name in double quotes, e.g. "name": "…".',
    ),
    "inner-quote": (
        "an unescaped double quote inside a text value",
        'Write a double quote inside a text value as \\" (or use 「」 instead).',
    ),
    "missing-comma": (
        "a missing comma between two properties or values",
        "Add the missing comma between the two items.",
    ),
    "truncated": (
        "JSON that stops early: a closing }} or ] is missing",
        "Close every { with } and every [ with ]; the block was probably cut off.",
    ),
    "extra-data": (
        "more text after the end of the JSON (two objects, or a stray character)",
        "Wrap several objects in one array [ {…}, {…} ] or give each its own script, and "
        "delete anything after the final }.",
    ),
    "semicolon": (
        "a semicolon after the JSON, as in JavaScript",
        "Delete the semicolon after the final }.",
    ),
    "js-value": (
        "the JavaScript word {word}, which is not a JSON value",
        'Replace {word} with a JSON value (a number, "text", true, false or null) or drop '
        "the property.",
    ),
    "template": (
        "template code that was never filled in",
        "Fix the template so that it prints the values, not its own placeholders.",
    ),
}


def block_text(block: JsonLdBlock) -> str:
    """The text the strict parser read: the script text without its comment/CDATA wrapper."""
    return block.text


def error_place(page: Page, block: JsonLdBlock, error: JsonError) -> str:
    """Where ``error`` is: "line L, column C of the script" (and of the page source when found).

    The parser counts from the unwrapped text; lines here count from the script's
    first character, so they match what a person sees between the tags.
    """
    skipped = block.raw[: block.offset]
    line = error.line + skipped.count("\n")
    column = error.column + (len(skipped) - skipped.rfind("\n") - 1 if error.line == 1 else 0)
    place = f"line {line}, column {column} of the script"
    # The script's text sits between ">" and "</script>"; identical blocks are told apart
    # by their order on the page.
    needle, found = f">{block.raw}</", -1
    nth = sum(1 for other in page.structured.blocks[: block.index - 1] if other.raw == block.raw)
    for _ in range(nth + 1):
        found = page.html.find(needle, found + 1)
        if found < 0:
            return place
    return f"{place} (line {page.html.count(chr(10), 0, found) + line} of the page source)"


def diagnose(text: str, error: JsonError) -> tuple[str, str]:
    """``(likely cause, fix)`` for a strict-JSON failure; the cause is "" when unclear."""
    key, detail = _classify(text, error.position, error.message)
    if not key:
        return "", FIX_DEFAULT
    cause, fix = _CAUSES[key]
    if key == "trailing-comma":
        return cause.format(close=detail), fix.format(close=detail)
    if key == "js-value":
        return cause.format(word=detail), fix.format(word=detail)
    return cause.format(), fix


def _classify(text: str, pos: int, message: str) -> tuple[str, str]:
    here = text[pos : pos + 4]
    char = here[:1]
    before = text[:pos].rstrip()
    previous = before[-1:] if before else ""
    if message.startswith("Unexpected UTF-8 BOM"):
        return "bom", ""
    if here.startswith(("//", "/*")):
        return "js-comment", ""
    if here.startswith("<!--"):
        return "html-comment", ""
    if char == "<":
        return "html", ""
    if message.startswith("Invalid control character"):
        return ("newline" if char in "\r\n" else "tab" if char == "\t" else "control"), ""
    if message.startswith("Invalid \\"):  # "Invalid \\escape", "Invalid \\uXXXX escape"
        return "bad-escape", ""
    if previous == "," and char in ("}", "]"):
        return "trailing-comma", char
    if char in _SMART_QUOTES:
        return "smart-quotes", ""
    if char == "'":
        return "single-quotes", ""
    if not text[pos:].strip():
        return "truncated", ""
    if _TEMPLATE.match(text, pos) or (char in "{%$" and _TEMPLATE.search(text)):
        return "template", ""
    word = re.match(r"[A-Za-z_$][\w$]*", text[pos:])
    if message.startswith("Expecting ',' delimiter"):
        if previous == '"' and char not in '"{[':
            return "inner-quote", ""
        return "missing-comma", ""
    if message.startswith("Expecting property name") and word:
        return "unquoted-name", ""
    if message == "Expecting value" and word and word.group(0) in _JS_WORDS:
        return "js-value", word.group(0)
    if message == "Extra data":
        return ("semicolon" if char == ";" else "extra-data"), ""
    return "", ""


def type_in_text(text: str) -> str:
    """The first ``"@type": "X"`` in text that may not parse ("" when absent)."""
    match = _TYPE_IN_TEXT.search(text)
    return match.group(1) if match else ""


def jsonld_type(text: str) -> str | None:
    """The @type of JSON-LD held in ``text`` ("" when untyped); None when it is not JSON-LD.

    JSON-LD here is an object (or array of objects) with ``@context`` and ``@type``
    or ``@graph``; text that does not parse counts only when it starts with ``{``
    and names both ``"@context"`` and ``"@type"``.
    """
    stripped = text.strip()
    if not stripped.startswith(("{", "[")) or '"@context"' not in stripped:
        return None
    try:
        value: Any = json.loads(stripped)
    except (ValueError, RecursionError):
        if stripped.startswith("{") and '"@type"' in stripped:
            return type_in_text(stripped)
        return None
    items = value if isinstance(value, list) else [value]
    for item in items:
        if isinstance(item, dict) and "@context" in item and ("@type" in item or "@graph" in item):
            kind = item.get("@type", "")
            return "/".join(map(str, kind)) if isinstance(kind, list) else str(kind)
    return None
