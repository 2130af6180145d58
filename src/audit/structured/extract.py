"""Everything structured on one page: strict JSON-LD first, then extruct per syntax.

Each extruct syntax runs in its own ``try``: RDFa parsing crashes on some real
pages, and a crash must cost that syntax only (it becomes an
``extraction-failed`` finding). extruct runs only for syntaxes the page
actually contains, since RDFa alone costs ~25 ms a page.
"""

from __future__ import annotations

import logging
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from audit.structured.jsonld import JsonLdBlock, parse_block
from audit.structured.nodes import Node, nodes_from_jsonld

if TYPE_CHECKING:
    from audit.page import Page

log = logging.getLogger(__name__)

# Elements carrying RDFa (Open Graph's meta[property] alone is read from the head instead).
_RDFA_SELECTOR = "[typeof], [vocab], [about], [resource], [prefix], *:not(meta)[property]"
_MICRODATA_SELECTOR = "[itemscope]"
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass(frozen=True, slots=True)
class ExtractionProblem:
    """A syntax whose extraction crashed on this page."""

    syntax: str
    message: str


@dataclass
class StructuredData:
    """The structured data of one page."""

    blocks: tuple[JsonLdBlock, ...] = ()
    nodes: list[Node] = field(default_factory=list)
    problems: list[ExtractionProblem] = field(default_factory=list)

    @property
    def typed_nodes(self) -> list[Node]:
        """Nodes with at least one type, in document order."""
        return [node for node in self.nodes if node.types or node.foreign_types]

    def of_type(self, *types: str) -> list[Node]:
        """Nodes having any of the given schema.org types (exact names, no inheritance)."""
        wanted = set(types)
        return [node for node in self.nodes if wanted.intersection(node.types)]

    @cached_property
    def by_id(self) -> dict[str, list[Node]]:
        """Nodes grouped by ``@id`` (several nodes may describe one id)."""
        index: dict[str, list[Node]] = defaultdict(list)
        for node in self.nodes:
            if node.id:
                index[node.id].append(node)
        return dict(index)


def extract_structured(page: Page) -> StructuredData:
    """Parse every syntax present on ``page``; never raises."""
    data = StructuredData()
    blocks = tuple(
        parse_block(script.index, script.text, page.selector(script.node))
        for script in page.jsonld_scripts
    )
    data.blocks = blocks
    for block in blocks:
        if block.data is not None:
            data.nodes.extend(nodes_from_jsonld(block.data, block=block.index))
    tree = page.tree
    wanted = [
        syntax
        for syntax, selector in (("microdata", _MICRODATA_SELECTOR), ("rdfa", _RDFA_SELECTOR))
        if tree.css_first(selector) is not None
    ]
    for syntax in wanted:
        try:
            items = _extruct(page, syntax)
        except Exception as exc:  # extruct's parsers raise anything on broken markup
            log.debug("%s extraction failed on %s", syntax, page.url, exc_info=True)
            data.problems.append(ExtractionProblem(syntax, f"{type(exc).__name__}: {exc}"[:300]))
            continue
        data.nodes.extend(nodes_from_jsonld(items, syntax=syntax))
    return data


def _extruct(page: Page, syntax: str) -> list[object]:
    import extruct  # heavy (lxml, rdflib): only for pages that carry these syntaxes

    # lxml refuses a str that starts with an encoding declaration (XHTML pages).
    html = _XML_DECLARATION.sub("", page.html, count=1)
    extracted = extruct.extract(html, base_url=page.url, syntaxes=[syntax], uniform=True)
    items = list(extracted.get(syntax, []))
    return [_itemid_as_id(item) for item in items] if syntax == "microdata" else items


def _itemid_as_id(value: Any) -> Any:
    """extruct's uniform microdata calls ``itemid`` "id"; JSON-LD calls it "@id"."""
    if isinstance(value, list):
        return [_itemid_as_id(item) for item in value]
    if not isinstance(value, dict):
        return value
    return {("@id" if key == "id" else key): _itemid_as_id(item) for key, item in value.items()}
