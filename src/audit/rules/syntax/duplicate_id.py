"""One `@id` describes conflicting things: unrelated types or different values.

## What it does
Groups the page's structured-data nodes by `@id` (JSON-LD, microdata `itemid`,
RDFa `about`/`resource`) and reports an id whose descriptions disagree: types
that are not in a parent-child relation in schema.org (`Person` and
`Organization`, but not `Organization` and `MedicalClinic`), or the same
property with a different single text value (two different `name`s). A node
that only points at the id (`{"@id": "…"}`) or only adds properties is fine:
that is how `@graph` markup links its entities. Blank-node ids (`_:b0`) are
compared within their own block only.

## Why is this bad?
An `@id` is the identity of one thing. When two descriptions of it disagree,
consumers merge them into one contradictory entity or drop one of them: the
clinic may end up with the doctor's name, or with two names and no clear one.
It usually comes from a copied id or a plugin and a template describing the
same entity differently.

## Example
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalWebPage",
 "publisher": {"@type": "MedicalClinic", "@id": "https://clinic.example/#org",
               "name": "Harbor Light Clinic"}}
</script>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "Person",
 "@id": "https://clinic.example/#org", "name": "Dr. Mei Lin"}
</script>
```

Use instead:
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "MedicalWebPage", "publisher": {"@id": "https://clinic.example/#org"},
   "author": {"@id": "https://clinic.example/#dr-lin"}},
  {"@type": "MedicalClinic", "@id": "https://clinic.example/#org", "name": "Harbor Light Clinic"},
  {"@type": "Person", "@id": "https://clinic.example/#dr-lin", "name": "Dr. Mei Lin"}
]}
</script>
```

## Options
- `ignored_properties` (list of property names, default `sameAs`, `image`,
  `alternateName`, `keywords`): properties whose values may legitimately differ
  between two descriptions of one id; they are never compared.

## References
- [JSON-LD 1.1: Node identifiers](https://www.w3.org/TR/json-ld11/#node-identifiers)
- [Google: Structured data general guidelines](https://developers.google.com/search/docs/appearance/structured-data/sd-policies)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import RuleMeta
from audit.structured.nodes import Node, Ref
from audit.structured.vocabulary import Vocabulary, active_vocabulary

META = RuleMeta(
    code="D006", name="duplicate-id", category="structured-data", severity=Severity.WARNING
)


@dataclass(frozen=True)
class Options:
    """Settings of duplicate-id."""

    ignored_properties: tuple[str, ...] = ("sameAs", "image", "alternateName", "keywords")


_NOT_WORD = re.compile(r"[\W_]+")
_MAX_NODES = 20  # descriptions compared per id (pairs of types are compared)
_MAX_PARTS = 4
FIX = (
    "Give different things different @id values, and make every description of one @id "
    "agree (same kind of type, same name and values). To mention an entity described "
    'elsewhere, write only {"@id": "…"}.'
)


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per @id whose descriptions conflict."""
    vocab = active_vocabulary()
    ignored = frozenset(opts.ignored_properties)
    by_id: dict[str, list[Node]] = {}
    # StructuredData.by_id cannot cache on a slots dataclass (TypeError): group here.
    for node in page.structured.nodes:
        node_id = _node_id(node)
        if node_id:
            by_id.setdefault(node_id, []).append(node)
    for node_id, nodes in by_id.items():
        if len(nodes) < 2:
            continue
        for group in _scoped(node_id, nodes):
            parts, culprit = _conflicts(group[:_MAX_NODES], vocab, ignored, page.url)
            if culprit is None:
                continue
            more = len(parts) - _MAX_PARTS
            listed = "; ".join(parts[:_MAX_PARTS]) + (f"; and {more} more" if more > 0 else "")
            yield META.finding(
                page,
                f'@id "{node_id}" describes conflicting nodes: {listed}.',
                evidence=node_id,
                selector=culprit.location,
                fix=FIX,
            )


def _node_id(node: Node) -> str | None:
    """The node's @id; for microdata, extruct's uniform output keeps ``itemid`` as ``id``."""
    if node.id or node.syntax != "microdata":
        return node.id
    return node.first_text("id")


def _scoped(node_id: str, nodes: list[Node]) -> list[list[Node]]:
    """Blank-node ids are local to one JSON-LD document: split them per syntax and block."""
    if not node_id.startswith("_:"):
        return [nodes]
    groups: dict[tuple[str, int | None], list[Node]] = {}
    for node in nodes:
        groups.setdefault((node.syntax, node.block), []).append(node)
    return [group for group in groups.values() if len(group) > 1]


def _conflicts(
    nodes: list[Node], vocab: Vocabulary, ignored: frozenset[str], base: str
) -> tuple[list[str], Node | None]:
    """Descriptions of the conflicts, and the first node that contradicts an earlier one."""
    parts: list[str] = []
    culprit: Node | None = None
    typed = [node for node in nodes if node.types]
    for index, later in enumerate(typed):
        if any(not _related(earlier.types, later.types, vocab) for earlier in typed[:index]):
            culprit = culprit or later
    if culprit is not None:
        variants = {node.label: node.location for node in typed}
        parts.append("types " + " vs ".join(f"{kind} ({at})" for kind, at in variants.items()))
    seen: dict[str, None] = {}
    for node in nodes:
        seen.update(dict.fromkeys(node.properties))
    for prop in seen:
        if prop in ignored or prop == "id":  # "id": microdata's itemid (see _node_id)
            continue
        distinct: dict[str, tuple[str, Node]] = {}
        for node in nodes:
            values = node.values(prop)
            if len(values) == 1 and not isinstance(values[0], Node | Ref) and values[0] is not None:
                distinct.setdefault(_normal(values[0], base), (str(values[0]), node))
        if len(distinct) > 1:
            culprit = culprit or list(distinct.values())[1][1]
            shown = " vs ".join(
                f'"{value[:60]}" ({node.location})' for value, node in distinct.values()
            )
            parts.append(f"{prop} {shown}")
    return parts, culprit


def _related(first: tuple[str, ...], second: tuple[str, ...], vocab: Vocabulary) -> bool:
    return any(vocab.is_a(a, b) or vocab.is_a(b, a) for a in first for b in second)


def _normal(value: str | int | float | bool, base: str) -> str:
    """A comparison key: numbers by value, URLs resolved, text NFKC-folded without
    spaces or punctuation (full-width forms and CJK punctuation included)."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return repr(float(value))
    text = " ".join(unicodedata.normalize("NFKC", value).casefold().split())
    if text.startswith(("http://", "https://", "/", "#")):
        try:
            return urljoin(base, text).partition("//")[2].rstrip("/")
        except ValueError:
            return text
    # Spacing and punctuation differ between templates ("+886-2-…" and "+886 2 …").
    return _NOT_WORD.sub("", text) or text
