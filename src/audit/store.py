"""A run's collected results and crawl state on disk (SQLite), written as the crawl goes.

Findings, structured-data rows, page facts and internal links of 100,000
pages do not fit comfortably in memory, so the runner writes each page's
results here the moment its analysis returns and keeps only the slim
:class:`~audit.models.PageSummary` rows. The site rules read the facts through
:class:`FactsView` (a read-only mapping that loads one page at a time) and the
links through the :class:`~audit.site.LinkStore` methods; the reporting layer
reads findings and structured rows back in crawl order.

The same file is the crawl's journal: every frontier entry and every recorded
row, committed every few seconds (WAL mode, so a killed process leaves a
consistent file). ``audit crawl --resume RUN`` reads it back with
:meth:`RunStore.crawl_state` and goes on where the crawl stopped.
"""

from __future__ import annotations

import json
import time
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import fields
from pathlib import Path
from typing import Any

from audit.crawl.frontier import Entry, Source
from audit.errors import AuditError
from audit.models import ErrorKind, Finding, Hop, PageSummary, Severity, StructuredRow
from audit.site import EntityMention, LinkStore, PageFacts

_SCHEMA = """
CREATE TABLE IF NOT EXISTS findings (
    rule TEXT, code TEXT, severity TEXT, category TEXT, url TEXT,
    message TEXT, evidence TEXT, selector TEXT, fix TEXT, site INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS structured (
    url TEXT, syntax TEXT, type TEXT, id TEXT, location TEXT,
    properties INTEGER, status TEXT, findings INTEGER);
CREATE TABLE IF NOT EXISTS facts (
    url TEXT PRIMARY KEY, depth INTEGER, title TEXT, meta_description TEXT, h1 TEXT,
    indexable INTEGER, canonical TEXT, hreflang TEXT, text_hash TEXT, simhash INTEGER,
    words INTEGER, entities TEXT);
CREATE TABLE IF NOT EXISTS frontier (
    url TEXT PRIMARY KEY, depth INTEGER, found_on TEXT, source TEXT, taken INTEGER);
CREATE TABLE IF NOT EXISTS pages (url TEXT, data TEXT NOT NULL);
"""
FORMAT = 2
"""The layout of the file (``PRAGMA user_version``); a file of another layout is refused."""
COMMIT_EVERY = 2.0
"""Seconds between commits of the journal (what a killed crawl can lose at most)."""
_FINDING_FIELDS = (
    "rule",
    "code",
    "severity",
    "category",
    "url",
    "message",
    "evidence",
    "selector",
    "fix",
)


_STRUCTURED_FIELDS = tuple(field.name for field in fields(StructuredRow))


class RunStore(LinkStore):
    """Links, findings, structured rows and page facts of one run, in one SQLite file."""

    def __init__(self, path: Path | None = None) -> None:
        super().__init__(path)
        (found,) = self._db.execute("PRAGMA user_version").fetchone()
        (tables,) = self._db.execute(
            "SELECT COUNT(*) FROM sqlite_master WHERE name != 'links'"
        ).fetchone()
        if tables and found != FORMAT:
            self._db.close()
            raise AuditError(
                f"{self.path}: the state of a crawl by another version of site-audit "
                "(it cannot be resumed by this one); start a new crawl"
            )
        self._db.executescript(
            f"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA user_version={FORMAT};"
            + _SCHEMA
        )
        self._committed = time.monotonic()

    # --- the crawl journal ----------------------------------------------------------------

    def queued(self, entry: Entry) -> None:
        """Journal a frontier entry (new, moved to a smaller depth, taken or claimed)."""
        self._db.execute(
            "INSERT OR REPLACE INTO frontier VALUES (?, ?, ?, ?, ?)",
            (entry.url, entry.depth, entry.found_on, entry.source.value, int(entry.taken)),
        )

    def recall(self, url: str) -> Entry | None:
        """The journalled frontier entry of ``url`` (None when it was never queued)."""
        row = self._db.execute(
            "SELECT depth, found_on, source, taken FROM frontier WHERE url = ?", (url,)
        ).fetchone()
        if row is None:
            return None
        depth, found_on, source, taken = row
        return Entry(url, depth, found_on, Source(source), taken=bool(taken))

    def recorded(self, summary: PageSummary) -> None:
        """Journal a URL's row."""
        self._db.execute("INSERT INTO pages VALUES (?, ?)", (summary.url, _summary_json(summary)))

    def checkpoint(self) -> None:
        """Commit if the last commit is ``COMMIT_EVERY`` seconds old.

        Called between pages, once a page's row and results are all written, so a
        resumed crawl never sees a row without its findings.
        """
        if time.monotonic() - self._committed > COMMIT_EVERY:
            self.commit()

    def crawl_state(self) -> tuple[list[PageSummary], list[Entry]]:
        """The rows and frontier entries journalled so far, in crawl order."""
        pages = [
            _summary_from_json(data)
            for (data,) in self._db.execute("SELECT data FROM pages ORDER BY rowid")
        ]
        entries = [
            Entry(url, depth, found_on, Source(source), taken=bool(taken))
            for url, depth, found_on, source, taken in self._db.execute(
                "SELECT url, depth, found_on, source, taken FROM frontier ORDER BY rowid"
            )
        ]
        return pages, entries

    def forget_site_findings(self) -> None:
        """Drop the findings of the site rules (they are computed again over the whole crawl)."""
        self._db.execute("DELETE FROM findings WHERE site = 1")

    def commit(self) -> None:
        """Make everything written so far durable."""
        self._db.commit()
        self._committed = time.monotonic()

    def close(self) -> None:
        """Commit and close."""
        self._db.commit()
        super().close()

    # --- results ----------------------------------------------------------------------------

    def add_findings(self, findings: Iterable[Finding], *, site: bool = False) -> None:
        """Store findings in the order given (``site``: from the site rules)."""
        self._db.executemany(
            "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                (
                    f.rule,
                    f.code,
                    f.severity.value,
                    f.category,
                    f.url,
                    f.message,
                    f.evidence,
                    f.selector,
                    f.fix,
                    int(site),
                )
                for f in findings
            ),
        )

    def add_structured(self, rows: Iterable[StructuredRow]) -> None:
        """Store structured-data rows."""
        self._db.executemany(
            "INSERT INTO structured VALUES (?, ?, ?, ?, ?, ?, ?, ?)", (row.values() for row in rows)
        )

    def add_facts(self, facts: PageFacts, depth: int | None = None) -> None:
        """Store (or replace) one page's facts and its click depth (for the site rules' order)."""
        self._db.execute(
            "INSERT OR REPLACE INTO facts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            _facts_row(facts, depth),
        )

    def findings(self) -> Iterator[Finding]:
        """Every finding in the order stored."""
        self._db.commit()
        query = f"SELECT {', '.join(_FINDING_FIELDS)} FROM findings ORDER BY rowid"
        for row in self._db.execute(query):
            values = dict(zip(_FINDING_FIELDS, row, strict=True))
            values["severity"] = Severity(values["severity"])
            yield Finding(**values)

    def structured_rows(self) -> Iterator[StructuredRow]:
        """Every structured-data row in the order stored."""
        self._db.commit()
        for row in self._db.execute("SELECT * FROM structured ORDER BY rowid"):
            yield StructuredRow(**dict(zip(_STRUCTURED_FIELDS, row, strict=True)))

    def facts(self) -> FactsView:
        """The page facts as a read-only mapping by URL."""
        self._db.commit()
        return FactsView(self)


class FactsView(Mapping[str, PageFacts]):
    """Page facts by URL, loaded from the store on access (nothing is cached)."""

    def __init__(self, store: RunStore) -> None:
        self._db = store._db

    def __getitem__(self, url: str) -> PageFacts:
        row = self._db.execute(f"SELECT {_FACT_COLUMNS} FROM facts WHERE url = ?", (url,))
        found = row.fetchone()
        if found is None:
            raise KeyError(url)
        return _facts_from_row(found)

    def __contains__(self, url: object) -> bool:
        query = "SELECT 1 FROM facts WHERE url = ?"
        return self._db.execute(query, (url,)).fetchone() is not None

    def __iter__(self) -> Iterator[str]:
        return (url for (url,) in self._db.execute("SELECT url FROM facts ORDER BY rowid"))

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM facts").fetchone()[0])

    def values(self) -> Iterator[PageFacts]:  # type: ignore[override]
        """Every page's facts in crawl order, one at a time."""
        cursor = self._db.execute(f"SELECT {_FACT_COLUMNS} FROM facts ORDER BY rowid")
        return map(_facts_from_row, cursor)

    def ordered(self, names: Collection[str] | None = None) -> Iterator[PageFacts]:
        """Every page's facts by click depth (pages without one last), then URL.

        SQLite sorts, so memory stays flat. ``names`` are the facts a rule
        compares: only those, the URL, ``indexable`` and ``canonical`` are read
        from the file (the others keep their defaults), so a rule comparing
        titles decodes no entities or hreflang alternates. None reads them all.
        """
        columns = _FACT_COLUMNS
        if names is not None:
            unknown = set(names) - set(_FACT_NAMES)
            if unknown:
                raise ValueError(f"no such page facts: {', '.join(sorted(unknown))}")
            wanted = {*names, *_ALWAYS_READ}
            columns = ", ".join(name if name in wanted else "NULL" for name in _FACT_NAMES)
        query = f"SELECT {columns} FROM facts ORDER BY depth IS NULL, depth, url"
        return map(_facts_from_row, self._db.execute(query))

    def items(self) -> Iterator[tuple[str, PageFacts]]:  # type: ignore[override]
        """(url, facts) in crawl order, one at a time."""
        return ((facts.url, facts) for facts in self.values())


# A column per field: the site rules read only the columns they compare, and no JSON
# is decoded for a page without hreflang alternates or entities.
_FACT_NAMES = (
    "url",
    "title",
    "meta_description",
    "h1",
    "indexable",
    "canonical",
    "hreflang",
    "text_hash",
    "simhash",
    "words",
    "entities",
)
_FACT_COLUMNS = ", ".join(_FACT_NAMES)
_ALWAYS_READ = ("url", "indexable", "canonical")  # which page a row is, and whether it counts
_SIGN = 1 << 64  # SQLite integers are signed 64-bit; a SimHash is unsigned


def _facts_row(facts: PageFacts, depth: int | None) -> tuple[object, ...]:
    simhash = facts.simhash
    if simhash is not None and simhash >= 1 << 63:
        simhash -= _SIGN
    entities = [(e.key, e.name, e.types, e.url, e.logo, e.same_as, e.where) for e in facts.entities]
    return (
        facts.url,
        depth,
        facts.title,
        facts.meta_description,
        facts.h1,
        int(facts.indexable),
        facts.canonical,
        _json(facts.hreflang) if facts.hreflang else None,
        facts.text_hash,
        simhash,
        facts.words,
        _json(entities) if entities else None,
    )


def _facts_from_row(row: tuple[Any, ...]) -> PageFacts:
    url, title, description, h1, indexable, canonical, hreflang, digest, simhash, words, found = row
    if isinstance(simhash, int) and simhash < 0:
        simhash += _SIGN
    return PageFacts(
        url,
        title,
        description,
        h1,
        bool(indexable),
        canonical,
        tuple(map(tuple, json.loads(hreflang))) if hreflang else (),
        digest,
        simhash,
        words or 0,  # NULL when the column was not read
        tuple(
            EntityMention(key, name, tuple(types), link, logo, tuple(same_as), where)
            for key, name, types, link, logo, same_as, where in json.loads(found)
        )
        if found
        else (),
    )


def _json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _summary_json(summary: PageSummary) -> str:
    # Field by field: dataclasses.asdict deep-copies every value first (5x slower).
    values = [getattr(summary, name) for name in _SUMMARY_FIELDS]
    values[_CHAIN] = [(hop.url, hop.status, hop.location) for hop in summary.redirect_chain]
    return _json(values)


def _summary_from_json(text: str) -> PageSummary:
    values = json.loads(text)
    values[_CHAIN] = tuple(Hop(*hop) for hop in values[_CHAIN])
    if values[_KIND] is not None:
        values[_KIND] = ErrorKind(values[_KIND])
    return PageSummary(*values)


_SUMMARY_FIELDS = tuple(field.name for field in fields(PageSummary))
_CHAIN = _SUMMARY_FIELDS.index("redirect_chain")
_KIND = _SUMMARY_FIELDS.index("error_kind")
