"""The link site rules (K001–K009) over whole crawls of small in-memory sites.

Each fixture site is served by ``httpx.MockTransport`` (no sockets) and run through
the real pipeline (crawl, page facts, link store, site rules); one test runs the
bundled demo clinic over loopback and checks the defects its answer key documents.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from audit.config import load_config
from audit.demo import DEMO_SITE, serve_site
from audit.models import Finding
from audit.runner import RunOutcome, run_audit
from mock_http import respond

ORIGIN = "http://clinic.test"
HTML = {"content-type": "text/html; charset=utf-8"}
Route = tuple[int, dict[str, str], bytes] | Callable[[httpx.Request], httpx.Response]


@dataclass
class MockSite:
    """A dict of path → response; anything else is a 404 page (robots.txt: a bare 404)."""

    routes: dict[str, Route]
    requested: list[str] = field(default_factory=list)

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requested.append(request.url.path)
        route = self.routes.get(request.url.path)
        if route is None:
            if request.url.path == "/robots.txt":
                return respond(404)
            return respond(404, HTML, b"<html><head><title>Not found</title></head></html>")
        if callable(route):
            return route(request)
        status, headers, body = route
        return respond(status, headers, body)


def page(
    title: str, *links: tuple[str, str], head: str = "", lang: str = "en"
) -> tuple[int, dict[str, str], bytes]:
    """A 200 HTML page with the links ``(href, anchor)`` in its body."""
    anchors = "".join(f'<p><a href="{href}">{text}</a></p>' for href, text in links)
    body = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{title}</title>{head}</head><body><h1>{title}</h1>{anchors}</body></html>"
    )
    return 200, HTML, body.encode()


def redirect(to: str, status: int = 301) -> tuple[int, dict[str, str], bytes]:
    return status, {"location": to}, b""


def text(body: str, content_type: str = "text/plain") -> tuple[int, dict[str, str], bytes]:
    return 200, {"content-type": content_type}, body.encode()


def unreachable(request: httpx.Request) -> httpx.Response:
    raise httpx.ConnectError("connection refused", request=request)


def run(mock: MockSite, tmp_path: Path, **overrides: Any) -> RunOutcome:
    settings = {
        "site.start_urls": [f"{ORIGIN}/"],
        "site.sitemaps": "off",
        "report.out_dir": tmp_path,
        "crawl.retries": 0,
        **overrides,
    }
    return run_audit(load_config(None, settings), transport=httpx.MockTransport(mock.handler))


def of_rule(outcome: RunOutcome, rule: str) -> dict[str, list[Finding]]:
    """The rule's findings by URL path."""
    found: dict[str, list[Finding]] = {}
    for finding in outcome.findings:
        if finding.rule == rule:
            found.setdefault(finding.url.removeprefix(ORIGIN), []).append(finding)
    return found


def only(findings: dict[str, list[Finding]], path: str) -> Finding:
    assert path in findings, f"nothing on {path}; found on {sorted(findings)}"
    assert len(findings[path]) == 1, [f.message for f in findings[path]]
    return findings[path][0]


# --- a clinic with errors, redirects and a private area --------------------------------------

LASER = "/treatments/laser-toning/"  # deleted: 404

CLINIC: dict[str, Route] = {
    "/robots.txt": text("User-agent: *\nDisallow: /staff/\n"),
    "/": page(
        "Harbor Light Skin Clinic",
        ("/treatments/", "Treatments"),
        ("/zh-hant/", "中文"),
        ("/contact/", "Contact"),
        ("/staff/", "Staff login 員工專區"),
    ),
    "/treatments/": page(
        "Treatments",
        ("/treatments/acne-scar/", "Acne scars"),
        (LASER, "Laser toning"),
        ("/old-contact", "Book a consultation 預約諮詢"),
        ("/promo", "Spring offer"),
        ("/booking", "Book a visit 預約門診"),
        ("/gone-offer", "Last year's offer"),
        ("/server-error", "Price list"),
        ("/offline", "Online booking"),
        ("/staff/", "Staff login 員工專區"),
    ),
    "/treatments/acne-scar/": page(
        "Acne scar treatment",
        (LASER, "淨膚雷射 laser toning"),
        (LASER, "laser toning again"),
        ("/contact/", "Contact"),
        ("/staff/", "Staff"),
    ),
    "/zh-hant/": page(
        "港光皮膚科診所", ("/contact/", "聯絡我們"), ("/treatments/", "療程"), lang="zh-Hant"
    ),
    "/contact/": page("Contact 聯絡我們", ("/", "Home")),
    "/old-contact": redirect("/contact/"),
    "/promo": redirect("/promo-2025"),
    "/promo-2025": redirect("/offers/spring/", 302),
    "/offers/spring/": page("Spring offer 春季優惠", ("/", "Home")),
    "/booking": redirect("/booking/", 302),
    "/booking/": redirect("/booking"),
    "/gone-offer": redirect("/offers/expired/"),
    "/server-error": (500, HTML, b"<html><body>oops</body></html>"),
    "/offline": unreachable,
}


@pytest.fixture(scope="module")
def clinic(tmp_path_factory: pytest.TempPathFactory) -> RunOutcome:
    mock = MockSite(CLINIC)
    outcome = run(mock, tmp_path_factory.mktemp("clinic"))
    assert "/staff/" not in mock.requested
    return outcome


def test_http_error_reports_each_failed_url_once_with_status_and_origin(
    clinic: RunOutcome,
) -> None:
    errors = of_rule(clinic, "http-error")
    assert set(errors) == {LASER, "/server-error", "/offers/expired/"}
    laser = only(errors, LASER)
    assert laser.code == "K001" and laser.severity == "error" and laser.category == "links"
    assert "HTTP 404 Not Found" in laser.message
    assert f"found through a link on {ORIGIN}/treatments/" in laser.message
    assert "2 crawled pages link to it" in laser.message
    assert "HTTP 500 Internal Server Error" in only(errors, "/server-error").message
    # Reached through /gone-offer's redirect, and said so.
    expired = only(errors, "/offers/expired/").message
    assert f"reached by a redirect from {ORIGIN}/gone-offer" in expired
    # Look-alikes: a robots.txt block, a redirect hop, a loop and a URL that did not answer
    # (fetch-failed) are not HTTP errors.
    for quiet in ("/staff/", "/old-contact", "/gone-offer", "/booking", "/booking/", "/offline"):
        assert quiet not in errors


def test_fetch_failed_reports_a_refused_connection_once(clinic: RunOutcome) -> None:
    failed = of_rule(clinic, "fetch-failed")
    assert set(failed) == {"/offline"}
    offline = only(failed, "/offline")
    assert offline.code == "K010" and offline.severity == "error"
    assert "the connection failed before any answer arrived" in offline.message
    assert "(connection failed: connection refused)" in offline.message
    assert f"found through a link on {ORIGIN}/treatments/" in offline.message
    assert "firewall" in offline.fix
    for rule in ("fetch-timeout", "body-truncated", "crawl-trap"):
        assert of_rule(clinic, rule) == {}, rule


def test_broken_link_is_reported_on_the_linking_page_once_per_target(
    clinic: RunOutcome,
) -> None:
    broken = of_rule(clinic, "broken-link")
    on_acne = broken["/treatments/acne-scar/"]
    assert len(on_acne) == 1  # two links to the same target: one finding
    finding = on_acne[0]
    assert finding.code == "K002" and finding.severity == "error"
    assert f"{ORIGIN}{LASER}" in finding.message and "HTTP 404 Not Found" in finding.message
    # The first link's anchor text and the target are in the evidence.
    assert "淨膚雷射 laser toning" in finding.evidence and LASER in finding.evidence
    targets = {f.evidence.rsplit(" → ", 1)[1].removeprefix(ORIGIN) for f in broken["/treatments/"]}
    assert targets == {LASER, "/gone-offer", "/booking", "/server-error", "/offline"}
    by_target = {
        f.evidence.rsplit(" → ", 1)[1].removeprefix(ORIGIN): f for f in broken["/treatments/"]
    }
    assert f"redirects to {ORIGIN}/offers/expired/" in by_target["/gone-offer"].message
    assert "redirect loop" in by_target["/booking"].message
    # Look-alikes: links to a robots.txt-blocked URL and to a working redirect are not broken.
    assert not any("/staff/" in f.evidence for fs in broken.values() for f in fs)
    assert not any("/old-contact" in f.evidence for fs in broken.values() for f in fs)
    assert set(broken) == {"/treatments/", "/treatments/acne-scar/"}


def test_redirect_chain_lists_each_hop_once_and_ignores_single_redirects(
    clinic: RunOutcome,
) -> None:
    chains = of_rule(clinic, "redirect-chain")
    assert set(chains) == {"/promo"}  # not /old-contact (one hop), not the /booking loop
    chain = only(chains, "/promo")
    assert chain.code == "K003" and chain.severity == "warning"
    assert "redirects 2 times" in chain.message
    assert f"{ORIGIN}/promo (301) → {ORIGIN}/promo-2025 (302) → {ORIGIN}/offers/spring/" in (
        chain.message
    )
    assert f"before it reaches {ORIGIN}/offers/spring/ (HTTP 200 OK)" in chain.message


def test_redirect_loop_is_reported_once_where_the_crawl_entered_it(clinic: RunOutcome) -> None:
    loops = of_rule(clinic, "redirect-loop")
    assert set(loops) == {"/booking"}
    loop = only(loops, "/booking")
    assert loop.code == "K004" and loop.severity == "error"
    assert f"{ORIGIN}/booking (302) → {ORIGIN}/booking/ (301) → {ORIGIN}/booking" in loop.message


def test_redirected_link_names_where_the_redirect_ends(clinic: RunOutcome) -> None:
    redirected = of_rule(clinic, "redirected-link")
    assert set(redirected) == {"/treatments/"}
    by_target = {
        f.evidence.rsplit(" → ", 1)[1].removeprefix(ORIGIN): f for f in redirected["/treatments/"]
    }
    # A single 301 is not a chain, but a link to it is a redirected link; broken
    # redirects (/gone-offer, the /booking loop) are broken links instead.
    assert set(by_target) == {"/old-contact", "/promo"}
    old = by_target["/old-contact"]
    assert old.code == "K005" and old.severity == "notice"
    assert "“Book a consultation 預約諮詢”" in old.evidence
    assert f"a 301 redirect to {ORIGIN}/contact/" in old.message
    assert f"point at {ORIGIN}/contact/ directly" in old.fix
    assert f"2 redirects to {ORIGIN}/offers/spring/" in by_target["/promo"].message


def test_robots_blocked_linked_counts_the_linking_pages(clinic: RunOutcome) -> None:
    blocked = of_rule(clinic, "robots-blocked-linked")
    assert set(blocked) == {"/staff/"}
    staff = only(blocked, "/staff/")
    assert staff.code == "K008" and staff.severity == "notice"
    assert "3 crawled pages link to it" in staff.message
    assert f"for example {ORIGIN}/," in staff.message and "Staff login 員工專區" in staff.message


def test_no_sitemap_no_sitemap_findings_and_shallow_pages_are_fine(clinic: RunOutcome) -> None:
    for rule in ("orphan-page", "sitemap-invalid-url", "depth-too-deep"):
        assert of_rule(clinic, rule) == {}


def test_a_chain_the_crawler_gave_up_on_is_a_chain_and_its_links_are_broken(
    tmp_path: Path,
) -> None:
    mock = MockSite(
        {
            "/": page("首頁 Home", ("/r1", "Old price list 舊價目表")),
            "/r1": redirect("/r2"),
            "/r2": redirect("/r3"),
            "/r3": redirect("/prices/"),
            "/prices/": page("Prices"),
        }
    )
    outcome = run(mock, tmp_path, **{"crawl.max_redirects": 2})
    chain = only(of_rule(outcome, "redirect-chain"), "/r1")
    assert "redirects 3 times and the crawler gave up (too many redirects" in chain.message
    assert f"{ORIGIN}/r3 (301) → {ORIGIN}/prices/" in chain.message
    link = only(of_rule(outcome, "broken-link"), "/")
    assert "never reaches a page (too many redirects" in link.message
    assert "“Old price list 舊價目表”" in link.evidence
    for quiet in ("http-error", "redirect-loop", "redirected-link"):
        assert of_rule(outcome, quiet) == {}, quiet


# --- fetch faults: timeouts, truncated bodies, broken answers, crawl traps -------------------


class StalledBody(httpx.AsyncByteStream):
    """Sends the start of a page, then nothing more (until the deadline cancels the read)."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield b"<html><head><title>Slow</title></head><body>"
        await asyncio.sleep(3600)


class BrokenBody(httpx.AsyncByteStream):
    """The start of a page, then the connection breaks (a reset or a short Content-Length)."""

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield page("Cut off 半頁", ("/after-the-cut", "never seen"))[2][:150]
        raise httpx.RemoteProtocolError("peer closed connection without sending complete body")


def stalled(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, headers=HTML, stream=StalledBody())


def broken_body(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, headers=HTML, stream=BrokenBody())


def never_answers(request: httpx.Request) -> httpx.Response:
    raise httpx.ReadTimeout("timed out", request=request)


def bad_http(request: httpx.Request) -> httpx.Response:
    raise httpx.RemoteProtocolError("Receive buffer too long", request=request)


def calendar(request: httpx.Request) -> httpx.Response:
    year, month = (int(part) for part in request.url.path.split("/")[2:4])
    before = f"/calendar/{year - (month == 1)}/{(month - 2) % 12 + 1:02d}"
    after = f"/calendar/{year + (month == 12)}/{month % 12 + 1:02d}"
    status, headers, body = page(f"{year}-{month}", (before, "previous"), (after, "next"))
    return respond(status, headers, body)


def listing(request: httpx.Request) -> httpx.Response:
    number = int(request.url.params.get("page", "1"))
    links = [(f"/listing?sort={sort}&page={number}", sort) for sort in "abc"]
    links.append((f"/listing?page={number + 1}", "next"))
    status, headers, body = page(f"Listing {number}", *links)
    return respond(status, headers, body)


FAULTS: dict[str, Route] = {
    "/": page(
        "Harbor Light",
        ("/slow/", "Slow"),
        ("/stuck", "Stuck"),
        ("/cut-off/", "Cut off"),
        ("/huge/", "Huge"),
        ("/bad-http", "Bad HTTP"),
        ("/corrupt", "Corrupt"),
        ("/loop-a", "Loop A"),
        ("/loop-b", "Loop B"),
        ("/calendar/2026/11", "Calendar"),
        ("/listing", "Listing"),
        ("/x/" + "y" * 3000, "Long"),
        ("rel/", "Relative"),
    ),
    "/slow/": stalled,
    "/stuck": never_answers,
    "/cut-off/": broken_body,
    "/huge/": page("Huge 巨大", head="<!--" + "x" * 30_000 + "-->"),
    "/bad-http": bad_http,
    "/corrupt": (200, {**HTML, "content-encoding": "gzip"}, b"\x1f\x8b\x08garbage"),
    "/loop-a": redirect("/loop-b", 302),
    "/loop-b": redirect("/loop-a"),
    "/calendar/": calendar,
    "/listing": listing,
    "/rel/": page("Relative", ("rel/", "deeper")),
}


class FaultSite(MockSite):
    """Prefix routes too: ``/calendar/`` and ``/rel/…`` answer every path below them."""

    def handler(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        for prefix in ("/calendar/", "/rel/"):
            if path.startswith(prefix) and path != prefix:
                self.requested.append(path)
                route = self.routes[prefix]
                if callable(route):
                    return route(request)
                return respond(*route)
        return super().handler(request)


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory) -> tuple[FaultSite, RunOutcome]:
    mock = FaultSite(FAULTS)
    outcome = run(
        mock,
        tmp_path_factory.mktemp("faults"),
        **{
            "crawl.timeout": {"total": 1},
            "crawl.max_body_bytes": 20_000,
            "crawl.max_date_variants": 6,
            "crawl.max_query_variants": 5,
        },
    )
    return mock, outcome


def test_fetch_timeout_reports_a_silent_server_and_a_stalled_body(
    faults: tuple[FaultSite, RunOutcome],
) -> None:
    _, outcome = faults
    timeouts = of_rule(outcome, "fetch-timeout")
    assert set(timeouts) == {"/slow/", "/stuck"}
    slow = only(timeouts, "/slow/")
    assert slow.code == "K011" and slow.severity == "error"
    assert "the server answered 200 but the page never finished arriving" in slow.message
    assert "timed out after 1 s (total per-request deadline)" in slow.message
    assert "no answer arrived (read timeout)" in only(timeouts, "/stuck").message
    # A timeout is neither an HTTP error nor a failed fetch.
    assert not {"/slow/", "/stuck"} & set(of_rule(outcome, "http-error"))
    assert not {"/slow/", "/stuck"} & set(of_rule(outcome, "fetch-failed"))


def test_body_truncated_tells_a_cut_off_body_from_one_over_the_cap(
    faults: tuple[FaultSite, RunOutcome],
) -> None:
    mock, outcome = faults
    truncated = of_rule(outcome, "body-truncated")
    assert set(truncated) == {"/cut-off/", "/huge/"}
    cut = only(truncated, "/cut-off/")
    assert cut.code == "K012" and cut.severity == "error"
    assert "The connection ended before the whole page arrived (after 150 bytes)" in cut.message
    assert "partial body" in cut.message
    huge = only(truncated, "/huge/")
    assert huge.severity == "warning"
    assert "larger than the crawler's size limit (crawl.max_body_bytes" in huge.message
    # The partial page was still audited (its title is known) and retried first.
    row = next(p for p in outcome.crawl.pages if p.url == f"{ORIGIN}/cut-off/")
    assert row.title == "Cut off 半頁" and row.error is None
    assert row.error_kind == "body-incomplete"
    assert mock.requested.count("/cut-off/") == 1  # crawl.retries is 0 in these tests
    assert not {"/cut-off/", "/huge/"} & set(of_rule(outcome, "fetch-failed"))


def test_fetch_failed_names_protocol_errors_and_corrupt_bodies(
    faults: tuple[FaultSite, RunOutcome],
) -> None:
    _, outcome = faults
    failed = of_rule(outcome, "fetch-failed")
    assert set(failed) == {"/bad-http", "/corrupt"}
    assert (
        "the server's answer is not valid HTTP (protocol error" in only(failed, "/bad-http").message
    )
    assert "`curl -v`" in only(failed, "/bad-http").fix
    corrupt = only(failed, "/corrupt")
    assert "its body could not be decoded (corrupt gzip body" in corrupt.message
    assert "compression" in corrupt.fix


def test_a_loop_of_urls_crawled_separately_is_still_a_redirect_loop(
    faults: tuple[FaultSite, RunOutcome],
) -> None:
    _, outcome = faults
    # Both ends are linked from the home page, so each fetch stopped at the other's
    # already-crawled address: the loop only shows across the two rows.
    loops = of_rule(outcome, "redirect-loop")
    assert set(loops) == {"/loop-a"}
    assert f"{ORIGIN}/loop-a (302) → {ORIGIN}/loop-b (301) → {ORIGIN}/loop-a" in (
        only(loops, "/loop-a").message
    )
    broken = {
        f.evidence.rsplit(" → ", 1)[1].removeprefix(ORIGIN)
        for f in of_rule(outcome, "broken-link")["/"]
    }
    assert {"/loop-a", "/loop-b"} <= broken


def test_crawl_trap_reports_each_pattern_once_and_the_traps_stay_bounded(
    faults: tuple[FaultSite, RunOutcome],
) -> None:
    mock, outcome = faults
    calendar_requests = [path for path in mock.requested if path.startswith("/calendar/")]
    assert len(calendar_requests) == 6
    listing_requests = [path for path in mock.requested if path == "/listing"]
    assert len(listing_requests) == 1 + 5  # the bare path and 5 query variants
    assert not any(path.startswith("/x/") for path in mock.requested)
    assert not any(path.count("/rel") > 2 for path in mock.requested)
    traps = {trap.kind: trap for trap in outcome.crawl.traps}
    assert set(traps) == {"date-variants", "query-variants", "url-length", "path-repeats"}
    assert traps["date-variants"].pattern == f"{ORIGIN}/calendar/{{year}}/{{month}}"
    assert traps["query-variants"].pattern == f"{ORIGIN}/listing?…"
    findings = [f for f in outcome.findings if f.rule == "crawl-trap"]
    assert len(findings) == 4
    by_kind = {f.evidence.split(" (e.g.")[0]: f for f in findings}
    calendar_trap = by_kind[f"{ORIGIN}/calendar/{{year}}/{{month}}"]
    assert calendar_trap.code == "K013" and calendar_trap.severity == "warning"
    assert "already had 6 dates, an endless calendar (crawl.max_date_variants)" in (
        calendar_trap.message
    )
    assert calendar_trap.url.startswith(f"{ORIGIN}/calendar/")
    listing_trap = by_kind[f"{ORIGIN}/listing?…"]
    assert "already had 5 versions that differ only in their query string" in listing_trap.message
    assert "session ids" in listing_trap.fix
    long_trap = next(f for f in findings if "longer than 2048 characters" in f.message)
    assert long_trap.url == f"{ORIGIN}/"
    assert "1 link into a crawl trap was not followed" in long_trap.message


# --- a site with a sitemap -------------------------------------------------------------------

SITEMAPPED = (
    "/",
    "/articles/",
    "/articles/laser-aftercare/",  # orphan: only the sitemap knows it
    "/zh-hant/articles/laser-aftercare/",  # linked from its English version only
    "/articles/moved/",  # linked only through a redirect: not an orphan
    "/articles/noindex/",  # linked, noindex
    "/articles/draft/",  # orphan and noindex
    "/old-contact",  # redirects
    "/articles/deleted/",  # 404
    "/staff/",  # robots.txt
    "/price-list.pdf",  # 200, not HTML: not an orphan
)
NOINDEX = '<meta name="robots" content="noindex">'


def sitemap(paths: tuple[str, ...]) -> bytes:
    urls = "".join(f"<url><loc>{ORIGIN}{path}</loc></url>" for path in paths)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )
    return xml.encode()


SITEMAP_SITE: dict[str, Route] = {
    "/robots.txt": text(f"User-agent: *\nDisallow: /staff/\n\nSitemap: {ORIGIN}/sitemap.xml\n"),
    "/sitemap.xml": (200, {"content-type": "application/xml"}, sitemap(SITEMAPPED)),
    "/": page("Harbor Light", ("/articles/", "Articles 文章"), ("/contact/", "Contact")),
    "/articles/": page(
        "Articles",
        ("/articles/noindex/", "Members' notes"),
        ("/articles/old-name/", "Moved article"),
    ),
    "/articles/laser-aftercare/": page(
        "Laser aftercare", ("/zh-hant/articles/laser-aftercare/", "雷射術後保養")
    ),
    "/zh-hant/articles/laser-aftercare/": page("雷射術後保養", ("/", "首頁"), lang="zh-Hant"),
    "/articles/old-name/": redirect("/articles/moved/"),
    "/articles/moved/": page("Moved article"),
    "/articles/noindex/": page("Members' notes", head=NOINDEX),
    "/articles/draft/": page("Draft", head=NOINDEX),
    "/old-contact": redirect("/contact/"),
    "/contact/": page("Contact 聯絡我們"),
    "/staff/": page("Staff"),
    "/price-list.pdf": (200, {"content-type": "application/pdf"}, b"%PDF-1.4"),
}


@pytest.fixture(scope="module")
def sitemapped(tmp_path_factory: pytest.TempPathFactory) -> RunOutcome:
    return run(
        MockSite(SITEMAP_SITE), tmp_path_factory.mktemp("sitemapped"), **{"site.sitemaps": "auto"}
    )


def test_orphan_page_is_a_sitemap_page_no_crawled_page_links_to(sitemapped: RunOutcome) -> None:
    orphans = of_rule(sitemapped, "orphan-page")
    assert set(orphans) == {"/articles/laser-aftercare/", "/articles/draft/"}
    orphan = only(orphans, "/articles/laser-aftercare/")
    assert orphan.code == "K006" and orphan.severity == "warning"
    assert f"The sitemap {ORIGIN}/sitemap.xml lists this page" in orphan.message
    assert "no crawled page links to it" in orphan.message
    # Look-alikes: linked (even only by an orphan, or through a redirect, or noindex), the
    # start page, a non-HTML file, and URLs that do not answer 200 are not orphans.
    for quiet in (
        "/zh-hant/articles/laser-aftercare/",
        "/articles/moved/",
        "/articles/noindex/",
        "/",
        "/price-list.pdf",
        "/old-contact",
        "/articles/deleted/",
        "/staff/",
    ):
        assert quiet not in orphans


def test_sitemap_invalid_url_names_the_reason(sitemapped: RunOutcome) -> None:
    invalid = of_rule(sitemapped, "sitemap-invalid-url")
    assert set(invalid) == {
        "/old-contact",
        "/articles/deleted/",
        "/staff/",
        "/articles/noindex/",
        "/articles/draft/",
    }
    old = only(invalid, "/old-contact")
    assert old.code == "K007" and old.severity == "warning"
    assert f"The sitemap {ORIGIN}/sitemap.xml lists this URL" in old.message
    assert f"redirects (301) to {ORIGIN}/contact/" in old.message
    assert f"{ORIGIN}/contact/" in old.fix
    assert "HTTP 404 Not Found" in only(invalid, "/articles/deleted/").message
    assert "disallowed by robots.txt" in only(invalid, "/staff/").message
    assert "noindex" in only(invalid, "/articles/noindex/").message
    # A 200 indexable page, and a 200 file that is not HTML, are valid sitemap entries.
    assert "/articles/moved/" not in invalid and "/price-list.pdf" not in invalid


def test_a_blocked_url_only_the_sitemap_lists_is_not_robots_blocked_linked(
    sitemapped: RunOutcome,
) -> None:
    assert of_rule(sitemapped, "robots-blocked-linked") == {}
    assert of_rule(sitemapped, "broken-link") == {}  # nothing links to the 404


# --- click depth -----------------------------------------------------------------------------

DEEP: dict[str, Route] = {
    "/": page("Home 首頁", ("/a1/", "Level 1")),
    **{
        f"/a{level}/": page(f"Level {level}", (f"/a{level + 1}/", f"Level {level + 1}"))
        for level in range(1, 6)
    },
    "/a6/": page("Level 6", ("/a7/", "gone")),  # /a7/ is a 404 at depth 7
}


@pytest.fixture(scope="module")
def deep(tmp_path_factory: pytest.TempPathFactory) -> RunOutcome:
    return run(MockSite(DEEP), tmp_path_factory.mktemp("deep"))


def test_depth_too_deep_reports_html_pages_past_the_limit(deep: RunOutcome) -> None:
    deeper = of_rule(deep, "depth-too-deep")
    assert set(deeper) == {"/a5/", "/a6/"}  # not /a4/ (depth 4), not the 404 /a7/
    finding = only(deeper, "/a5/")
    assert finding.code == "K009" and finding.severity == "notice"
    assert "5 clicks from the start page (the limit is 4)" in finding.message
    assert f"reached it from {ORIGIN}/a4/" in finding.message
    assert finding.evidence.startswith("… → ")
    assert finding.evidence.endswith(f"{ORIGIN}/a4/ → {ORIGIN}/a5/")


def test_depth_too_deep_limit_is_configurable(tmp_path: Path) -> None:
    outcome = run(MockSite(DEEP), tmp_path, rules={"depth-too-deep": {"max_depth": 5}})
    assert set(of_rule(outcome, "depth-too-deep")) == {"/a6/"}
    assert of_rule(outcome, "orphan-page") == {}


# --- the bundled demo clinic over loopback ---------------------------------------------------


def test_demo_site_link_defects(tmp_path: Path) -> None:
    with serve_site(DEMO_SITE) as (origin, requested):
        config = load_config(None, {"site.start_urls": [f"{origin}/"], "report.out_dir": tmp_path})
        outcome = run_audit(config)
    assert "/staff/" not in requested

    def paths(rule: str) -> dict[str, list[Finding]]:
        found: dict[str, list[Finding]] = {}
        for finding in outcome.findings:
            if finding.rule == rule:
                found.setdefault(finding.url.removeprefix(origin), []).append(finding)
        return found

    broken = paths("broken-link")
    assert set(broken) == {"/treatments/acne-scar/"}
    assert f"{origin}/treatments/laser-toning/" in broken["/treatments/acne-scar/"][0].evidence
    assert set(paths("http-error")) == {"/treatments/laser-toning/"}
    assert set(paths("orphan-page")) == {"/articles/laser-aftercare/"}
    redirected = paths("redirected-link")
    assert set(redirected) == {"/treatments/rosacea-injection/"}
    assert f"{origin}/old-contact" in redirected["/treatments/rosacea-injection/"][0].evidence
    assert f"to {origin}/contact/" in redirected["/treatments/rosacea-injection/"][0].message
    assert set(paths("robots-blocked-linked")) == {"/staff/"}
    # The demo has no chains, loops, bad sitemap entries or deep pages.
    for rule in ("redirect-chain", "redirect-loop", "sitemap-invalid-url", "depth-too-deep"):
        assert paths(rule) == {}, rule
