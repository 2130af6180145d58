"""Private helpers for the schema.org rules: literal values against a property's range.

- :func:`schema_name`: the short name in ``schema:InStock`` or ``https://schema.org/InStock``;
- :func:`kinds`: a name's ancestors, as a class and as an enumeration member;
- :func:`string_values`: the strings (and schema.org references) a property holds;
- :func:`accepts_any_text`: a range with Text (or a Text subtype) takes any string;
- :func:`enumeration_ranges` / :func:`members_of`: the enumerations a property
  expects and their members (subenumerations included);
- :func:`date_problem`: why a string is not an ISO 8601 date, date-time or time;
- :func:`url_problem`: why a string cannot be a URL, even a relative one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from audit.structured.nodes import Ref, Value
from audit.structured.vocabulary import SchemaProperty, Vocabulary

_SCHEMA_PREFIXES = ("https://schema.org/", "http://schema.org/", "schema:")
TEXT_LIKE = frozenset({"Text", "PronounceableText", "CssSelectorType", "XPathType"})
DATE_TYPES = frozenset({"Date", "DateTime", "Time"})

_DATE = r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?|-W(?P<w>\d{2})(?:-[1-7])?|-(?P<o>\d{3}))?"
_TIME = r"(?P<h>\d{2}):(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,]\d+)?)?"
_ZONE = r"(?:Z|[+-](?P<zh>\d{2})(?::?(?P<zm>\d{2}))?)?"
_DATE_TIME = re.compile(rf"{_DATE}(?:T{_TIME}{_ZONE})?")
_TIME_ONLY = re.compile(rf"T?{_TIME}{_ZONE}")
_SLASHED = re.compile(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})")
_SPACED = re.compile(r"(\d{4}-\d{2}-\d{2})\s+(\d{2}:\d{2}(?::\d{2})?)")
_CJK = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")


def schema_name(text: str) -> str | None:
    """``InStock`` for ``InStock``, ``schema:InStock`` or ``https://schema.org/InStock``.

    None for an IRI of another vocabulary (anything else with a colon or a slash).
    """
    text = text.strip()
    for prefix in _SCHEMA_PREFIXES:
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    return text if text and ":" not in text and "/" not in text else None


def kinds(vocabulary: Vocabulary, name: str) -> frozenset[str]:
    """``name``'s ancestors, plus those of the enumerations it is a member of.

    Some names are both a class and a member (``Dermatology`` is a MedicalBusiness
    subtype and a MedicalSpecialty value), and the vocabulary index favours the class.
    """
    found = vocabulary.ancestors(name)
    for enum in vocabulary.members.get(name, ()):
        found |= vocabulary.ancestors(enum)
    return found


def string_values(values: list[Value]) -> Iterator[str]:
    """The string values, plus the IRIs of references (``{"@id": …}``, RDFa links)."""
    for value in values:
        if isinstance(value, str):
            yield value
        elif isinstance(value, Ref) and not value.id.startswith("_:"):
            yield value.id


def accepts_any_text(found: SchemaProperty) -> bool:
    """True when the range has Text or a subtype of it other than URL."""
    return bool(found.ranges & TEXT_LIKE)


def enumeration_ranges(vocabulary: Vocabulary, found: SchemaProperty) -> frozenset[str]:
    """The enumerations a string value must name a member of (empty: no such constraint).

    Empty when the range also takes text, a data type, or a class that is not an
    enumeration (a string may then name such an entity), or when no listed
    enumeration has members (``QualitativeValue``).
    """
    enums = set()
    for name in found.ranges:
        known = vocabulary.classes.get(name)
        if known is None or not known.is_enumeration or known.is_data_type:
            return frozenset()
        if name != "Enumeration":
            enums.add(name)
    if not any(members_of(vocabulary, name) for name in enums):
        return frozenset()
    return frozenset(enums)


@lru_cache(maxsize=256)
def members_of(vocabulary: Vocabulary, enumeration: str) -> tuple[str, ...]:
    """The members of ``enumeration`` and of its subenumerations, sorted."""
    return tuple(
        sorted(
            member
            for member, enums in vocabulary.members.items()
            if any(vocabulary.is_a(enum, enumeration) for enum in enums)
        )
    )


def date_problem(text: str, ranges: frozenset[str]) -> tuple[str, str] | None:
    """``(what is wrong, the ISO form if one can be read)`` for a non-ISO value, else None."""
    value = text.strip()
    match = _DATE_TIME.fullmatch(value)
    if match is None and "Time" in ranges:
        match = _TIME_ONLY.fullmatch(value)
    if match is None:
        return "is not in ISO 8601 form", _guess(value)
    parts = match.groupdict()
    if parts.get("m"):
        year, month, day = int(parts["y"]), int(parts["m"]), int(parts["d"] or 1)
        try:
            date(year, month, day)
        except ValueError:
            return "is not a real calendar date", ""
    if parts.get("w") and not 1 <= int(parts["w"]) <= 53:
        return "has no such week", ""
    if parts.get("o") and not 1 <= int(parts["o"]) <= 366:
        return "has no such day of the year", ""
    if parts.get("h"):
        hour, minute, second = int(parts["h"]), int(parts["mi"]), int(parts["s"] or 0)
        if hour > 24 or minute > 59 or second > 60 or (hour == 24 and (minute or second)):
            return "has an impossible time of day", ""
    if parts.get("zh") and (int(parts["zh"]) > 14 or int(parts["zm"] or 0) > 59):
        return "has an impossible UTC offset", ""
    return None


def _guess(value: str) -> str:
    """The ISO date a common local form stands for, when it is unambiguous."""
    cjk = _CJK.search(value)
    if cjk:
        return _iso(int(cjk.group(1)), int(cjk.group(2)), int(cjk.group(3)))
    spaced = _SPACED.match(value)
    if spaced:
        return f"{spaced.group(1)}T{spaced.group(2)}{value[spaced.end() :].strip()}"
    slashed = _SLASHED.fullmatch(value)
    if slashed:
        first, second, year = (int(part) for part in slashed.groups())
        if first > 12 >= second:
            return _iso(year, second, first)
        if second > 12 >= first:
            return _iso(year, first, second)
    return ""


def _iso(year: int, month: int, day: int) -> str:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return ""


_FULL_WIDTH = re.compile(r"[\u3000\uff01-\uff5e]")
_BAD_SCHEME = re.compile(r"(?i)https?(?://|:/?(?!/)|;//|:\\\\)")
_FORBIDDEN = re.compile(r'[\s<>"]')
_NAME = re.compile(r"[^<>\"]*\s[^<>\"]*")


def url_problem(text: str, base: str, *, names_allowed: bool = False) -> str | None:
    """Why ``text`` cannot be a URL (relative ones resolved against ``base``), or None.

    ``names_allowed``: the range also takes an entity, so a string with spaces may be
    its name (``"gameLocation": "Rivet City"``) rather than a broken URL.
    """
    value = text.strip()
    lowered = value.lower()
    if not value:
        return "is empty"
    if _FULL_WIDTH.search(value):
        return "contains full-width characters (such as ： or ／) that URLs cannot hold"
    if lowered.startswith(("javascript:", "vbscript:")):
        return "is a script, not a link"
    if lowered.startswith("data:"):
        return "embeds data instead of pointing at a URL"
    if _FORBIDDEN.search(value) and not (names_allowed and _NAME.fullmatch(value)):
        return 'contains spaces or characters (< > ") that URLs cannot hold'
    if _BAD_SCHEME.match(value):
        return 'has a malformed scheme (it must start with "https://" or "http://")'
    if lowered.startswith("www."):
        return 'has no scheme, so it reads as a path on this site (add "https://")'
    try:
        # Absolute first: urljoin would read "https:///x" as a path under a https base.
        absolute = lowered.startswith(("https:", "http:"))
        parts = urlsplit(value if absolute else urljoin(base, value))
    except ValueError:
        return "is not a valid URL"
    if parts.scheme in ("http", "https") and not parts.hostname:
        return "has no host name"
    return None
