"""Content rules: headings, images, links, social cards and mixed content."""

from __future__ import annotations

from audit.rules.content import (
    h1_missing,
    h1_multiple,
    heading_empty,
    heading_order,
    image_alt_missing,
    link_text_generic,
    link_text_missing,
    mixed_content,
    og_incomplete,
    twitter_card_missing,
)

MODULES = (
    h1_missing,
    h1_multiple,
    heading_order,
    heading_empty,
    og_incomplete,
    image_alt_missing,
    link_text_generic,
    link_text_missing,
    mixed_content,
    twitter_card_missing,
)
