"""Structured data: strict JSON-LD parsing, extruct for the other syntaxes, one node list.

``extract_structured(page)`` is what the page model exposes as ``page.structured``:

- ``blocks``: every ld+json script, strictly parsed (errors with line and column);
- ``nodes``: every typed entity from JSON-LD, microdata and RDFa, flattened
  (``@graph``, top-level arrays, nested objects) with schema.org terms reduced
  to short names and terms of other vocabularies kept apart;
- ``problems``: syntaxes whose extraction crashed.
"""

from __future__ import annotations

from audit.structured.extract import StructuredData, extract_structured
from audit.structured.jsonld import JsonError, JsonLdBlock
from audit.structured.nodes import Node

__all__ = ["JsonError", "JsonLdBlock", "Node", "StructuredData", "extract_structured"]
