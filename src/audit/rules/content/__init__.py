"""Content rules: headings, images, links, social cards and mixed content."""

from __future__ import annotations

MODULES = ()
