"""Records that flow between the layers: plain frozen dataclasses, no I/O."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

ROBOTS_BLOCKED = "blocked by robots.txt"
"""The ``error`` of a URL that was not requested because robots.txt disallows it."""

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


class Severity(enum.StrEnum):
    """How urgent a finding is, most severe first."""

    ERROR = "error"
    WARNING = "warning"
    NOTICE = "notice"


@dataclass(frozen=True, slots=True)
class Hop:
    """One redirect response: the URL asked for, its status and where it pointed."""

    url: str
    status: int
    location: str


@dataclass(frozen=True, slots=True)
class FetchResult:
    """Everything the fetcher learnt about one URL.

    ``status`` is the status of the last response received (after redirects);
    it is ``None`` when no response arrived at all, and ``error`` says why.
    When a redirect chain was not followed to its end (a loop, a target out of
    scope or blocked by robots.txt), ``redirect_stop`` says why and
    ``final_url`` is the target that was not requested.
    ``body`` holds at most ``crawl.max_body_bytes`` decompressed bytes and is
    empty for content that is not parsed (non-HTML, non-XML).
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
