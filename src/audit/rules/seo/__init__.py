"""On-page SEO rules: title, description, headings, canonical, indexing, language, images, links."""

from __future__ import annotations

from audit.rules.seo import (
    canonical_invalid,
    canonical_missing,
    charset_missing,
    hreflang_invalid,
    lang_missing,
    meta_description_length,
    meta_description_missing,
    meta_description_multiple,
    noindex,
    title_length,
    title_missing,
    title_multiple,
    viewport_missing,
)

MODULES = (
    title_missing,
    title_length,
    title_multiple,
    meta_description_missing,
    meta_description_length,
    meta_description_multiple,
    canonical_missing,
    canonical_invalid,
    noindex,
    hreflang_invalid,
    lang_missing,
    viewport_missing,
    charset_missing,
)
