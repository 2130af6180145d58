"""Site rules about statuses and the link graph: errors, broken links, redirects, orphans, depth."""

from __future__ import annotations

from audit.rules.links import (
    body_truncated,
    broken_link,
    crawl_trap,
    depth_too_deep,
    fetch_failed,
    fetch_timeout,
    http_error,
    orphan_page,
    redirect_chain,
    redirect_loop,
    redirected_link,
    robots_blocked_linked,
    sitemap_invalid_url,
)

MODULES = (
    http_error,
    fetch_failed,
    fetch_timeout,
    body_truncated,
    broken_link,
    redirect_chain,
    redirect_loop,
    redirected_link,
    orphan_page,
    sitemap_invalid_url,
    robots_blocked_linked,
    depth_too_deep,
    crawl_trap,
)
