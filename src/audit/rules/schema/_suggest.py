"""Private helpers for the schema.org rules: "did you mean" suggestions for unknown terms.

Three sources, best first: the same name in another case (``medicalclinic``); the
real terms a made-up compound is built from (``PatientAudience`` → ``Patient``, a
subtype of ``MedicalAudience``; ``telephoneNumber`` → ``telephone``); and the
closest spellings (difflib) among the release's names.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from functools import lru_cache

from audit.structured.vocabulary import Vocabulary

_WORDS = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
_LIMIT = 3


def closest_types(vocabulary: Vocabulary, name: str) -> list[str]:
    """Up to three real types for the unknown type ``name``."""
    names = _type_names(vocabulary)
    found = list(_same_but_case(name, names))
    if found:
        return found[:_LIMIT]
    words = _WORDS.findall(name)
    for cut in range(len(words) - 1, 0, -1):
        head, tail = "".join(words[:cut]), "".join(words[cut:])
        known = vocabulary.classes.get(head)
        if known is None:
            continue
        found.append(head)
        # PatientAudience: Patient is itself an Audience, via its parent MedicalAudience.
        found.extend(parent for parent in known.parents if parent.endswith(tail))
        found.extend(sorted(kind for kind in known.ancestors if kind == tail))
    found.extend(difflib.get_close_matches(name, names, n=_LIMIT, cutoff=0.75))
    return _unique(found)


def closest_properties(vocabulary: Vocabulary, name: str) -> list[str]:
    """Up to three real properties for the unknown property ``name``."""
    names = _property_names(vocabulary)
    found = list(_same_but_case(name, names))
    if found:
        return found[:_LIMIT]
    words = _WORDS.findall(name)
    found.extend(
        head
        for cut in range(len(words) - 1, 0, -1)
        if (head := "".join(words[:cut])) in vocabulary.properties
    )
    found.extend(difflib.get_close_matches(name, names, n=_LIMIT, cutoff=0.75))
    return _unique(found)


def or_list(names: Iterable[str]) -> str:
    """``"a"``, ``"a" or "b"``, ``"a", "b" or "c"``."""
    quoted = [f'"{name}"' for name in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " or " + quoted[-1]


def _same_but_case(name: str, names: tuple[str, ...]) -> list[str]:
    wanted = name.casefold().replace(" ", "").replace("_", "").replace("-", "")
    return [candidate for candidate in names if candidate.casefold() == wanted]


def _unique(names: list[str]) -> list[str]:
    return list(dict.fromkeys(names))[:_LIMIT]


@lru_cache(maxsize=4)
def _type_names(vocabulary: Vocabulary) -> tuple[str, ...]:
    return tuple(sorted({*vocabulary.classes, *vocabulary.members}))


@lru_cache(maxsize=4)
def _property_names(vocabulary: Vocabulary) -> tuple[str, ...]:
    return tuple(sorted(vocabulary.properties))
