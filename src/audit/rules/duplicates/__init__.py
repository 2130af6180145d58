"""Site rules that compare pages: duplicates, canonicals, hreflang return links, entities."""

from __future__ import annotations

from audit.rules.duplicates import (
    canonical_chain,
    canonical_target_error,
    content_duplicate,
    content_near_duplicate,
    entity_inconsistent,
    h1_duplicate,
    hreflang_no_return,
    meta_description_duplicate,
    title_duplicate,
)

MODULES = (
    title_duplicate,
    meta_description_duplicate,
    h1_duplicate,
    content_duplicate,
    content_near_duplicate,
    canonical_target_error,
    canonical_chain,
    hreflang_no_return,
    entity_inconsistent,
)
