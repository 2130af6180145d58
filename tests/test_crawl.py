"""Crawler behaviour against in-memory sites (httpx.MockTransport): no sockets at all."""

from __future__ import annotations

import asyncio
import gzip
import itertools
import zlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from audit.config import AuditConfig
from audit.crawl.crawler import Crawler, CrawlResult
from audit.crawl.fetcher import Fetcher, parse_retry_after
from audit.models import PageSummary
from mock_http import respond

ORIGIN = "http://clinic.test"
Route = tuple[int, dict[str, str], bytes] | Callable[[httpx.Request], httpx.Response]


def html(body: str, *, title: str = "Page", head: str = "") -> bytes:
    return (
        f"<!doctype html><html><head><title>{title}</title>{head}</head><body>{body}</body></html>"
    ).encode()


def page(*links: str, title: str = "Page") -> tuple[int, dict[str, str], bytes]:
    anchors = "".join(f'<a href="{href}">{href}</a>' for href in links)
    return 200, {"content-type": "text/html; charset=utf-8"}, html(anchors, title=title)


@dataclass
class MockSite:
    """A dict of path(+query) → response, recording every request it receives."""

    routes: dict[str, Route]
    requested: list[str] = field(default_factory=list)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requested.append(str(request.url))
        key = request.url.raw_path.decode()
        route = self.routes.get(key) or self.routes.get(request.url.path)
        if route is None:
            if request.url.path == "/robots.txt":
                return respond(404)
            return respond(404, {"content-type": "text/html"}, b"nope")
        if callable(route):
            return route(request)
        status, headers, body = route
        return respond(status, headers, body)

    def paths(self) -> list[str]:
        return [httpx.URL(url).raw_path.decode() for url in self.requested]


def crawl(
    mock: MockSite,
    *,
    sleeps: list[float] | None = None,
    site: dict[str, Any] | None = None,
    **settings: Any,
) -> CrawlResult:
    """Crawl ``mock`` with ``site`` and ``crawl`` settings; retry sleeps are recorded, not slept."""
    site_settings = {"start_urls": [f"{ORIGIN}/"], "sitemaps": "off", **(site or {})}
    config = AuditConfig.model_validate({"site": site_settings, "crawl": settings})

    async def record_sleep(seconds: float) -> None:
        if sleeps is not None:
            sleeps.append(seconds)

    fetcher = Fetcher(
        config.crawl,
        transport=httpx.MockTransport(mock.handler),
        sleep=record_sleep,
        backoff_base=0.01,
    )
    return asyncio.run(Crawler(config, fetcher=fetcher).run())


def rows(result: CrawlResult) -> dict[str, PageSummary]:
    return {row.url.removeprefix(ORIGIN): row for row in result.pages}


# --- discovery, depth, de-duplication -----------------------------------------------------


def test_follows_links_records_depth_and_first_referrer() -> None:
    site = MockSite(
        {
            "/": page("/a", "/b"),
            "/a": page("/c", "/b"),
            "/b": page("/"),
            "/c": page("/d"),
            "/d": page(),
        }
    )
    result = crawl(site)
    by_path = rows(result)
    assert set(by_path) == {"/", "/a", "/b", "/c", "/d"}
    assert {path: row.depth for path, row in by_path.items()} == {
        "/": 0,
        "/a": 1,
        "/b": 1,
        "/c": 2,
        "/d": 3,
    }
    assert by_path["/c"].found_on == f"{ORIGIN}/a"
    assert by_path["/b"].found_on == f"{ORIGIN}/"
    assert by_path["/"].source == "start" and by_path["/a"].source == "link"
    assert by_path["/"].title == "Page" and by_path["/"].outlinks == 2
    assert sorted(site.paths()) == sorted(["/robots.txt", "/", "/a", "/b", "/c", "/d"])


def test_depth_is_the_shortest_click_path_even_when_a_shallow_page_is_slow() -> None:
    async def answer(request: httpx.Request) -> httpx.Response:
        links = {"/": ["/slow", "/fast"], "/slow": ["/target"], "/fast": ["/mid"]}
        links["/mid"] = ["/target"]
        if request.url.path == "/slow":
            await asyncio.sleep(0.2)  # /fast -> /mid finish long before this page
        anchors = "".join(f'<a href="{href}">x</a>' for href in links.get(request.url.path, []))
        return respond(200, {"content-type": "text/html"}, html(anchors))

    config = AuditConfig.model_validate(
        {
            "site": {"start_urls": [f"{ORIGIN}/"], "sitemaps": "off"},
            "crawl": {"respect_robots": False, "concurrency": 4},
        }
    )
    result = asyncio.run(Crawler(config, transport=httpx.MockTransport(answer)).run())
    target = rows(result)["/target"]
    assert target.depth == 2
    assert target.found_on == f"{ORIGIN}/slow"


def test_equivalent_urls_are_fetched_once() -> None:
    site = MockSite(
        {
            "/": page(
                "/services/implants/",
                "/services/implants/#pricing",
                "/services/../services/implants/",
                "HTTP://CLINIC.TEST:80/services/./implants/",
                "/services/%69mplants/",
                "/services/implants/?utm_source=mail",
            ),
            "/services/implants/": page(),
        }
    )
    result = crawl(site)
    assert site.paths().count("/services/implants/") == 1
    assert [row.url for row in result.pages].count(f"{ORIGIN}/services/implants/") == 1


def test_only_http_links_inside_scope_are_requested() -> None:
    site = MockSite(
        {
            "/": page(
                "mailto:desk@clinic.test",
                "tel:+886212345678",
                "javascript:void(0)",
                "data:text/html,hi",
                "file:///etc/passwd",
                "ftp://clinic.test/x",
                "http://[broken",
                "https://other.test/page",
                "http://clinic.test:8080/other-port",
                "/private/x",
                "/ok",
            ),
            "/ok": page(),
        }
    )
    result = crawl(site, site={"exclude": ["/private/"]})
    assert sorted(site.paths()) == ["/", "/ok", "/robots.txt"]
    assert all(url.startswith(ORIGIN + "/") for url in site.requested)
    assert len(result.pages) == 2


def test_subdomains_and_allowed_domains() -> None:
    requested: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requested.append(str(request.url))
        links = '<a href="http://blog.clinic.test/">b</a><a href="http://elsewhere.test/">e</a>'
        return respond(200, {"content-type": "text/html"}, html(links))

    config = AuditConfig.model_validate(
        {
            "site": {"start_urls": [f"{ORIGIN}/"], "sitemaps": "off", "subdomains": True},
            "crawl": {"respect_robots": False},
        }
    )
    fetcher = Fetcher(config.crawl, transport=httpx.MockTransport(handler))
    asyncio.run(Crawler(config, fetcher=fetcher).run())
    assert requested == [f"{ORIGIN}/", "http://blog.clinic.test/"]


def test_include_patterns_limit_the_crawl_but_not_the_start_url() -> None:
    site = MockSite({"/": page("/en/a", "/zh/a"), "/en/a": page(), "/zh/a": page()})
    crawl(site, site={"include": [r"/en/"]})
    assert sorted(site.paths()) == ["/", "/en/a", "/robots.txt"]


def test_max_pages_and_max_depth() -> None:
    site = MockSite({"/": page("/1"), "/1": page("/2"), "/2": page("/3"), "/3": page()})
    result = crawl(site, max_depth=2)
    assert sorted(rows(result)) == ["/", "/1", "/2"]

    site = MockSite({"/": page("/a", "/b", "/c"), "/a": page(), "/b": page(), "/c": page()})
    result = crawl(site, max_pages=2)
    assert len(result.pages) == 2
    assert result.not_crawled == 2


def test_nofollow_links_and_meta_robots_nofollow_are_not_followed() -> None:
    nofollow_meta = '<meta name="robots" content="noindex, nofollow">'
    site = MockSite(
        {
            "/": (
                200,
                {"content-type": "text/html"},
                html('<a href="/a" rel="nofollow">a</a><a href="/b">b</a>'),
            ),
            "/b": (
                200,
                {"content-type": "text/html"},
                html('<a href="/c">c</a>', head=nofollow_meta),
            ),
            "/c": page(),
        }
    )
    crawl(site)
    assert sorted(site.paths()) == ["/", "/b", "/robots.txt"]
    site.requested.clear()
    crawl(site, follow_nofollow=True)
    assert {"/a", "/c"} <= set(site.paths())


def test_base_href_is_honoured() -> None:
    site = MockSite(
        {
            "/": (
                200,
                {"content-type": "text/html"},
                html('<a href="page">p</a>', head='<base href="/docs/">'),
            ),
            "/docs/page": page(),
        }
    )
    crawl(site)
    assert "/docs/page" in site.paths()


# --- robots.txt --------------------------------------------------------------------------


ROBOTS = b"""User-agent: *
Disallow: /staff/
Disallow: /search

User-agent: SiteAudit
Disallow: /staff/
Disallow: /search
Disallow: /only-for-us/
Crawl-delay: 2
"""


def test_robots_disallowed_urls_are_never_requested_but_recorded() -> None:
    site = MockSite(
        {
            "/robots.txt": (200, {"content-type": "text/plain"}, ROBOTS),
            "/": page("/staff/", "/search?q=implant", "/only-for-us/", "/open"),
            "/open": page(),
        }
    )
    sleeps: list[float] = []
    result = crawl(site, sleeps=sleeps)
    assert sorted(site.paths()) == ["/", "/open", "/robots.txt"]
    by_path = rows(result)
    for blocked in ("/staff/", "/search?q=implant", "/only-for-us/"):
        assert by_path[blocked].error == "blocked by robots.txt"
        assert by_path[blocked].status is None
        assert by_path[blocked].found_on == f"{ORIGIN}/"
    assert result.status_counts == {"200": 2, "blocked": 3}


def test_robots_crawl_delay_slows_the_host_down() -> None:
    site = MockSite({"/robots.txt": (200, {}, ROBOTS), "/": page()})
    config = AuditConfig.model_validate({"site": {"start_urls": [f"{ORIGIN}/"]}})
    crawler = Crawler(config, transport=httpx.MockTransport(site.handler))
    asyncio.run(crawler.robots.get(f"{ORIGIN}/"))
    assert crawler.fetcher.politeness.gate(f"{ORIGIN}/x").interval == 2.0


def test_respect_robots_off_fetches_everything() -> None:
    site = MockSite(
        {"/robots.txt": (200, {}, ROBOTS), "/": page("/staff/"), "/staff/": page()},
    )
    crawl(site, respect_robots=False)
    assert "/staff/" in site.paths()
    assert "/robots.txt" not in site.paths()


def test_robots_server_error_disallows_the_host() -> None:
    site = MockSite({"/robots.txt": (500, {}, b"oops"), "/": page("/a"), "/a": page()})
    result = crawl(site, retries=0)
    assert site.paths() == ["/robots.txt"]
    assert rows(result)["/"].error == "blocked by robots.txt"
    assert result.robots[0].disallow_all


def test_robots_missing_allows_everything() -> None:
    site = MockSite({"/": page("/a"), "/a": page()})
    result = crawl(site)
    assert len(result.pages) == 2
    assert result.robots[0].status == 404 and not result.robots[0].disallow_all


# --- sitemaps ----------------------------------------------------------------------------


def urlset(*paths: str) -> bytes:
    entries = "".join(f"<url><loc>{ORIGIN}{path}</loc></url>" for path in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}</urlset>'
    ).encode()


def sitemap_index(*paths: str) -> bytes:
    entries = "".join(f"<sitemap><loc>{ORIGIN}{path}</loc></sitemap>" for path in paths)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
        "</sitemapindex>"
    ).encode()


def test_sitemap_index_gzip_and_robots_sitemap_lines() -> None:
    robots = f"User-agent: *\nDisallow: /admin/\nSitemap: {ORIGIN}/sitemap_index.xml\n".encode()
    site = MockSite(
        {
            "/robots.txt": (200, {}, robots),
            "/sitemap_index.xml": (
                200,
                {"content-type": "application/xml"},
                sitemap_index("/pages.xml.gz", "/posts.xml"),
            ),
            "/pages.xml.gz": (
                200,
                {"content-type": "application/x-gzip"},
                gzip.compress(urlset("/", "/orphan", "/admin/secret")),
            ),
            "/posts.xml": (200, {"content-type": "text/xml"}, urlset("/blog/post")),
            "/sitemap.xml": (200, {"content-type": "text/plain"}, f"{ORIGIN}/plain\n".encode()),
            "/": page("/blog/post"),
            "/orphan": page(),
            "/plain": page(),
            "/blog/post": page(),
        }
    )
    result = crawl(site, site={"sitemaps": "auto"})
    by_path = rows(result)
    assert set(result.sitemaps.urls) == {
        f"{ORIGIN}{path}" for path in ("/", "/orphan", "/admin/secret", "/blog/post", "/plain")
    }
    assert by_path["/orphan"].depth is None
    assert by_path["/orphan"].source == "sitemap"
    assert by_path["/orphan"].found_on == f"{ORIGIN}/pages.xml.gz"
    # Linked from the home page: it has a click depth even though a sitemap listed it first.
    assert by_path["/blog/post"].depth == 1
    assert by_path["/blog/post"].source == "link"
    assert by_path["/blog/post"].in_sitemap
    assert by_path["/admin/secret"].error == "blocked by robots.txt"
    assert "/admin/secret" not in site.paths()
    assert result.sitemaps.problems == []


def test_sitemap_problems_are_reported_not_raised() -> None:
    site = MockSite(
        {
            "/broken.xml": (200, {"content-type": "application/xml"}, b"<urlset><url><loc>"),
            "/other.xml": (200, {"content-type": "application/xml"}, b"<rss></rss>"),
            "/": page(),
        }
    )
    result = crawl(
        site,
        site={"sitemaps": [f"{ORIGIN}/broken.xml", f"{ORIGIN}/missing.xml", f"{ORIGIN}/other.xml"]},
    )
    problems = dict(result.sitemaps.problems)
    assert problems[f"{ORIGIN}/broken.xml"].startswith("invalid XML")
    assert problems[f"{ORIGIN}/missing.xml"] == "answered HTTP 404"
    assert "root element is <rss>" in problems[f"{ORIGIN}/other.xml"]
    assert len(result.pages) == 1


def test_sitemaps_off_reads_none() -> None:
    site = MockSite({"/sitemap.xml": (200, {}, urlset("/orphan")), "/": page()})
    crawl(site, site={"sitemaps": "off"})
    assert "/sitemap.xml" not in site.paths()


# --- redirects ---------------------------------------------------------------------------


def redirect(status: int, location: str) -> tuple[int, dict[str, str], bytes]:
    return status, {"location": location}, b""


def test_redirect_chain_is_recorded_hop_by_hop() -> None:
    site = MockSite(
        {
            "/": page("/promo"),
            "/promo": redirect(302, "/promo-2025"),
            "/promo-2025": redirect(301, "https://clinic.test/offer/"),
            "/offer/": page(title="Offer"),
        }
    )
    result = crawl(site)
    by_path = {row.url: row for row in result.pages}
    promo = by_path[f"{ORIGIN}/promo"]
    assert promo.status == 302
    assert promo.final_url == "https://clinic.test/offer/"
    assert [(hop.status, hop.url, hop.location) for hop in promo.redirect_chain] == [
        (302, f"{ORIGIN}/promo", f"{ORIGIN}/promo-2025"),
        (301, f"{ORIGIN}/promo-2025", "https://clinic.test/offer/"),
    ]
    assert by_path[f"{ORIGIN}/promo-2025"].status == 301
    final = by_path["https://clinic.test/offer/"]
    assert final.status == 200 and final.title == "Offer" and final.source == "redirect"
    assert final.found_on == f"{ORIGIN}/promo-2025"
    assert site.paths().count("/offer/") == 1


def test_redirect_to_an_already_crawled_page_is_not_refetched() -> None:
    site = MockSite(
        {"/": page("/contact/", "/old-contact"), "/old-contact": redirect(301, "/contact/")}
    )
    site.routes["/contact/"] = page()
    result = crawl(site, concurrency=1)
    assert site.paths().count("/contact/") == 1
    old = rows(result)["/old-contact"]
    assert old.status == 301 and old.final_url == f"{ORIGIN}/contact/" and old.error is None


def test_redirect_loop_is_detected() -> None:
    site = MockSite(
        {"/": page("/a"), "/a": redirect(301, "/b"), "/b": redirect(302, "/a")},
    )
    result = crawl(site)
    looping = rows(result)["/a"]
    assert looping.error is not None and looping.error.startswith("redirect loop")
    assert [hop.status for hop in looping.redirect_chain] == [301, 302]
    assert site.paths().count("/a") == 1 and site.paths().count("/b") == 1


def test_redirects_out_of_scope_or_to_other_schemes_are_not_followed() -> None:
    site = MockSite(
        {
            "/": page("/out", "/file", "/blocked"),
            "/robots.txt": (200, {}, b"User-agent: *\nDisallow: /private/\n"),
            "/out": redirect(301, "https://booking.other.test/"),
            "/file": redirect(302, "file:///etc/passwd"),
            "/blocked": redirect(301, "/private/page"),
        }
    )
    result = crawl(site)
    by_path = rows(result)
    assert by_path["/out"].final_url == "https://booking.other.test/"
    assert by_path["/out"].error is None
    assert by_path["/file"].error == "redirect to a URL that is not http(s): file:///etc/passwd"
    assert by_path["/private/page"].error == "blocked by robots.txt"
    assert all(url.startswith(ORIGIN) for url in site.requested)
    assert "/private/page" not in site.paths()


def test_too_many_redirects() -> None:
    routes: dict[str, Route] = {f"/r{i}": redirect(301, f"/r{i + 1}") for i in range(20)}
    routes["/"] = page("/r0")
    result = crawl(MockSite(routes), max_redirects=3)
    assert rows(result)["/r0"].error == "too many redirects (more than 3)"


# --- retries -----------------------------------------------------------------------------


def flaky(*responses: tuple[int, dict[str, str]]) -> Callable[[httpx.Request], httpx.Response]:
    """Answer with each (status, headers) in turn, then keep repeating the last one."""
    queue = list(responses)

    def answer(request: httpx.Request) -> httpx.Response:
        status, headers = queue.pop(0) if len(queue) > 1 else queue[0]
        body = html("ok") if status == 200 else b""
        return respond(status, {"content-type": "text/html", **headers}, body)

    return answer


def test_429_and_503_are_retried_honouring_retry_after() -> None:
    site = MockSite(
        {"/": flaky((429, {"retry-after": "7"}), (503, {"retry-after": "120"}), (200, {}))}
    )
    sleeps: list[float] = []
    result = crawl(site, sleeps=sleeps, retries=2, retry_after_cap=30)
    assert rows(result)["/"].status == 200
    assert site.paths().count("/") == 3
    assert sleeps == [7.0, 30.0]


def test_retries_give_up_and_keep_the_last_status() -> None:
    site = MockSite({"/": flaky((503, {}))})
    sleeps: list[float] = []
    result = crawl(site, sleeps=sleeps, retries=2)
    assert rows(result)["/"].status == 503
    assert site.paths().count("/") == 3
    assert len(sleeps) == 2 and sleeps[0] < sleeps[1]  # exponential backoff


def test_connection_errors_are_retried_then_recorded() -> None:
    calls = {"count": 0}

    def refuse(request: httpx.Request) -> httpx.Response:
        calls["count"] += 1
        raise httpx.ConnectError("connection refused", request=request)

    site = MockSite({"/": refuse})
    result = crawl(site, retries=1)
    row = rows(result)["/"]
    assert calls["count"] == 2
    assert row.status is None
    assert row.error == "connection failed: connection refused"


def test_404_is_not_retried() -> None:
    site = MockSite({"/": page("/missing")})
    result = crawl(site, retries=3)
    assert rows(result)["/missing"].status == 404
    assert site.paths().count("/missing") == 1


@pytest.mark.parametrize(
    ("header", "expected"),
    [("12", 12.0), ("0", 0.0), ("soon", None), ("Wed, 21 Oct 2015 07:28:00 GMT", 0.0)],
)
def test_parse_retry_after(header: str, expected: float | None) -> None:
    assert parse_retry_after(header) == expected


# --- bodies: caps, encodings, content types ----------------------------------------------


def test_large_body_is_truncated_at_the_cap() -> None:
    body = html("<p>" + "x" * 50_000 + '</p><a href="/after">late</a>')
    site = MockSite({"/": (200, {"content-type": "text/html"}, body), "/after": page()})
    result = crawl(site, max_body_bytes=10_000)
    row = rows(result)["/"]
    assert row.truncated
    assert row.status == 200
    assert "/after" not in site.paths()


def test_gzip_bomb_is_capped_after_decompression() -> None:
    bomb = gzip.compress(b"<html><body>" + b" " * 20_000_000)
    assert len(bomb) < 100_000
    site = MockSite({"/": (200, {"content-type": "text/html", "content-encoding": "gzip"}, bomb)})
    result = crawl(site, max_body_bytes=1_000_000)
    row = rows(result)["/"]
    assert row.truncated and row.status == 200
    assert row.bytes < 100_000  # compressed bytes actually read


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "raw-deflate"])
def test_compressed_bodies_are_decoded(encoding: str) -> None:
    body = html('<a href="/next">n</a>', title="Compressed")
    if encoding == "gzip":
        data = gzip.compress(body)
    elif encoding == "deflate":
        data = zlib.compress(body)
    else:
        compressor = zlib.compressobj(wbits=-zlib.MAX_WBITS)
        data = compressor.compress(body) + compressor.flush()
        encoding = "deflate"
    site = MockSite({"/": (200, {"content-type": "text/html", "content-encoding": encoding}, data)})
    result = crawl(site)
    assert rows(result)["/"].title == "Compressed"
    assert "/next" in site.paths()


def test_corrupt_gzip_is_an_error_not_a_crash() -> None:
    site = MockSite(
        {"/": (200, {"content-type": "text/html", "content-encoding": "gzip"}, b"\x1f\x8bgarbage")}
    )
    result = crawl(site)
    assert rows(result)["/"].error is not None
    assert "corrupt gzip body" in (rows(result)["/"].error or "")


@pytest.mark.parametrize(
    ("headers", "body", "encoding", "title"),
    [
        (
            {"content-type": "text/html; charset=big5"},
            "<title>診所</title>".encode("big5"),
            "big5",
            "診所",
        ),
        (
            {"content-type": "text/html"},
            '<meta charset="iso-8859-1"><title>Café</title>'.encode("latin-1"),
            "cp1252",
            "Café",
        ),
        (
            {"content-type": "text/html; charset=iso-8859-1"},
            b"\xef\xbb\xbf<title>\xe8\xa8\xba\xe6\x89\x80</title>",
            "utf-8",
            "診所",
        ),
        (
            {"content-type": "text/html"},
            "<title>港光皮膚科診所 台北市信義區 酒糟肌 治療 說明 </title>".encode("big5") * 20,
            "big5",
            "港光皮膚科診所 台北市信義區 酒糟肌 治療 說明",
        ),
        (
            {"content-type": "text/html; charset=utf-8"},
            b"<title>ok \xff\xfe bad</title>",
            "utf-8",
            "ok \ufffd\ufffd bad",
        ),
        (
            {"content-type": "text/html; charset=no-such-charset"},
            "<title>Ünï</title>".encode(),
            "utf-8",
            "Ünï",
        ),
    ],
    ids=["header", "meta-latin1", "bom-wins", "detected", "undecodable", "bogus-label"],
)
def test_charset_detection(headers: dict[str, str], body: bytes, encoding: str, title: str) -> None:
    site = MockSite({"/": (200, headers, body)})
    result = crawl(site)
    row = rows(result)["/"]
    assert row.encoding == encoding
    assert row.title == title


def test_non_html_is_recorded_but_not_parsed() -> None:
    pdf = b"%PDF-1.7 <a href='/hidden'>not a link</a>" + b"\0" * 1000
    site = MockSite(
        {
            "/": page("/brochure.pdf", "/logo.png"),
            "/brochure.pdf": (
                200,
                {"content-type": "application/pdf", "content-length": str(len(pdf))},
                pdf,
            ),
            "/logo.png": (200, {"content-type": "image/png"}, b"\x89PNG"),
        }
    )
    result = crawl(site)
    by_path = rows(result)
    assert by_path["/brochure.pdf"].content_type == "application/pdf"
    assert by_path["/brochure.pdf"].status == 200
    assert by_path["/brochure.pdf"].bytes == len(pdf)
    assert by_path["/brochure.pdf"].title is None and by_path["/brochure.pdf"].outlinks == 0
    assert by_path["/logo.png"].content_type == "image/png"
    assert "/hidden" not in site.paths()


def test_missing_content_type_is_sniffed() -> None:
    site = MockSite({"/": (200, {}, b"<!DOCTYPE html><title>Sniffed</title><a href='/x'>x</a>")})
    result = crawl(site)
    assert rows(result)["/"].content_type == "text/html"
    assert "/x" in site.paths()


# --- politeness --------------------------------------------------------------------------


def test_per_host_concurrency_is_never_exceeded() -> None:
    state = {"active": 0, "peak": 0}

    async def slow(request: httpx.Request) -> httpx.Response:
        state["active"] += 1
        state["peak"] = max(state["peak"], state["active"])
        await asyncio.sleep(0.01)
        state["active"] -= 1
        if request.url.path == "/":
            links = "".join(f'<a href="/p{i}">p</a>' for i in range(30))
            return respond(200, {"content-type": "text/html"}, html(links))
        return respond(200, {"content-type": "text/html"}, html(""))

    config = AuditConfig.model_validate(
        {
            "site": {"start_urls": [f"{ORIGIN}/"], "sitemaps": "off"},
            "crawl": {"concurrency": 16, "per_host_concurrency": 3, "respect_robots": False},
        }
    )
    crawler = Crawler(config, transport=httpx.MockTransport(slow))
    result = asyncio.run(crawler.run())
    assert len(result.pages) == 31
    assert state["peak"] == 3


def test_custom_headers_and_user_agent_are_sent() -> None:
    seen: list[httpx.Headers] = []

    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers)
        return respond(200, {"content-type": "text/html"}, html(""))

    config = AuditConfig.model_validate(
        {
            "site": {"start_urls": [f"{ORIGIN}/"], "sitemaps": "off"},
            "crawl": {
                "user_agent": "ClinicBot/2.0",
                "headers": {"Authorization": "Basic c3RhZ2U6cGFzcw=="},
            },
        }
    )
    asyncio.run(Crawler(config, transport=httpx.MockTransport(respond)).run())
    assert {headers["user-agent"] for headers in seen} == {"ClinicBot/2.0"}
    assert {headers["authorization"] for headers in seen} == {"Basic c3RhZ2U6cGFzcw=="}


def test_requests_to_one_host_are_spaced_by_the_delay() -> None:
    starts: list[float] = []

    def answer(request: httpx.Request) -> httpx.Response:
        starts.append(asyncio.get_running_loop().time())
        links = (
            "".join(f'<a href="/p{i}">p</a>' for i in range(4)) if request.url.path == "/" else ""
        )
        return respond(200, {"content-type": "text/html"}, html(links))

    config = AuditConfig.model_validate(
        {
            "site": {"start_urls": [f"{ORIGIN}/"], "sitemaps": "off"},
            "crawl": {"respect_robots": False, "concurrency": 8, "delay": 0.05},
        }
    )
    asyncio.run(Crawler(config, transport=httpx.MockTransport(answer)).run())
    gaps = [later - earlier for earlier, later in itertools.pairwise(starts)]
    assert len(starts) == 5
    assert min(gaps) >= 0.045


class TrickleBody(httpx.AsyncByteStream):
    """A server that sends one byte every 50 ms, forever."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"<html><body>"
        while True:
            await asyncio.sleep(0.05)
            yield b"x"


def test_total_deadline_stops_a_trickling_response() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/":
            return respond(200, {"content-type": "text/html"}, html('<a href="/slow">s</a>'))
        return httpx.Response(200, headers={"content-type": "text/html"}, stream=TrickleBody())

    config = AuditConfig.model_validate(
        {
            "site": {"start_urls": [f"{ORIGIN}/"], "sitemaps": "off"},
            "crawl": {"respect_robots": False, "timeout": {"read": 5, "total": 0.3}},
        }
    )
    result = asyncio.run(Crawler(config, transport=httpx.MockTransport(answer)).run())
    slow = rows(result)["/slow"]
    assert slow.status == 200
    assert slow.error == "timed out after 0.3 s (total per-request deadline)"
    assert rows(result)["/"].error is None


def test_a_missing_guessed_sitemap_is_not_a_problem_but_a_declared_one_is() -> None:
    site = MockSite({"/": page()})
    assert crawl(site, site={"sitemaps": "auto"}).sitemaps.problems == []
    assert "/sitemap.xml" in site.paths()

    robots = f"User-agent: *\nSitemap: {ORIGIN}/sitemap.xml\n".encode()
    site = MockSite({"/robots.txt": (200, {}, robots), "/": page()})
    problems = crawl(site, site={"sitemaps": "auto"}).sitemaps.problems
    assert problems == [(f"{ORIGIN}/sitemap.xml", "answered HTTP 404")]


# --- memory: fetched entries leave the frontier for the journal ------------------------------


def test_fetched_urls_left_to_the_journal_are_still_never_fetched_twice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import audit.crawl.frontier as frontier_module
    from audit.store import RunStore

    def site() -> MockSite:
        # Every page links back to the home page and to its neighbours; one old URL
        # redirects to a page crawled long before.
        routes: dict[str, Route] = {
            f"/p{n}/": page("/", f"/p{n - 1}/", f"/p{n + 1}/", "/old") for n in range(1, 40)
        }
        routes["/"] = page("/p1/", "/p2/")
        routes["/old"] = redirect(301, "/p1/")
        return MockSite(routes)

    def crawl_with_journal(max_in_memory: int) -> tuple[CrawlResult, MockSite, int]:
        monkeypatch.setattr(frontier_module, "MAX_IN_MEMORY", max_in_memory)
        mock = site()
        config = AuditConfig.model_validate(
            {"site": {"start_urls": [f"{ORIGIN}/"], "sitemaps": "off"}, "crawl": {"concurrency": 2}}
        )
        fetcher = Fetcher(config.crawl, transport=httpx.MockTransport(mock.handler))
        store = RunStore(tmp_path / f"state-{max_in_memory}.sqlite")
        crawler = Crawler(config, fetcher=fetcher, journal=store)
        try:
            result = asyncio.run(crawler.run())
        finally:
            store.close()
        return result, mock, crawler.frontier.spilled

    spilled_run, spilled_site, spilled = crawl_with_journal(8)
    plain_run, plain_site, _ = crawl_with_journal(100_000)
    assert spilled > 0  # the small threshold did drop fetched entries
    assert sorted(spilled_site.paths()) == sorted(plain_site.paths())
    assert len(spilled_site.paths()) == len(set(spilled_site.paths()))  # nothing fetched twice
    assert {url: (row.status, row.depth) for url, row in rows(spilled_run).items()} == {
        url: (row.status, row.depth) for url, row in rows(plain_run).items()
    }
