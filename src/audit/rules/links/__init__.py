"""Site rules about statuses and the link graph: errors, broken links, redirects, orphans, depth."""

from __future__ import annotations

MODULES = ()
