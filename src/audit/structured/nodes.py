"""JSON-LD (and extruct's uniform output) → a flat list of :class:`Node`.

Every object that describes an entity becomes a node: top-level objects, each
item of ``@graph`` and of top-level arrays, and every nested object (its parent
and the property it hangs from are kept). Terms are resolved against the
context: ``@vocab``, prefixes (``schema:``), full IRIs and term definitions.
schema.org terms, under ``http://`` or ``https://``, are reduced to short names
(``MedicalClinic``, ``address``); terms of other vocabularies are kept in
``foreign_types`` / ``foreign`` and never judged against schema.org.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Union

SCHEMA_IRIS = ("https://schema.org/", "http://schema.org/")
_SCHEMA_ALIASES = {"type": "@type", "id": "@id"}
_SCHEMA_CONTEXTS = frozenset(
    iri.rstrip("/") + suffix
    for iri in SCHEMA_IRIS
    for suffix in ("", "/", "/docs/jsonldcontext.json", "/docs/jsonldcontext.jsonld")
)


@dataclass(frozen=True, slots=True)
class Ref:
    """An ``{"@id": …}`` object that only points at another node."""

    id: str


Value = Union["Node", Ref, str, int, float, bool, None]


@dataclass(eq=False, slots=True)
class Node:
    """One entity. ``types`` and ``properties`` hold schema.org terms by short name."""

    syntax: str
    path: str
    types: tuple[str, ...] = ()
    foreign_types: tuple[str, ...] = ()
    id: str | None = None
    properties: dict[str, list[Value]] = field(default_factory=dict)
    foreign: dict[str, list[Value]] = field(default_factory=dict)
    block: int | None = None
    parent: Node | None = None
    via: str | None = None
    has_schema_context: bool = False

    @property
    def label(self) -> str:
        """The types for messages, e.g. ``MedicalClinic`` or ``Person/Patient``."""
        return "/".join(self.types or self.foreign_types) or "untyped node"

    def values(self, prop: str) -> list[Value]:
        """Every value of a schema.org property (empty when absent)."""
        return self.properties.get(prop, [])

    def texts(self, prop: str) -> list[str]:
        """The string values of a property (nested nodes and references left out)."""
        return [value for value in self.values(prop) if isinstance(value, str)]

    def first_text(self, prop: str) -> str | None:
        """The first string value of a property, or None."""
        texts = self.texts(prop)
        return texts[0] if texts else None

    @property
    def location(self) -> str:
        """Where the node is, for messages and selectors: ``json-ld #2 $.publisher``."""
        block = f" #{self.block}" if self.block is not None else ""
        return f"{self.syntax}{block} {self.path}"

    def children(self) -> Iterator[tuple[str, Node]]:
        """``(property, node)`` for every nested node."""
        for prop, values in self.properties.items():
            for value in values:
                if isinstance(value, Node):
                    yield prop, value


@dataclass(frozen=True, slots=True)
class _Context:
    vocab: str | None = None
    prefixes: Mapping[str, str] = field(default_factory=dict)
    terms: Mapping[str, str] = field(default_factory=dict)

    @property
    def is_schema(self) -> bool:
        return self.vocab in SCHEMA_IRIS


def nodes_from_jsonld(
    data: Any, *, syntax: str = "json-ld", block: int | None = None
) -> list[Node]:
    """Flatten one parsed JSON-LD document (or extruct item list) into nodes, in document order."""
    nodes: list[Node] = []
    _walk(data, _Context(), "$", None, None, syntax, block, nodes)
    return nodes


def _walk(
    data: Any,
    context: _Context,
    path: str,
    parent: Node | None,
    via: str | None,
    syntax: str,
    block: int | None,
    out: list[Node],
) -> Value:
    if isinstance(data, list):
        for index, item in enumerate(data):
            _walk(item, context, f"{path}[{index}]", parent, via, syntax, block, out)
        return None
    if not isinstance(data, dict):
        return data
    if "@context" in data:
        context = _merge_context(context, data["@context"])
    if context.is_schema and ("type" in data or "id" in data):
        # schema.org's own context aliases "type" and "id" to the keywords.
        # An explicit keyword wins over its alias ({"@type": "A", "type": "B"} is type A).
        data = {
            _SCHEMA_ALIASES.get(key, key)
            if _SCHEMA_ALIASES.get(key, key) not in data
            else key: value
            for key, value in data.items()
        }
    if "@value" in data:
        return data["@value"] if isinstance(data["@value"], str | int | float | bool) else None
    graph = data.get("@graph")
    if graph is not None and not (set(data) - {"@context", "@graph", "@id"}):
        # A bare @graph container: its items are top-level nodes.
        _walk(graph, context, f"{path}.@graph", parent, via, syntax, block, out)
        return None
    if set(data) == {"@id"} and isinstance(data["@id"], str):
        return Ref(data["@id"])
    node = Node(syntax=syntax, path=path, block=block, parent=parent, via=via)
    node.has_schema_context = context.is_schema
    node_id = data.get("@id")
    node.id = node_id if isinstance(node_id, str) else None
    raw_types = data.get("@type", [])
    for raw_type in raw_types if isinstance(raw_types, list) else [raw_types]:
        if isinstance(raw_type, str):
            schema_name = schema_term(raw_type, context)
            if schema_name is not None:
                node.types += (schema_name,)
            else:
                node.foreign_types += (raw_type,)
    out.append(node)
    for key, value in data.items():
        if key.startswith("@"):
            if key == "@graph":
                _walk(value, context, f"{path}.@graph", parent, via, syntax, block, out)
            continue
        name = schema_term(key, context)
        target = node.properties if name is not None else node.foreign
        prop = name if name is not None else key
        items = value if isinstance(value, list) else [value]
        collected = target.setdefault(prop, [])
        for index, item in enumerate(items):
            if isinstance(item, dict) and ("@list" in item or "@set" in item):
                inner = item.get("@list", item.get("@set"))
                item = inner if isinstance(inner, list) else [inner]
            sub = f"{path}.{key}" + (f"[{index}]" if len(items) > 1 else "")
            if isinstance(item, list):
                for nested in item:
                    collected.append(_walk(nested, context, sub, node, prop, syntax, block, out))
            else:
                collected.append(_walk(item, context, sub, node, prop, syntax, block, out))
    return node


def schema_term(term: str, context: _Context) -> str | None:
    """The schema.org short name of a term or type in ``context``; None for other vocabularies."""
    iri = _expand(term, context)
    for base in SCHEMA_IRIS:
        if iri.startswith(base):
            return iri[len(base) :] or None
        # RDFa with vocab="https://schema.org" (no slash) glues the term on: "…schema.orgPerson".
        glued = base.rstrip("/")
        if iri.startswith(glued) and iri[len(glued) : len(glued) + 1].isalpha():
            return iri[len(glued) :]
    return None


def _expand(term: str, context: _Context) -> str:
    if term in context.terms:
        return context.terms[term]
    if ":" in term:
        prefix, _, suffix = term.partition(":")
        if prefix in context.prefixes and not suffix.startswith("//"):
            return context.prefixes[prefix] + suffix
        return term
    if context.vocab:
        return context.vocab + term
    return term


def _merge_context(parent: _Context, raw: Any) -> _Context:
    vocab, prefixes, terms = parent.vocab, dict(parent.prefixes), dict(parent.terms)
    for item in raw if isinstance(raw, list) else [raw]:
        if isinstance(item, str):
            if item.rstrip("/") + "/" in SCHEMA_IRIS or item in _SCHEMA_CONTEXTS:
                vocab = _schema_base(item)
                # schema.org's context also defines the "schema:" prefix.
                prefixes.setdefault("schema", vocab)
        elif isinstance(item, dict):
            declared = item.get("@vocab")
            if isinstance(declared, str):
                vocab = _schema_base(declared) if _is_schema(declared) else declared
            for name, value in item.items():
                if name.startswith("@"):
                    continue
                iri = value.get("@id") if isinstance(value, dict) else value
                if not isinstance(iri, str):
                    continue
                if iri.endswith(("/", "#")):
                    prefixes[name] = _schema_base(iri) if _is_schema(iri) else iri
                else:
                    terms[name] = _expand(iri, _Context(vocab, prefixes, terms))
    return _Context(vocab, prefixes, terms)


def _is_schema(iri: str) -> bool:
    return iri.rstrip("/") + "/" in SCHEMA_IRIS


def _schema_base(iri: str) -> str:
    return "http://schema.org/" if iri.startswith("http:") else "https://schema.org/"
