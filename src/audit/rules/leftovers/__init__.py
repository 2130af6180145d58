"""Leftover-markup rules: what a template, a build step or an editor left visible on the page."""

from __future__ import annotations

from audit.rules.leftovers import (
    empty_section,
    jsonld_commented_out,
    jsonld_in_visible_text,
    placeholder_text,
    stray_comment_marker,
    template_leak,
    toc_without_links,
)

MODULES = (
    placeholder_text,
    template_leak,
    stray_comment_marker,
    jsonld_in_visible_text,
    jsonld_commented_out,
    empty_section,
    toc_without_links,
)
