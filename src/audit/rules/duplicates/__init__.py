"""Site rules that compare pages: duplicates, canonicals, hreflang return links, entities."""

from __future__ import annotations

MODULES = ()
