"""Shared helpers of the SEO rules: checks of the URLs in canonical and hreflang links.

Private (leading underscore): not a rule module, never registered.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from audit.crawl.urls import normalize_url

WEB_SCHEMES = frozenset({"http", "https"})
_WHITESPACE = re.compile(r"\s")


@dataclass(frozen=True, slots=True)
class Href:
    """A link target as written and what it resolves to.

    ``problem`` says why it is malformed (then ``url`` is None); ``relative`` is
    True for a path or a protocol-relative ``//host/path`` URL.
    """

    raw: str
    problem: str | None
    relative: bool
    url: str | None


def read_href(raw: str, base: str) -> Href:
    """Check one ``href`` (already stripped) and resolve it against ``base``."""
    problem = malformed(raw)
    if problem is not None:
        return Href(raw, problem, relative=False, url=None)
    relative = not urlsplit(raw).scheme
    url = normalize_url(urljoin(base, raw) if relative else raw)
    if url is None:
        return Href(raw, "is not a valid web address", relative=relative, url=None)
    return Href(raw, None, relative=relative, url=url)


def malformed(raw: str) -> str | None:
    """Why ``raw`` cannot be a page's URL, or None (relative URLs pass)."""
    if not raw:
        return "is empty"
    if _WHITESPACE.search(raw):
        return "contains a space or line break"
    if raw.startswith("#"):
        return "is only a #fragment, not a page address"
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return "cannot be read as a URL"
    scheme = parts.scheme.lower()
    if scheme and scheme not in WEB_SCHEMES:
        return f'uses "{parts.scheme}:" instead of https:'
    if scheme and not parts.hostname:
        return "has no host name after the scheme"
    return None


def relative_kind(raw: str) -> str:
    """A plain description of a relative URL for messages."""
    if raw.startswith("//"):
        return "protocol-relative (no https:)"
    if raw.lower().startswith("www."):
        return 'relative (it lacks "https://", so it is read as a path on this site)'
    return "relative"


def absolute_form(raw: str, resolved: str) -> str:
    """The full address the author most likely meant by a relative ``raw``."""
    if raw.lower().startswith("www."):
        return f"https://{raw}"
    if raw.startswith("//"):
        return f"https:{raw}"
    return resolved


def site_host(url: str) -> str:
    """The host of an absolute URL, lower-cased, without a leading ``www.``."""
    host = urlsplit(url).hostname or ""
    return host.removeprefix("www.")
