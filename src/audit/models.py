"""Records that flow between the layers: plain frozen dataclasses, no I/O."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, TypeVar

ROBOTS_BLOCKED = "blocked by robots.txt"
"""The ``error`` of a URL that was not requested because robots.txt disallows it."""

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
_Record = TypeVar("_Record", bound=type[Any])


def compact_pickle(cls: _Record) -> _Record:
    """Pickle a frozen positional dataclass as its constructor and field values.

    The records a page-analysis worker sends back are pickled on every page; the
    default for a slotted dataclass runs ``dataclasses.fields()`` in Python on
    each object in both directions, three times slower than reading the fields
    with one C-level ``attrgetter`` and calling the constructor.
    """
    get_values = attrgetter(*(item.name for item in fields(cls)))

    def reduce(self: Any) -> tuple[type[Any], tuple[Any, ...]]:
        return cls, get_values(self)

    cls.__reduce__ = reduce
    return cls


class ErrorKind(enum.StrEnum):
    """What went wrong with one fetch, for machines: rules and filters read this, not ``error``.

    The first group comes with an ``error`` (the fetch failed; no page was audited):

    - ``timeout``: no connection within ``crawl.timeout.connect``, no data for
      ``crawl.timeout.read``, or the total per-request deadline passed;
    - ``connection``: connection refused, reset or broken before a response arrived;
    - ``protocol``: the server's answer was not valid HTTP (malformed or oversized
      headers, a response cut off inside its status line or headers);
    - ``body-corrupt``: the body could not be decoded (corrupt gzip/deflate data, an
      unsupported ``Content-Encoding``);
    - ``redirect-loop``, ``too-many-redirects``, ``redirect-not-http``: the redirect
      chain was abandoned (a loop, more than ``crawl.max_redirects`` hops, a target
      that is not an http(s) URL);
    - ``robots``: not requested, robots.txt disallows it;
    - ``internal``: a bug in the crawler (please report it).

    The second group comes without an ``error`` and with ``truncated``: the page
    was audited from the part of the body that arrived.

    - ``body-too-large``: the body was cut at ``crawl.max_body_bytes``
      (before or after decompression);
    - ``body-incomplete``: the connection ended before the whole body arrived
      (fewer bytes than its Content-Length, or closed or reset mid-body).
    """

    TIMEOUT = "timeout"
    CONNECTION = "connection"
    PROTOCOL = "protocol"
    BODY_CORRUPT = "body-corrupt"
    REDIRECT_LOOP = "redirect-loop"
    TOO_MANY_REDIRECTS = "too-many-redirects"
    REDIRECT_NOT_HTTP = "redirect-not-http"
    ROBOTS = "robots"
    INTERNAL = "internal"
    BODY_TOO_LARGE = "body-too-large"
    BODY_INCOMPLETE = "body-incomplete"


class Severity(enum.StrEnum):
    """How urgent a finding is, most severe first."""

    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"


@compact_pickle
@dataclass(frozen=True, slots=True)
class Hop:
    """One redirect response: the URL asked for, its status and where it pointed."""

    url: str
    status: int
    location: str


@compact_pickle
@dataclass(frozen=True, slots=True)
class FetchResult:
    """Everything the fetcher learnt about one URL.

    ``status`` is the status of the last response received (after redirects);
    it is ``None`` when no response arrived at all, and ``error`` says why.
    When a redirect chain was not followed to its end (a loop, a target out of
    scope or blocked by robots.txt), ``redirect_stop`` says why and
    ``final_url`` is the target that was not requested.
    ``body`` holds at most ``crawl.max_body_bytes`` decompressed bytes and is
    empty for content that is not parsed (non-HTML, non-XML). ``error_kind``
    classifies ``error`` (see :class:`ErrorKind`); with ``truncated`` and no
    ``error`` it says why the body is partial.
    """

    url: str
    final_url: str
    status: int | None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    text: str = ""
    encoding: str | None = None
    content_type: str = ""
    redirect_chain: tuple[Hop, ...] = ()
    redirect_stop: str | None = None
    fetch_ms: float = 0.0
    bytes_downloaded: int = 0
    truncated: bool = False
    attempts: int = 1
    error: str | None = None
    error_kind: ErrorKind | None = None

    @property
    def ok(self) -> bool:
        """True when a 2xx response with a body arrived."""
        return self.status is not None and 200 <= self.status < 300 and self.error is None

    @property
    def is_html(self) -> bool:
        """True when the response was decoded as an HTML document."""
        return self.content_type in HTML_TYPES


@dataclass(frozen=True, slots=True)
class PageSummary:
    """The slim row kept for each URL after its DOM is dropped: one row of pages.csv."""

    url: str
    final_url: str
    status: int | None
    content_type: str
    depth: int | None
    found_on: str | None
    source: str
    redirect_chain: tuple[Hop, ...]
    fetch_ms: float
    bytes: int
    error: str | None
    title: str | None = None
    encoding: str | None = None
    truncated: bool = False
    in_sitemap: bool = False
    outlinks: int = 0
    error_kind: str | None = None
    """What went wrong, machine-readable (an :class:`ErrorKind` value), or None."""

    @property
    def blocked(self) -> bool:
        """True when robots.txt kept us from requesting this URL."""
        return self.error == ROBOTS_BLOCKED

    @property
    def failed(self) -> bool:
        """True for a network failure or a 4xx/5xx answer (not for a robots.txt block)."""
        return not self.blocked and (self.error is not None or (self.status or 0) >= 400)

    @property
    def is_html(self) -> bool:
        """True when the URL answered with an HTML document."""
        return self.content_type in HTML_TYPES


@dataclass(frozen=True, slots=True, kw_only=True)
class CrawlTrap:
    """URLs the crawl-trap guard refused to queue, grouped by the pattern they share.

    ``kind`` is the limit that refused them (``query-variants``, ``date-variants``,
    ``url-length``, ``path-repeats``); ``pattern`` a readable form of what the
    refused URLs share (``http://host/listing?…``); ``limit`` the configured limit;
    ``refused`` how many distinct URLs were refused; ``example`` the first of them
    and ``found_on`` the page that linked to it.
    """

    kind: str
    pattern: str
    limit: int
    refused: int
    example: str
    found_on: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One problem found by a rule on one URL.

    ``message`` says what is wrong with specifics; ``evidence`` is a clipped
    snippet a person can search for; ``selector`` a CSS path; ``fix`` the
    imperative hint.
    """

    rule: str
    code: str
    severity: Severity
    category: str
    url: str
    message: str
    evidence: str = ""
    selector: str = ""
    fix: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class StructuredRow:
    """One structured-data node (or one JSON-LD block that gave none): a row of structured_data.csv.

    ``location`` is where the node sits (``json-ld #2 $.publisher``); findings
    of structured-data rules carry the same string as their selector, which is
    how ``findings`` is counted.
    """

    url: str
    syntax: str
    type: str
    id: str
    location: str
    properties: int
    status: str
    findings: int

    def values(self) -> tuple[str | int, ...]:
        """The fields in order (``dataclasses.astuple`` deep-copies and is 20 times slower)."""
        return (
            self.url,
            self.syntax,
            self.type,
            self.id,
            self.location,
            self.properties,
            self.status,
            self.findings,
        )


@compact_pickle
@dataclass(frozen=True, slots=True)
class OutLink:
    """One link of a page to a URL in the crawl's host scope, normalised."""

    url: str
    text: str
    rel: str
    nofollow: bool


@compact_pickle
@dataclass(frozen=True, slots=True)
class PageOutline:
    """What the crawler needs from an HTML page to go on: its title and where it links.

    ``links`` holds only links whose host is in scope (normalised); ``outlinks``
    counts every ``<a href>``/``<area href>``; ``follow`` is False when the page's
    robots directives say ``nofollow``.
    """

    title: str | None
    follow: bool
    outlinks: int
    links: tuple[OutLink, ...] = ()
