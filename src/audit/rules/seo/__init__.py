"""On-page SEO rules: title, description, headings, canonical, indexing, language, images, links."""

from __future__ import annotations

from audit.rules.seo import title_missing

MODULES = (title_missing,)
