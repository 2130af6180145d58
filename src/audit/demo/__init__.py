"""The bundled demo clinic site, served on loopback by ``audit demo``.

The site (``site/``) is written in our own words and reproduces, page by page,
the defects seen on real clinic pages; ``site/README.md`` is its answer key.
"""

from __future__ import annotations

from pathlib import Path

from audit.demo.server import serve_site

DEMO_SITE = Path(__file__).parent / "site"

__all__ = ["DEMO_SITE", "serve_site"]
