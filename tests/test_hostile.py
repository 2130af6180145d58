"""The crawler against a hostile site: every fault is bounded, recorded and reported.

One module-scoped crawl runs the real command line (``audit crawl URL --max-pages 150
--timeout 5``) in a subprocess against the hostile loopback site of
``tests/hostile/server.py``; the tests read what it wrote and what the server saw. The
faults are also exercised one by one through the fetcher, against the same server and
against ``httpx.MockTransport``, where the timing can be controlled exactly.
"""

from __future__ import annotations

import asyncio
import csv
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from audit.config import AuditConfig
from audit.crawl.fetcher import Fetcher
from audit.models import ErrorKind, FetchResult
from hostile.server import (
    CALENDAR_START,
    LISTING,
    ROUTES,
    HostileSite,
    serve_hostile,
)
from mock_http import respond

CRAWL_TIMEOUT = 300  # seconds; a bound for a hung crawl, not a speed requirement
PEAK_RSS_MB = 600
# Runs a command and prints the peak RSS (KiB) of it and its descendants as the last line.
RSS_WRAPPER = """
import resource, subprocess, sys
code = subprocess.call(sys.argv[1:])
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, file=sys.stderr)
sys.exit(code)
"""
HOSTILE = sorted(path for path in ROUTES if path not in ("/", "/robots.txt"))


@dataclass(frozen=True)
class HostileCrawl:
    site: HostileSite
    returncode: int
    stdout: str
    stderr: str
    peak_rss_mb: float
    run_dir: Path
    pages: dict[str, dict[str, str]]
    findings: list[dict[str, str]]

    def row(self, path: str) -> dict[str, str]:
        assert path in self.pages, f"no row for {path} in pages.csv"
        return self.pages[path]

    def flagged(self, rule: str) -> set[str]:
        """Paths with a finding of ``rule``."""
        origin = self.site.origin
        return {f["url"].removeprefix(origin) for f in self.findings if f["rule"] == rule}

    def requests_to(self, prefix: str) -> list[str]:
        return [target for target in self.site.paths() if target.startswith(prefix)]


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileCrawl]:
    out = tmp_path_factory.mktemp("hostile")
    with serve_hostile() as site:
        command = [
            *(sys.executable, "-c", RSS_WRAPPER),
            *(sys.executable, "-m", "audit", "crawl", f"{site.origin}/"),
            *("--max-pages", "150", "--timeout", "5", "--out", str(out)),
        ]
        process = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=CRAWL_TIMEOUT,
            env=dict(os.environ),
            cwd=out,
        )
        *stderr_lines, rss_line = process.stderr.rstrip("\n").split("\n")
        (run_dir,) = (p.parent for p in out.glob("*/*/run.json") if not p.parent.is_symlink())
        origin = site.origin
        pages = {row["url"].removeprefix(origin): row for row in read_rows(run_dir / "pages.csv")}
        yield HostileCrawl(
            site=site,
            returncode=process.returncode,
            stdout=process.stdout,
            stderr="\n".join(stderr_lines),
            peak_rss_mb=int(rss_line) / 1024,
            run_dir=run_dir,
            pages=pages,
            findings=read_rows(run_dir / "findings.csv"),
        )


# --- the whole crawl through the command line -------------------------------------------------


def test_the_crawl_finishes_without_a_traceback_and_writes_the_report(crawl: HostileCrawl) -> None:
    assert crawl.returncode in (0, 1), crawl.stderr
    assert "Traceback" not in crawl.stdout and "Traceback" not in crawl.stderr, crawl.stderr
    for name in ("report.html", "findings.csv", "pages.csv", "run.json"):
        assert (crawl.run_dir / name).is_file(), name
    assert "Run folder:" in crawl.stderr


def test_peak_memory_stays_bounded(crawl: HostileCrawl) -> None:
    # A 500 MB body and a 1 GB gzip bomb: both must be cut off, never held.
    assert crawl.peak_rss_mb < PEAK_RSS_MB, f"peak RSS {crawl.peak_rss_mb:.0f} MB"


def test_every_hostile_url_has_a_row_with_its_status_or_error(crawl: HostileCrawl) -> None:
    for path in HOSTILE:
        row = crawl.row(path)
        assert row["status"] or row["error"], (path, row)


@pytest.mark.parametrize(
    ("path", "status", "error"),
    [
        ("/never-starts", "", "timed out after 5 s"),
        ("/trickle", "200", "timed out after 5 s"),
        ("/reset", "", "connection"),
        ("/huge-headers", "", "protocol error"),
        ("/redirect-file", "302", "redirect to a URL that is not http(s): file:///etc/passwd"),
        ("/server-error", "500", ""),
        ("/too-many-requests", "200", ""),
        ("/unavailable", "200", ""),
        ("/empty", "200", ""),
        ("/binary", "200", ""),
        ("/deep-nesting", "200", ""),
        ("/huge-jsonld", "200", ""),
        ("/bad-links", "200", ""),
    ],
)
def test_rows_say_what_happened(crawl: HostileCrawl, path: str, status: str, error: str) -> None:
    row = crawl.row(path)
    assert row["status"] == status, row
    if error:
        assert error in row["error"], row
    else:
        assert row["error"] == "", row


@pytest.mark.parametrize("path", ["/huge-body", "/gzip-bomb", "/short-body", "/reset-mid-body"])
def test_cut_off_bodies_are_audited_from_what_arrived(crawl: HostileCrawl, path: str) -> None:
    row = crawl.row(path)
    assert (row["status"], row["truncated"], row["error"]) == ("200", "True", ""), row
    assert row["title"], row  # the partial page was parsed


def test_size_caps_hold_on_the_wire(crawl: HostileCrawl) -> None:
    assert int(crawl.row("/huge-body")["bytes"]) <= 10_100_000  # of 500 MB
    assert int(crawl.row("/gzip-bomb")["bytes"]) < 2_000_000  # 1 GB once inflated
    assert crawl.row("/empty")["bytes"] == "0"


def test_a_latin1_page_is_decoded_from_its_meta_charset(crawl: HostileCrawl) -> None:
    row = crawl.row("/latin1")
    assert (row["status"], row["encoding"]) == ("200", "cp1252")
    assert row["title"] == "Café crème à la carte"


def test_redirects_off_the_site_are_recorded_not_followed(crawl: HostileCrawl) -> None:
    site = crawl.site
    other = crawl.row("/redirect-other-host")
    assert other["status"] == "302"
    assert other["final_url"] == f"http://localhost:{site.other.port}/via-redirect"
    unreachable = crawl.row("/redirect-unreachable")
    assert unreachable["final_url"] == f"http://127.0.0.1:{site.dead_port}/"
    assert crawl.row("/redirect-loop")["status"] == "302"
    assert crawl.row("/redirect-loop-b")["status"] == "301"


@pytest.mark.parametrize(
    ("rule", "paths"),
    [
        ("fetch-timeout", {"/never-starts", "/trickle"}),
        ("fetch-failed", {"/reset", "/huge-headers"}),
        ("body-truncated", {"/huge-body", "/gzip-bomb", "/short-body", "/reset-mid-body"}),
        ("http-error", {"/server-error"}),
    ],
)
def test_each_fault_is_the_finding_a_user_acts_on(
    crawl: HostileCrawl, rule: str, paths: set[str]
) -> None:
    assert paths <= crawl.flagged(rule), crawl.flagged(rule)
    # ... and no other hostile URL gets it (429/503 recovered; a wrong Content-Length that
    # is too long is either cut or rejected, see below).
    assert crawl.flagged(rule) - paths <= {"/long-body"}


def test_a_content_length_shorter_than_the_body_is_cut_there(crawl: HostileCrawl) -> None:
    # Bytes after the declared length cannot be told from the start of the next response:
    # the page is read up to its Content-Length, as browsers do, unless the transport saw
    # the extra bytes arrive with the response and rejected it as invalid HTTP.
    row = crawl.row("/long-body")
    if row["status"]:
        assert (row["status"], row["bytes"], row["error"]) == ("200", "300", ""), row
    else:
        assert "/long-body" in crawl.flagged("fetch-failed"), row


def test_the_redirect_loop_and_the_file_redirect_are_reported(crawl: HostileCrawl) -> None:
    assert crawl.flagged("redirect-loop") & {"/redirect-loop", "/redirect-loop-b"}
    origin = crawl.site.origin
    broken = {f["evidence"] for f in crawl.findings if f["rule"] == "broken-link"}
    for path in ("/redirect-file", "/redirect-loop", "/never-starts", "/reset"):
        assert any(evidence.endswith(f"→ {origin}{path}") for evidence in broken), path


def test_no_rule_crashed_on_a_hostile_page(crawl: HostileCrawl) -> None:
    crashed = [f for f in crawl.findings if f["rule"] == "rule-crashed"]
    assert not crashed, [(f["url"], f["message"]) for f in crashed]


def test_nothing_outside_http_and_the_scope_was_requested(crawl: HostileCrawl) -> None:
    site = crawl.site
    assert site.other.requests == []
    assert {request.host for request in site.requests} == {f"127.0.0.1:{site.port}"}
    assert {request.method for request in site.requests} == {"GET"}
    targets = site.paths()
    assert not [t for t in targets if t.startswith("/long/")]  # longer than 2048 characters
    assert not [t for t in targets if "passwd" in t or "prices.pdf" in t or "::1" in t]
    # Each hostile URL at most once per try (crawl.retries is 2), never in a loop.
    for path in HOSTILE:
        assert targets.count(path) <= 6, (path, targets.count(path))


def test_the_traps_stay_within_the_guard_limits(crawl: HostileCrawl) -> None:
    calendar = crawl.requests_to("/calendar/")
    listing = crawl.requests_to(LISTING)
    assert CALENDAR_START in calendar
    assert 10 <= len(calendar) <= 36  # crawl.max_date_variants
    assert len(set(calendar)) == len(calendar)
    assert 10 <= len(listing) <= 1 + 25  # the bare path and crawl.max_query_variants
    traps = {
        f["evidence"].split(" (e.g.")[0]: f for f in crawl.findings if f["rule"] == "crawl-trap"
    }
    origin = crawl.site.origin
    assert f"{origin}/calendar/{{year}}/{{month}}" in traps
    assert f"{origin}{LISTING}?…" in traps
    assert f"{origin}/long…" in traps
    assert len(traps) == 3


# --- one fault at a time, through the fetcher -------------------------------------------------


def fetch_config(**crawl: Any) -> AuditConfig:
    settings = {"retries": 0, "timeout": 5, **crawl}
    return AuditConfig.model_validate(
        {"site": {"start_urls": ["http://x.test/"]}, "crawl": settings}
    )


def fetch(
    url: str, *, transport: httpx.AsyncBaseTransport | None = None, **crawl: Any
) -> FetchResult:
    async def go() -> FetchResult:
        async with Fetcher(
            fetch_config(**crawl).crawl, transport=transport, backoff_base=0.01
        ) as fetcher:
            return await fetcher.fetch(url)

    return asyncio.run(go())


@pytest.fixture(scope="module")
def hostile() -> Iterator[HostileSite]:
    with serve_hostile() as site:
        yield site


@pytest.mark.parametrize(
    ("path", "kind", "truncated", "status"),
    [
        ("/reset", ErrorKind.CONNECTION, False, None),
        ("/huge-headers", ErrorKind.PROTOCOL, False, None),
        ("/short-body", ErrorKind.BODY_INCOMPLETE, True, 200),
        ("/reset-mid-body", ErrorKind.BODY_INCOMPLETE, True, 200),
        ("/gzip-bomb", ErrorKind.BODY_TOO_LARGE, True, 200),
        ("/huge-body", ErrorKind.BODY_TOO_LARGE, True, 200),
        ("/redirect-file", ErrorKind.REDIRECT_NOT_HTTP, False, 302),
        ("/redirect-loop", ErrorKind.REDIRECT_LOOP, False, 301),
        ("/latin1", None, False, 200),
        ("/empty", None, False, 200),
    ],
)
def test_each_fault_is_classified_by_the_fetcher(
    hostile: HostileSite,
    path: str,
    kind: ErrorKind | None,
    truncated: bool,
    status: int | None,
) -> None:
    result = fetch(hostile.origin + path, max_body_bytes=1_000_000)
    assert (result.error_kind, result.truncated, result.status) == (kind, truncated, status), (
        result.error
    )
    # A body cut short is no error: the page is audited from what arrived.
    assert (result.error is None) == (kind is None or truncated)
    if truncated:
        assert result.ok and result.text.startswith("<!doctype html>")
        assert len(result.body) <= 1_000_000 and result.bytes_downloaded < 2_000_000


@pytest.mark.parametrize(
    ("transport", "path", "error"),
    [
        # The default transport reports no phases: connect and read together bound the wait.
        (None, "/never-starts", "no answer within 0.6 s (connect + read timeout)"),
        # httpcore's trace events tell the phases apart.
        ("httpcore", "/never-starts", "read timeout: no data for 0.4 s"),
        # A byte a second: never silent for 2 s, but never done either.
        (None, "/trickle", "timed out after 2.5 s (total per-request deadline)"),
    ],
)
def test_slow_servers_hit_their_limit(
    hostile: HostileSite, transport: str | None, path: str, error: str
) -> None:
    chosen = httpx.AsyncHTTPTransport() if transport else None
    read = 2 if path == "/trickle" else 0.4
    timeout = {"connect": 0.2, "read": read, "total": 2.5}
    result = fetch(hostile.origin + path, transport=chosen, timeout=timeout)
    assert (result.error, result.error_kind) == (error, ErrorKind.TIMEOUT)


class Stalled(httpx.AsyncByteStream):
    """A first chunk, then silence."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"<html><title>partial</title>"
        await asyncio.sleep(3600)


class BreaksAfter(httpx.AsyncByteStream):
    def __init__(self, error: type[httpx.TransportError]) -> None:
        self.error = error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"<html><head><title>Half a page</title></head><body><p>first half"
        raise self.error("connection broken mid-body")


def mock(handler: Callable[[httpx.Request], Any]) -> httpx.MockTransport:
    return httpx.MockTransport(handler)


@pytest.mark.parametrize("error", [httpx.ReadError, httpx.RemoteProtocolError])
def test_a_body_that_breaks_is_retried_then_kept(error: type[httpx.TransportError]) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200, headers={"content-type": "text/html"}, stream=BreaksAfter(error))

    result = fetch("http://x.test/page", transport=mock(handler), retries=1)
    assert len(calls) == 2  # a break mid-body may be a hiccup: tried again
    assert result.ok and result.error is None
    assert result.truncated and result.error_kind is ErrorKind.BODY_INCOMPLETE
    assert "first half" in result.text


@pytest.mark.parametrize(
    ("error", "kind", "tries"),
    [
        (httpx.ConnectError, ErrorKind.CONNECTION, 2),
        (httpx.ReadError, ErrorKind.CONNECTION, 2),
        (httpx.RemoteProtocolError, ErrorKind.PROTOCOL, 2),
        (httpx.UnsupportedProtocol, ErrorKind.PROTOCOL, 1),
        (httpx.ReadTimeout, ErrorKind.TIMEOUT, 1),
    ],
)
def test_failures_before_an_answer_are_classified_by_type(
    error: type[httpx.TransportError], kind: ErrorKind, tries: int
) -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        raise error("the message text does not matter", request=request)

    result = fetch("http://x.test/", transport=mock(handler), retries=1)
    assert (result.status, result.error_kind, len(calls)) == (None, kind, tries)
    assert result.error and not result.truncated


def test_an_encoding_that_was_not_asked_for_is_a_corrupt_body() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return respond(200, {"content-type": "text/html", "content-encoding": "br"}, b"\x8b\x02")

    result = fetch("http://x.test/", transport=mock(handler))
    assert result.error_kind is ErrorKind.BODY_CORRUPT
    assert result.error == "unreadable body: unsupported Content-Encoding 'br'"


def test_too_many_redirects_has_its_kind() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        step = int(request.url.path.strip("/") or 0)
        return respond(301, {"location": f"/{step + 1}"})

    result = fetch("http://x.test/", transport=mock(handler), max_redirects=3)
    assert result.error_kind is ErrorKind.TOO_MANY_REDIRECTS
    assert len(result.redirect_chain) == 4


def test_the_read_limit_is_the_longest_silence_once_the_answer_started() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "text/html"}, stream=Stalled())

    started = time.perf_counter()
    result = fetch("http://x.test/", transport=mock(handler), timeout={"read": 0.2, "total": 30})
    assert time.perf_counter() - started < 5
    assert result.status == 200
    assert (result.error, result.error_kind) == ("read timeout: no data for 0.2 s", "timeout")


def test_a_stalled_event_loop_does_not_time_out_the_requests_in_flight() -> None:
    """Parsing a heavy page blocks the loop; the requests beside it must not pay for it."""

    async def slow_but_fine(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/silent":
            await asyncio.sleep(3600)
        await asyncio.sleep(0.3)
        return respond(200, {"content-type": "text/html"}, b"<title>fine</title>")

    async def scenario() -> tuple[FetchResult, FetchResult]:
        config = fetch_config(timeout=1).crawl
        async with Fetcher(config, transport=mock(slow_but_fine)) as fetcher:

            async def heavy_page() -> None:
                await asyncio.sleep(0.05)
                time.sleep(1.5)  # synchronous work on the loop, longer than the deadline

            fine, silent, _ = await asyncio.gather(
                fetcher.fetch("http://x.test/fine"),
                fetcher.fetch("http://x.test/silent"),
                heavy_page(),
            )
            return fine, silent

    fine, silent = asyncio.run(scenario())
    assert fine.ok and fine.error is None, fine.error
    # A server that never answers still times out, after its own second of waiting.
    assert silent.error == "timed out after 1 s (total per-request deadline)"
    assert silent.fetch_ms >= 1000 + 1400
