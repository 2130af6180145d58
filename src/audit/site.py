"""What the SITE rules read after the crawl: slim page facts, the link graph, statuses.

The DOM of a page lives only while its page rules run. What the site rules
need from it is condensed into :class:`PageFacts` (a few short strings, two
digests and the organisations and people it describes); the internal links go
to a :class:`LinkStore` on disk (SQLite), so memory does not grow with the
number of links. Every site rule works in passes over these: nothing compares
all pages with all pages.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from urllib.parse import urljoin

from audit.crawl.urls import normalize_url
from audit.dom import TextBlock
from audit.models import CrawlTrap, PageSummary, compact_pickle
from audit.page import Page
from audit.structured.nodes import Node, Ref, nodes_from_jsonld
from audit.structured.vocabulary import active_vocabulary

_BOILERPLATE = frozenset({"nav", "header", "footer", "aside"})
ENTITY_TYPES = ("Organization", "Person")


@compact_pickle
@dataclass(frozen=True, slots=True)
class EntityMention:
    """An organisation or person described on a page (matched across pages by ``key``)."""

    key: str
    name: str
    types: tuple[str, ...]
    url: str | None
    logo: str | None
    same_as: tuple[str, ...]
    where: str


@compact_pickle
@dataclass(frozen=True, slots=True)
class PageFacts:
    """The content facts of one HTML page that the site rules compare across pages."""

    url: str
    title: str | None = None
    meta_description: str | None = None
    h1: str | None = None
    indexable: bool = True
    canonical: str | None = None
    hreflang: tuple[tuple[str, str], ...] = ()
    text_hash: str | None = None
    simhash: int | None = None
    words: int = 0
    entities: tuple[EntityMention, ...] = ()


def summarize(page: Page) -> PageFacts:
    """Condense a parsed page into the facts the site rules need."""
    h1 = next((heading.text for heading in page.headings if heading.level == 1), None)
    canonical = next((href for href, _ in page.canonicals if href), None)
    # Imported here: NumPy costs spot checks (which never summarise) a tenth of a second.
    from audit.fingerprint import SHINGLE, simhash_of, text_digest, token_hashes

    hashes = token_hashes(_main_text(page.text_blocks))
    return PageFacts(
        url=page.url,
        title=page.title,
        meta_description=page.meta_description,
        h1=h1,
        indexable="noindex" not in page.robots_directives,
        canonical=_absolute(canonical, page.base_url) if canonical else None,
        hreflang=tuple(
            (alternate.hreflang.lower(), url)
            for alternate in page.hreflang_alternates
            if (url := _absolute(alternate.href, page.base_url))
        ),
        text_hash=text_digest(hashes),
        simhash=simhash_of(hashes) if hashes.size >= SHINGLE else None,
        words=int(hashes.size),
        entities=tuple(_entities(page)),
    )


def _absolute(href: str, base: str) -> str | None:
    try:
        return normalize_url(urljoin(base, href))
    except ValueError:
        return None


def _main_text(blocks: Sequence[TextBlock]) -> str:
    """Visible text outside nav, header, footer and aside: what differs from page to page."""
    kept = []
    for block in blocks:
        node = block.node
        boilerplate = False
        while node is not None:
            if node.tag in _BOILERPLATE:
                boilerplate = True
                break
            node = node.parent
        if not boilerplate:
            kept.append(block.text)
    return " ".join(kept)


def _entities(page: Page) -> Iterator[EntityMention]:
    vocabulary = active_vocabulary()
    nodes = list(page.structured.nodes)
    for found in page.visible_jsonld:
        if found.value is not None:
            nodes.extend(nodes_from_jsonld(found.value, syntax="visible-text"))
    for node in nodes:
        if not any(vocabulary.is_a(kind, wanted) for kind in node.types for wanted in ENTITY_TYPES):
            continue
        name = node.first_text("name") or node.first_text("legalName")
        node_id = _absolute(node.id, page.url) if node.id and not node.id.startswith("_:") else None
        if not name and not node_id:
            continue
        key = f"@id {node_id}" if node_id else f"name {_normal_name(name or '')}"
        same_as = node.texts("sameAs")
        yield EntityMention(
            key=key,
            name=name or node_id or "",
            types=tuple(sorted(node.types)),
            url=_link(node, "url", page.url),
            logo=_link(node, "logo", page.url),
            same_as=tuple(sorted(filter(None, (_absolute(v, page.url) for v in same_as)))),
            where=f"{node.via or 'top level'} ({node.syntax})",
        )


def _link(node: Node, prop: str, base: str) -> str | None:
    for value in node.values(prop):
        if isinstance(value, str):
            return _absolute(value, base)
        if isinstance(value, Ref):
            return _absolute(value.id, base)
        if isinstance(value, Node):
            nested = value.first_text("url") or value.first_text("contentUrl")
            if nested:
                return _absolute(nested, base)
    return None


def _normal_name(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


@dataclass(frozen=True, slots=True)
class LinkRow:
    """One internal link: from ``source`` to ``target`` (normalised), with its anchor and rel."""

    source: str
    target: str
    anchor: str
    rel: str
    nofollow: bool


class LinkStore:
    """Internal links on disk (SQLite), written as pages arrive, read in passes after the crawl."""

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self._temporary = path is None
        self._indexed = False
        if path is None:
            descriptor, name = tempfile.mkstemp(prefix="audit-links-", suffix=".sqlite")
            os.close(descriptor)
            path = Path(name)
        self.path = path
        if read_only:  # another connection writes it (another process's): change nothing
            self._db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            return
        self._db = sqlite3.connect(path)
        self._db.executescript(
            "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
            "CREATE TABLE IF NOT EXISTS links ("
            " source TEXT NOT NULL, target TEXT NOT NULL, anchor TEXT NOT NULL,"
            " rel TEXT NOT NULL, nofollow INTEGER NOT NULL)"
        )

    @property
    def shared_reads(self) -> bool:
        """Whether another process may read the links while this one writes (WAL mode)."""
        (mode,) = self._db.execute("PRAGMA journal_mode").fetchone()
        return str(mode).lower() == "wal"

    def commit(self) -> None:
        """Make the links written so far visible to other connections."""
        self._db.commit()

    def add(self, rows: Iterable[LinkRow]) -> None:
        """Store the links of one page."""
        self._db.executemany(
            "INSERT INTO links VALUES (?, ?, ?, ?, ?)",
            ((r.source, r.target, r.anchor, r.rel, int(r.nofollow)) for r in rows),
        )

    def _index(self) -> None:
        if not self._indexed:
            self._db.commit()
            # With the source in the index, counting distinct linking pages is one ordered
            # scan of the index (5x faster than sorting each target's sources).
            self._db.execute(
                "CREATE INDEX IF NOT EXISTS by_target_source ON links (target, source)"
            )
            self._indexed = True

    def inlink_counts(self) -> Counter[str]:
        """Distinct linking pages per target (a page's links to itself left out)."""
        self._index()
        rows = self._db.execute(
            "SELECT target, COUNT(DISTINCT source) FROM links"
            " WHERE source != target GROUP BY target"
        )
        return Counter(dict(rows))

    def rows(self) -> Iterator[LinkRow]:
        """Every link in the order stored (pages in crawl order)."""
        self._db.commit()
        for source, target, anchor, rel, nofollow in self._db.execute(
            "SELECT source, target, anchor, rel, nofollow FROM links ORDER BY rowid"
        ):
            yield LinkRow(source, target, anchor, rel, bool(nofollow))

    def first_links_to(self, targets: Iterable[str]) -> Iterator[LinkRow]:
        """For each (source, target) pair whose target is in ``targets``: its first link."""
        self._index()
        self._db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (url TEXT PRIMARY KEY)")
        self._db.execute("DELETE FROM wanted")
        self._db.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((t,) for t in targets))
        # SQLite takes the bare columns from the row that holds MIN(rowid): the first link.
        for source, target, anchor, rel, nofollow, _first in self._db.execute(
            "SELECT source, target, anchor, rel, nofollow, MIN(rowid) FROM links"
            " WHERE target IN (SELECT url FROM wanted) AND source != target"
            " GROUP BY source, target ORDER BY MIN(rowid)"
        ):
            yield LinkRow(source, target, anchor, rel, bool(nofollow))

    def close(self) -> None:
        """Close the database (and delete it when it was a temporary file)."""
        self._db.close()
        if self._temporary:
            self.path.unlink(missing_ok=True)


@dataclass
class Site:
    """The whole crawl as the SITE rules see it."""

    pages: Sequence[PageSummary]
    facts: Mapping[str, PageFacts]
    links: LinkStore
    sitemap_urls: Mapping[str, str] = field(default_factory=dict)
    traps: Sequence[CrawlTrap] = ()  # what the crawl-trap guard refused

    @cached_property
    def by_url(self) -> dict[str, PageSummary]:
        """Each crawled or attempted URL's row."""
        return {page.url: page for page in self.pages}

    @cached_property
    def inlinks(self) -> Counter[str]:
        """How many distinct pages link to each URL."""
        return self.links.inlink_counts()

    def final_status(self, url: str) -> tuple[int | None, str]:
        """The status a visitor ends on from ``url`` (following recorded redirects) and that URL."""
        seen = set()
        row = self.by_url.get(url)
        while row is not None and row.redirect_chain and row.final_url not in seen:
            seen.add(row.url)
            final = self.by_url.get(row.final_url)
            if final is None:
                return row.status, row.final_url
            row = final
        return (row.status if row else None), (row.url if row else url)

    def forget_indexes(self) -> None:
        """Drop the URL index and the inlink counts (~20 MB at 100,000 pages).

        The reporting layer calls this once it has written the pages and links
        tables; either is built again if asked for later.
        """
        for name in ("by_url", "inlinks"):
            self.__dict__.pop(name, None)
