"""Private helpers for the schema.org rules: which nodes and terms are judged, and how.

Not a rule (no META, no check()). What the rules share:

- :func:`schema_nodes`: the nodes carrying schema.org terms, with facts about the
  page computed once (the JSON-LD blocks whose context is open, who points at a node);
  microdata items typed only in another vocabulary are left out;
- :func:`types_of` / :func:`properties_of`: the node's terms without extraction
  artefacts (the ``type``/``id`` aliases of schema.org's context, extruct's microdata
  ``value``, HTML ``rel`` link types read as RDFa terms);
- :func:`strict`: unknown terms are errors only where schema.org is the context
  (JSON-LD with a schema.org ``@vocab``, microdata, RDFa); elsewhere warnings;
- :func:`open_context`: a JSON-LD block that also names a remote context of another
  vocabulary (``https://www.w3.org/ns/credentials/v2``) may define any term there, so
  its unknown terms cannot be judged;
- the Role pattern (:func:`is_role`, :func:`role_properties`).
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from audit.page import Page
from audit.rules.schema._values import schema_name
from audit.structured.nodes import Node, Ref, Value
from audit.structured.vocabulary import Vocabulary, active_vocabulary

ALIASES = frozenset({"type", "id"})
_SCHEMA_CONTEXT = re.compile(r"https?://schema\.org(/|/docs/jsonldcontext\.jsonld?)?")
_LOCAL_NAME = re.compile(r"^.*[:/#]")
_LANGUAGE_TAG = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})*")


@dataclass(slots=True)
class PageFacts:
    """What the schema rules need to know about a page beyond single nodes."""

    open_blocks: frozenset[int] = frozenset()
    referrers: dict[str, set[str]] = field(default_factory=dict)
    """``@id`` → the properties that point at it (RDFa flattens Role nodes)."""
    rdfa_properties: frozenset[str] = frozenset()
    """Local names written in RDFa ``property`` attributes (``rel`` values are not claims)."""


_FACTS: weakref.WeakKeyDictionary[Page, PageFacts] = weakref.WeakKeyDictionary()


def page_facts(page: Page) -> PageFacts:
    """The facts of ``page``, computed on first use and kept while the page lives."""
    found = _FACTS.get(page)
    if found is None:
        found = _FACTS[page] = _compute(page)
    return found


def _compute(page: Page) -> PageFacts:
    data = page.structured
    open_blocks = {
        block.index for block in data.blocks if block.data is not None and _opens(block.data)
    }
    referrers: dict[str, set[str]] = {}
    rdfa = any(node.syntax == "rdfa" for node in data.nodes)
    for node in data.nodes:
        for prop, values in node.properties.items():
            for value in values:
                if isinstance(value, Ref):
                    referrers.setdefault(value.id, set()).add(prop)
    rdfa_properties = frozenset(
        _LOCAL_NAME.sub("", token)
        for element in (page.tree.css("[property]") if rdfa else ())
        for token in (element.attributes.get("property") or "").split()
    )
    return PageFacts(frozenset(open_blocks), referrers, rdfa_properties)


def _opens(data: Any, depth: int = 0) -> bool:
    """Whether a ``@context`` in ``data`` names a remote non-schema.org context."""
    if depth > 64:
        return False
    if isinstance(data, list):
        return any(_opens(item, depth + 1) for item in data)
    if not isinstance(data, dict):
        return False
    context = data.get("@context")
    for item in context if isinstance(context, list) else [context]:
        if isinstance(item, str) and not _SCHEMA_CONTEXT.fullmatch(item.strip()):
            return True
    return any(_opens(value, depth + 1) for key, value in data.items() if key != "@context")


def schema_nodes(page: Page) -> Iterator[tuple[Vocabulary, PageFacts, Node]]:
    """Every node with schema.org types or properties, with the vocabulary and page facts."""
    nodes = page.structured.nodes
    if not nodes:
        return
    vocabulary = active_vocabulary()
    facts = page_facts(page)
    for node in nodes:
        if (node.types or node.properties) and _vocabulary_is_schema(node):
            yield vocabulary, facts, node


def _vocabulary_is_schema(node: Node) -> bool:
    """False for a microdata item whose property names belong to another vocabulary.

    Microdata property names are scoped by the item's type, but extruct labels every
    item with a schema.org context: an item typed only in another vocabulary (or a
    top-level item with no type at all) does not use schema.org's properties.
    """
    if node.syntax != "microdata" or node.types:
        return True
    if node.foreign_types:
        return False
    return node.parent is not None and bool(node.parent.types)


def types_of(node: Node) -> tuple[str, ...]:
    """The node's schema.org types, reading the ``type`` alias of schema.org's context."""
    if node.types or not node.has_schema_context:
        return node.types
    return tuple(
        name
        for value in node.properties.get("type", ())
        if isinstance(value, str) and (name := schema_name(value))
    )


def properties_of(node: Node, facts: PageFacts) -> Iterator[tuple[str, list[Value]]]:
    """``(property, values)`` for the node's schema.org properties, artefacts left out.

    Left out: the ``type``/``id`` aliases; the ``value`` that extruct gives a
    microdata item without properties (the element's text, not an ``itemprop``); and
    in RDFa, names that appear in no ``property`` attribute: under a schema.org
    ``vocab``, ``<a rel="nofollow">`` or ``<link rel="stylesheet">`` turn into
    schema.org terms, though they are HTML link types, not claims about the page.
    """
    if node.syntax == "microdata" and set(node.properties) == {"value"}:
        return
    rdfa = node.syntax == "rdfa"
    for prop, values in node.properties.items():
        if prop in ALIASES and node.has_schema_context:
            continue
        if rdfa and prop not in facts.rdfa_properties:
            continue
        yield prop, values


def strict(node: Node) -> bool:
    """True when schema.org is the node's context, so unknown terms are errors."""
    return node.has_schema_context or node.syntax != "json-ld"


def open_context(facts: PageFacts, node: Node) -> bool:
    """True when another vocabulary's remote context may define the node's terms."""
    return node.syntax == "json-ld" and node.block in facts.open_blocks


def language_map(node: Node) -> bool:
    """True for an untyped object keyed by language tags (a JSON-LD language map)."""
    return (
        not node.types
        and not node.foreign_types
        and bool(node.properties)
        and all(
            _LANGUAGE_TAG.fullmatch(key) and all(isinstance(value, str) for value in values)
            for key, values in node.properties.items()
        )
    )


def is_role(vocabulary: Vocabulary, types: tuple[str, ...]) -> bool:
    """True when any type is Role or a subtype (OrganizationRole, PerformanceRole, …)."""
    return any(vocabulary.is_a(kind, "Role") for kind in types)


def role_properties(facts: PageFacts, node: Node) -> set[str]:
    """The properties a Role node hangs from (it may repeat them: ``member`` in ``member``)."""
    if node.via:
        return {node.via}
    return facts.referrers.get(node.id, set()) if node.id else set()
