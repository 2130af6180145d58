"""The page model: one HTML document parsed once with selectolax's lexbor backend.

Views are computed on first use and cached, so a rule (or the crawler) that
needs only the links never pays for the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser

from audit.models import FetchResult


@dataclass(frozen=True, slots=True)
class Link:
    """One ``<a href>`` or ``<area href>``: the raw href, its absolute form, text and rel."""

    href: str
    url: str
    text: str
    rel: frozenset[str]

    @property
    def nofollow(self) -> bool:
        """True when the link asks crawlers not to follow it."""
        return "nofollow" in self.rel


class Page:
    """A fetched HTML document and cached views over its tree."""

    def __init__(self, url: str, html: str, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.headers = headers or {}
        self.tree = LexborHTMLParser(html)

    @classmethod
    def from_fetch(cls, result: FetchResult) -> Page:
        """Build the page of a fetched HTML response (its final URL is the base)."""
        return cls(result.final_url, result.text, result.headers)

    @cached_property
    def base_url(self) -> str:
        """The URL relative links resolve against (``<base href>`` wins over the page URL)."""
        base = self.tree.css_first("base[href]")
        href = (base.attributes.get("href") or "").strip() if base else ""
        return urljoin(self.url, href) if href else self.url

    @cached_property
    def title(self) -> str | None:
        """The text of the first ``<title>``, whitespace collapsed; None when absent."""
        node = self.tree.css_first("title")
        return " ".join(node.text().split()) if node else None

    @cached_property
    def robots_directives(self) -> frozenset[str]:
        """``noindex``, ``nofollow``, … from meta robots and the X-Robots-Tag header."""
        values = [
            node.attributes.get("content") or ""
            for node in self.tree.css('meta[name="robots" i], meta[name="googlebot" i]')
        ]
        values.append(self.headers.get("x-robots-tag", ""))
        return frozenset(
            token.strip().lower() for value in values for token in value.split(",") if token.strip()
        )

    @cached_property
    def links(self) -> tuple[Link, ...]:
        """Every ``<a href>`` and ``<area href>`` in document order, resolved against the base."""
        base = self.base_url
        links = []
        for node in self.tree.css("a[href], area[href]"):
            href = (node.attributes.get("href") or "").strip()
            rel = frozenset((node.attributes.get("rel") or "").lower().split())
            try:
                absolute = urljoin(base, href)
            except ValueError:
                absolute = href
            label = node.text(deep=True) if node.tag == "a" else node.attributes.get("alt") or ""
            text = " ".join(label.split())
            links.append(Link(href=href, url=absolute, text=text, rel=rel))
        return tuple(links)
