"""URL normalisation and crawl scope.

Two URLs that a server treats as the same resource must become the same string,
so each page is fetched once: scheme and host are lower-cased (IDNA hosts to
punycode), default ports and fragments dropped, dot segments removed,
percent-escapes normalised (unreserved characters decoded, the rest upper-case
hex, raw spaces and non-ASCII encoded as UTF-8) and the configured query
parameters stripped. Only ``http`` and ``https`` URLs survive.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import SplitResult, unquote, urljoin, urlsplit, urlunsplit

FETCHABLE_SCHEMES = frozenset({"http", "https"})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters that may stay literal in a path or query (RFC 3986 pchar plus "/" and "?").
_PATH_SAFE = frozenset(_UNRESERVED | set("!$&'()*+,;=:@/%"))
_QUERY_SAFE = frozenset(_PATH_SAFE | set("?"))


def normalize_url(
    url: str,
    base: str | None = None,
    strip_params: tuple[str, ...] = (),
) -> str | None:
    """Resolve ``url`` against ``base`` and return its canonical form.

    Args:
        url: an absolute or relative URL as found in a page.
        base: the document's base URL for relative references.
        strip_params: query parameter names (glob patterns such as ``utm_*``) to drop.

    Returns:
        The normalised absolute URL, or ``None`` when it is not an http(s) URL
        or cannot be parsed.
    """
    url = url.strip()
    if base:
        try:
            url = urljoin(base, url)
        except ValueError:
            return None
    return _normalize_absolute(url, strip_params)


# Pages of one site repeat most of their links (menus, footers), so most calls are hits.
@lru_cache(maxsize=16_384)
def _normalize_absolute(url: str, strip_params: tuple[str, ...]) -> str | None:
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in FETCHABLE_SCHEMES or not parts.hostname:
        return None
    host = _normalize_host(parts.hostname)
    if host is None:
        return None
    netloc = host if ":" not in host else f"[{host}]"
    if port is not None and port != _DEFAULT_PORTS[scheme]:
        netloc = f"{netloc}:{port}"
    # Credentials are never part of a normalised URL: they would end up in every table
    # and report. A start URL's credentials are sent as a header (see url_credentials).
    # Escapes first, so "%2E%2E" is a dot segment and "%75tm_source" a tracking parameter.
    path = _remove_dot_segments(_normalize_escapes(parts.path or "/", _PATH_SAFE))
    query = _normalize_escapes(parts.query, _QUERY_SAFE)
    if strip_params:
        query = _strip_query(query, strip_params)
    return urlunsplit(SplitResult(scheme, netloc, path, query, ""))


_VALID_HOST = re.compile(r"[a-z0-9._~!$&'()*+,;=%-]+|[0-9a-f:.]+")


@lru_cache(maxsize=4096)
def _normalize_host(host: str) -> str | None:
    host = host.lower().rstrip(".")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError:
            return None
    return host if host and _VALID_HOST.fullmatch(host) else None


def _remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4, for paths that contain dot segments."""
    if "." not in path:
        return path
    output: list[str] = []
    segments = path.split("/")
    for segment in segments[1:] if path.startswith("/") else segments:
        if segment == "..":
            if output:
                output.pop()
        elif segment != ".":
            output.append(segment)
    if segments[-1] in (".", ".."):
        output.append("")
    return "/" + "/".join(output)


def _normalize_escapes(component: str, safe: frozenset[str]) -> str:
    if component.isascii() and "%" not in component and all(char in safe for char in component):
        return component

    def unescape(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    component = _ESCAPE.sub(unescape, component)
    out: list[str] = []
    for index, char in enumerate(component):
        if char in safe and not (char == "%" and not _ESCAPE.match(component, index)):
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8", "surrogatepass"))
    return "".join(out)


def _strip_query(query: str, patterns: tuple[str, ...]) -> str:
    if not query:
        return query
    kept = [
        pair
        for pair in query.split("&")
        if pair and not any(fnmatch.fnmatchcase(pair.split("=", 1)[0], p) for p in patterns)
    ]
    return "&".join(kept)


def url_credentials(urls: Iterable[str]) -> dict[str, tuple[str, str]]:
    """``{origin: (user, password)}`` for the URLs that carry ``user:password@``."""
    found = {}
    for url in urls:
        try:
            parts = urlsplit(url.strip())
        except ValueError:
            continue
        if parts.username is not None:
            key = normalize_url(f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}/")
            if key:
                found[origin(key)] = (unquote(parts.username), unquote(parts.password or ""))
    return found


def origin(url: str) -> str:
    """``scheme://host[:port]`` of an absolute URL."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}"


@dataclass(frozen=True, slots=True)
class Scope:
    """Which normalised URLs belong to the crawl.

    Hosts come from ``allowed_domains`` (any port) or, when that is empty, from
    the start URLs (host and port). ``include`` patterns, when given, must
    match; ``exclude`` patterns must not. Start URLs are always in scope.
    """

    hosts: frozenset[str]
    domains: frozenset[str]
    subdomains: bool
    include: tuple[re.Pattern[str], ...]
    exclude: tuple[re.Pattern[str], ...]
    start_urls: frozenset[str]

    @classmethod
    def build(
        cls,
        start_urls: tuple[str, ...],
        allowed_domains: tuple[str, ...] = (),
        *,
        subdomains: bool = False,
        include: tuple[str, ...] = (),
        exclude: tuple[str, ...] = (),
    ) -> Scope:
        """Build the scope from config values (start URLs already normalised)."""
        hosts = (
            frozenset()
            if allowed_domains
            else frozenset(_host_and_port(_authority(u))[1] for u in start_urls)
        )
        return cls(
            hosts=hosts,
            domains=frozenset(allowed_domains or (urlsplit(u).hostname or "" for u in start_urls)),
            subdomains=subdomains,
            include=tuple(re.compile(p) for p in include),
            exclude=tuple(re.compile(p) for p in exclude),
            start_urls=frozenset(start_urls),
        )

    def host_allowed(self, url: str) -> bool:
        """True when the URL's host (and port, for start-URL scope) is in scope."""
        host, host_port = _host_and_port(_authority(url))
        if self.subdomains and any(host.endswith("." + domain) for domain in self.domains):
            return True
        if self.hosts:
            return host_port in self.hosts
        return host in self.domains

    def allows(self, url: str) -> bool:
        """True when a normalised URL may be crawled."""
        if url in self.start_urls:
            return True
        if not self.host_allowed(url):
            return False
        if self.include and not any(p.search(url) for p in self.include):
            return False
        return not any(p.search(url) for p in self.exclude)


_AUTHORITY = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)")


def _authority(url: str) -> str:
    found = _AUTHORITY.match(url)
    return found.group(1) if found else ""


@lru_cache(maxsize=1024)
def _host_and_port(authority: str) -> tuple[str, str]:
    """(host, ``host:port``) of a normalised URL's authority (default ports already dropped,
    so http and https of one host are one scope entry)."""
    try:
        parts = urlsplit(f"//{authority}")
        return parts.hostname or "", f"{parts.hostname}:{parts.port or ''}"
    except ValueError:
        return "", ""
