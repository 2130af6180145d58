"""The page model: one HTML document parsed once with selectolax's lexbor backend.

Every view is computed on first use and cached, so a consumer that needs only
the links (the crawler) never pays for the text walk that the leftover rules need.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser, LexborNode

from audit.dom import Comment, TextBlock, collapse, comments_in, css_path, walk_text
from audit.models import FetchResult

if TYPE_CHECKING:
    from audit.structured.extract import StructuredData
    from audit.structured.visible import VisibleJsonLd

JSONLD_TYPE = "application/ld+json"


@dataclass(frozen=True, slots=True)
class Link:
    """One ``<a href>`` or ``<area href>``: the raw href, its absolute form, text and rel."""

    href: str
    url: str
    text: str
    rel: frozenset[str]
    node: LexborNode

    @property
    def nofollow(self) -> bool:
        """True when the link asks crawlers not to follow it."""
        return "nofollow" in self.rel


@dataclass(frozen=True, slots=True)
class Image:
    """One ``<img>``: its ``src`` and ``alt`` (None when the attribute is absent)."""

    src: str
    alt: str | None
    node: LexborNode


@dataclass(frozen=True, slots=True)
class Heading:
    """One ``<h1>``…``<h6>``: level and text."""

    level: int
    text: str
    node: LexborNode


@dataclass(frozen=True, slots=True)
class ScriptBlock:
    """One ``<script>`` with a JSON-LD type: its 1-based position among them and raw text."""

    index: int
    text: str
    type: str
    node: LexborNode


@dataclass(frozen=True, slots=True)
class Alternate:
    """One ``<link rel="alternate" hreflang>``."""

    hreflang: str
    href: str
    node: LexborNode


class Resolver:
    """Resolves hrefs against one base URL; the common shapes skip ``urljoin``.

    Root-relative (``/a/b``) and absolute http(s) hrefs without dot segments
    resolve by concatenation, which is several times faster than ``urljoin`` and
    gives the same string; anything else goes through ``urljoin``.
    """

    def __init__(self, base: str) -> None:
        self.base = base
        scheme, rest = base.split("://", 1) if "://" in base else ("", base)
        self.origin = f"{scheme}://{rest.split('/', 1)[0]}" if scheme else ""

    def __call__(self, href: str) -> str:
        if "/." not in href and "\\" not in href:
            if href.startswith("/") and not href.startswith("//") and self.origin:
                return self.origin + href
            if href.startswith(("https://", "http://")):
                return href
        try:
            return urljoin(self.base, href)
        except ValueError:
            return href


class Page:
    """A fetched HTML document and cached views over its tree."""

    def __init__(self, url: str, html: str, headers: dict[str, str] | None = None) -> None:
        self.url = url
        self.html = html
        self.headers = headers or {}
        self.tree = LexborHTMLParser(html)

    @classmethod
    def from_fetch(cls, result: FetchResult) -> Page:
        """Build the page of a fetched HTML response (its final URL is the base)."""
        return cls(result.final_url, result.text, result.headers)

    # --- head ---------------------------------------------------------------------------

    @cached_property
    def base_url(self) -> str:
        """The URL relative links resolve against (``<base href>`` wins over the page URL)."""
        base = self.tree.css_first("base[href]")
        href = (base.attributes.get("href") or "").strip() if base else ""
        try:
            return urljoin(self.url, href) if href else self.url
        except ValueError:  # a malformed <base href> such as "http://[x": browsers ignore it
            return self.url

    @cached_property
    def titles(self) -> tuple[str, ...]:
        """The text of every ``<title>`` outside SVG, whitespace collapsed."""
        return tuple(collapse(node.text()) for node in self.tree.css("title:not(svg title)"))

    @property
    def title(self) -> str | None:
        """The first title; None when the page has none."""
        return self.titles[0] if self.titles else None

    def meta(self, name: str) -> tuple[str, ...]:
        """The ``content`` of every ``<meta name=NAME>`` (case-insensitive name)."""
        return tuple(
            node.attributes.get("content") or "" for node in self.tree.css(f'meta[name="{name}" i]')
        )

    @property
    def meta_description(self) -> str | None:
        """The first meta description; None when absent."""
        values = self.meta("description")
        return values[0] if values else None

    @cached_property
    def robots_directives(self) -> frozenset[str]:
        """``noindex``, ``nofollow``, … from meta robots/googlebot and the X-Robots-Tag header.

        ``none`` counts as ``noindex`` and ``nofollow``; a header value scoped to a
        crawler (``X-Robots-Tag: googlebot: noindex``) counts when the crawler is Googlebot.
        """
        values = [*self.meta("robots"), *self.meta("googlebot")]
        for value in self.headers.get("x-robots-tag", "").split(","):
            agent, colon, rest = value.partition(":")
            scoped = (
                colon and " " not in agent.strip() and agent.strip().lower() != "unavailable_after"
            )
            if not scoped:
                values.append(value)
            elif agent.strip().lower() == "googlebot":
                values.append(rest)
        tokens = {
            token.strip().lower() for value in values for token in value.split(",") if token.strip()
        }
        if "none" in tokens:
            tokens |= {"noindex", "nofollow"}
        return frozenset(tokens)

    @cached_property
    def canonicals(self) -> tuple[tuple[str, LexborNode], ...]:
        """The raw ``href`` of every ``<link rel=canonical>`` with its node."""
        return tuple(
            ((node.attributes.get("href") or "").strip(), node)
            for node in self.tree.css("link[rel~=canonical i]")
        )

    @cached_property
    def hreflang_alternates(self) -> tuple[Alternate, ...]:
        """Every ``<link rel=alternate hreflang=…>``."""
        return tuple(
            Alternate(
                (node.attributes.get("hreflang") or "").strip(),
                (node.attributes.get("href") or "").strip(),
                node,
            )
            for node in self.tree.css("link[rel~=alternate i][hreflang]")
        )

    @cached_property
    def lang(self) -> str | None:
        """The ``<html lang>`` value; None when absent."""
        root = self.tree.root
        value = root.attributes.get("lang") if root is not None else None
        return value.strip() if value is not None else None

    @cached_property
    def viewport(self) -> str | None:
        """The meta viewport content; None when absent."""
        values = self.meta("viewport")
        return values[0] if values else None

    @cached_property
    def charset(self) -> str | None:
        """The declared ``<meta charset>`` or http-equiv charset; None when absent."""
        node = self.tree.css_first("meta[charset]")
        if node is not None:
            return (node.attributes.get("charset") or "").strip()
        node = self.tree.css_first('meta[http-equiv="content-type" i]')
        content = (node.attributes.get("content") or "") if node is not None else ""
        _, found, charset = content.lower().partition("charset=")
        return charset.strip() if found else None

    @cached_property
    def open_graph(self) -> dict[str, str]:
        """``og:*`` properties (first value of each)."""
        return self._prefixed('meta[property^="og:" i]', "property")

    @cached_property
    def twitter(self) -> dict[str, str]:
        """``twitter:*`` cards (first value of each; ``name`` or ``property``)."""
        found = self._prefixed('meta[property^="twitter:" i]', "property")
        return {**found, **self._prefixed('meta[name^="twitter:" i]', "name")}

    def _prefixed(self, selector: str, attribute: str) -> dict[str, str]:
        values: dict[str, str] = {}
        for node in self.tree.css(selector):
            key = (node.attributes.get(attribute) or "").strip().lower()
            values.setdefault(key, (node.attributes.get("content") or "").strip())
        return values

    # --- body ---------------------------------------------------------------------------

    @cached_property
    def headings(self) -> tuple[Heading, ...]:
        """Every ``<h1>``…``<h6>`` in document order."""
        return tuple(
            Heading(int(node.tag[1]), collapse(node.text(deep=True)), node)
            for node in self.tree.css("h1, h2, h3, h4, h5, h6")
        )

    @cached_property
    def links(self) -> tuple[Link, ...]:
        """Every ``<a href>`` and ``<area href>`` in document order, resolved against the base."""
        resolve = Resolver(self.base_url)
        links = []
        for node in self.tree.css("a[href], area[href]"):
            attributes = node.attributes
            href = (attributes.get("href") or "").strip()
            rel = frozenset((attributes.get("rel") or "").lower().split())
            absolute = resolve(href)
            label = node.text(deep=True) if node.tag == "a" else node.attributes.get("alt") or ""
            links.append(Link(href=href, url=absolute, text=collapse(label), rel=rel, node=node))
        return tuple(links)

    @cached_property
    def images(self) -> tuple[Image, ...]:
        """Every ``<img>`` with its ``src`` and ``alt``."""
        return tuple(
            Image((node.attributes.get("src") or "").strip(), node.attributes.get("alt"), node)
            for node in self.tree.css("img")
        )

    @cached_property
    def text_blocks(self) -> tuple[TextBlock, ...]:
        """Visible text, one item per block element, in document order."""
        root = self.tree.root
        return tuple(walk_text(root)) if root is not None else ()

    @cached_property
    def visible_text(self) -> str:
        """Every text block, one per line: for a first look by substring before a closer one."""
        return "\n".join(block.text for block in self.text_blocks)

    @cached_property
    def comments(self) -> tuple[Comment, ...]:
        """Every HTML comment in the document, in order (head and around <html> included)."""
        root = self.tree.root
        if root is None:
            return ()
        return tuple(comments_in(root.parent if root.parent is not None else root))

    @cached_property
    def jsonld_scripts(self) -> tuple[ScriptBlock, ...]:
        """Every ``<script type="application/ld+json">``, numbered from 1."""
        blocks = []
        for node in self.tree.css("script[type]"):
            script_type = (node.attributes.get("type") or "").split(";")[0].strip().lower()
            if script_type == JSONLD_TYPE:
                blocks.append(ScriptBlock(len(blocks) + 1, node.text(), script_type, node))
        return tuple(blocks)

    @cached_property
    def structured(self) -> StructuredData:
        """Strictly parsed JSON-LD blocks and every structured-data node (see audit.structured)."""
        from audit.structured.extract import extract_structured

        return extract_structured(self)

    @cached_property
    def visible_jsonld(self) -> list[VisibleJsonLd]:
        """JSON-LD objects printed as visible text (see audit.structured.visible)."""
        from audit.structured.visible import find_visible_jsonld

        return find_visible_jsonld(self.text_blocks)

    def selector(self, node: LexborNode) -> str:
        """A CSS path to ``node`` for a finding."""
        return css_path(node)
