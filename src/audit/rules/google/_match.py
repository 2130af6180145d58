"""Which nodes of a page Google would judge for which feature, and what they miss.

A node is a rich-result *candidate* when Google evaluates it as an item of its
own: a top-level node (a top-level object, an item of ``@graph`` or of a
top-level array, a top-level microdata or RDFa item), or a node that a
candidate presents as its subject through ``mainEntity`` or ``breadcrumb``
(``WebPage.mainEntity`` → Product, ``WebPage.breadcrumb`` → BreadcrumbList).
A node nested under any other property is a *part* of the item it hangs from
and is judged only as such: an Article's ``publisher`` typed MedicalClinic is
the Article's publisher, not a local-business listing, so it is not asked for
an ``address``. Features with ``nested_via`` (Review, AggregateRating) are also
judged where a candidate carries them through those properties, without their
standalone requirements.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from audit.rules.google._features import Feature, Path, Step, load_features
from audit.structured.extract import StructuredData
from audit.structured.nodes import Node, Ref, Value
from audit.structured.vocabulary import Vocabulary, active_vocabulary

SUBJECT_PROPERTIES = ("mainEntity", "breadcrumb")  # a tuple: findings come in a stable order


@dataclass(frozen=True, slots=True)
class Candidate:
    """A node Google judges for ``feature``; ``standalone`` is False for nested reviews/ratings."""

    node: Node
    feature: Feature
    standalone: bool = True


@dataclass(frozen=True, slots=True)
class Miss:
    """A requirement not met: ``what`` is missing on ``node`` (the candidate or a nested node)."""

    node: Node
    what: str


class PageGraph:
    """The page's nodes with ``@id`` references followed and same-``@id`` nodes merged."""

    def __init__(self, structured: StructuredData, vocabulary: Vocabulary | None = None) -> None:
        self.structured = structured
        # StructuredData.by_id is a cached_property on a slots dataclass and raises
        # TypeError, so the index is built here (one pass over the nodes).
        self.by_id: dict[str, list[Node]] = {}
        for node in structured.nodes:
            if node.id:
                self.by_id.setdefault(node.id, []).append(node)
        self.vocabulary = vocabulary or active_vocabulary()

    def values(self, node: Node, prop: str) -> list[Value]:
        """Present values of ``prop`` on the entity, references replaced by their node.

        An entity described in several places counts once (its first node; the
        others are merged into it whenever its own properties are read).
        """
        found: list[Value] = []
        entities: set[object] = set()
        for same in self.by_id.get(node.id, [node]) if node.id else [node]:
            for value in same.values(prop):
                if isinstance(value, Ref) and value.id in self.by_id:
                    value = self.by_id[value.id][0]
                if isinstance(value, Node):
                    entity = value.id or id(value)
                    if entity in entities:
                        continue
                    entities.add(entity)
                if _present(value):
                    found.append(value)
        return found

    def is_a(self, node: Node, types: tuple[str, ...]) -> bool:
        """True when any of the node's types is one of ``types`` or their subtypes."""
        wanted = set(types)
        return any(wanted & self.vocabulary.ancestors(kind) for kind in node.types)

    def step(self, node: Node, step: Step) -> list[Value]:
        """The values one step reaches from ``node``."""
        values = self.values(node, step.prop)
        if step.type_filter:
            kind = (step.type_filter,)
            values = [
                value for value in values if isinstance(value, Node) and self.is_a(value, kind)
            ]
        if step.all_but_last and values:
            values = _ordered(values)[:-1]
        return values

    def misses(self, node: Node, path: Path, *, strict: bool = False) -> list[Miss]:
        """What ``path`` lacks from ``node`` (empty when satisfied).

        Not strict, a chain whose first hops are absent or plain text is not
        judged (its prefix is a requirement of its own); strict, as inside an
        ``a|b`` choice, the whole chain must be present.
        """
        if len(path.alternatives) == 1:
            return self._chain(node, path.alternatives[0], strict)
        if any(not self._chain(node, chain, True) for chain in path.alternatives):
            return []
        return [Miss(node, "one of " + ", ".join(path.choices()))]

    def _chain(self, node: Node, chain: tuple[Step | Path, ...], strict: bool) -> list[Miss]:
        head, rest = chain[0], chain[1:]
        if isinstance(head, Path):
            return self.misses(node, head, strict=strict)
        values = self.step(node, head)
        nested = [value for value in values if isinstance(value, Node)]
        if not rest:
            return [] if values else [Miss(node, head.text)]
        if strict and (not values or len(nested) < len(values)):
            return [Miss(node, Path("", (chain,)).choices()[0])]
        found: list[Miss] = []
        for value in nested:
            found.extend(self._chain(value, rest, strict))
        return found


def candidates(graph: PageGraph, *, live: bool) -> Iterator[Candidate]:
    """Every (node, feature) pair Google would judge on the page, for live or retired features."""
    features = [feature for feature in load_features() if feature.live == live]
    seen: set[tuple[object, str]] = set()
    for node in _subjects(graph):
        for feature in features:
            if _matches(graph, node, feature) and _first(seen, node, feature):
                yield Candidate(node, feature)
        for feature in features:
            for prop in feature.nested_via:
                for value in graph.values(node, prop):
                    if (
                        isinstance(value, Node)
                        and _matches(graph, value, feature)
                        and _first(seen, value, feature)
                    ):
                        yield Candidate(value, feature, standalone=False)


def _subjects(graph: PageGraph) -> Iterator[Node]:
    """Top-level nodes, then what they present through ``mainEntity`` / ``breadcrumb``.

    RDFa comes out of extruct flattened, every resource at the top level with
    references between them: there, a node another node refers to (other than
    as its subject) is nested, as it would be in JSON-LD or microdata.
    """
    nodes = graph.structured.nodes
    parts = {
        value.id
        for node in nodes
        if node.syntax == "rdfa"
        for table in (node.properties, node.foreign)
        for prop, values in table.items()
        if prop not in SUBJECT_PROPERTIES
        for value in values
        if isinstance(value, Ref)
    }
    stack = [n for n in nodes if n.parent is None and not (n.syntax == "rdfa" and n.id in parts)]
    stack.reverse()
    done: set[int] = set()
    while stack:
        node = stack.pop()
        if id(node) in done:
            continue
        done.add(id(node))
        yield node
        subjects = [
            value
            for prop in SUBJECT_PROPERTIES
            for value in graph.values(node, prop)
            if isinstance(value, Node)
        ]
        stack.extend(reversed(subjects))


def _matches(graph: PageGraph, node: Node, feature: Feature) -> bool:
    if not graph.is_a(node, feature.types) or graph.is_a(node, feature.except_types):
        return False
    return feature.when is None or not graph.misses(node, feature.when, strict=True)


def _first(seen: set[tuple[object, str]], node: Node, feature: Feature) -> bool:
    # Nodes sharing an @id are one entity: judge it once per feature.
    key: tuple[object, str] = (node.id or id(node), feature.feature)
    if key in seen:
        return False
    seen.add(key)
    return True


def _present(value: Value) -> bool:
    if value is None:
        return False
    return bool(value.strip()) if isinstance(value, str) else True


def _ordered(values: list[Value]) -> list[Value]:
    """Values in ``position`` order when every one is a node with a numeric position."""
    positions: list[float] = []
    for value in values:
        raw = value.values("position") if isinstance(value, Node) else []
        if not raw or isinstance(raw[0], bool) or not isinstance(raw[0], str | int | float):
            return values
        try:
            positions.append(float(raw[0]))
        except ValueError:
            return values
    order = sorted(range(len(values)), key=positions.__getitem__)
    return [values[index] for index in order]
