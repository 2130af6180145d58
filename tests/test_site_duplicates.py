"""Site rules that compare pages (K101–K109), end to end over in-memory sites (no sockets).

Each test serves a small site from a dict of path → response with
``httpx.MockTransport``, runs the whole pipeline (crawl, page facts, site rules,
run folder) and asserts on one rule's findings: where they land, what they
name, and that look-alikes (noindex or canonicalised copies, texts below the
near-duplicate threshold, an entity described fully on one page and only by
name on another, a reciprocal hreflang pair) stay quiet.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from audit.config import load_config
from audit.fingerprint import simhash
from audit.models import Finding
from audit.rules.duplicates.content_near_duplicate import bands, candidate_pairs
from audit.runner import run_audit
from mock_http import respond

ORIGIN = "http://clinic.test"
HTML = {"content-type": "text/html; charset=utf-8"}
Route = tuple[int, dict[str, str], bytes]


@dataclass
class MockSite:
    """A dict of path → response; "/" links to every other HTML path unless given."""

    routes: dict[str, Route]

    def handler(self, request: httpx.Request) -> httpx.Response:
        route = self.routes.get(request.url.path)
        if route is None:
            if request.url.path == "/robots.txt":
                return respond(404)
            return respond(404, {"content-type": "text/html"}, b"<p>not found</p>")
        return respond(*route)


def page(
    title: str = "",
    *,
    h1: str = "",
    text: str = "",
    description: str = "",
    head: str = "",
    body: str = "",
    lang: str = "en",
) -> Route:
    """An HTML page; the h1 sits in <header>, so it is not part of the main text."""
    meta = f'<meta name="description" content="{description}">' if description else ""
    html = (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{title}</title>{meta}{head}</head><body>"
        f"<header><h1>{h1}</h1></header><main><p>{text}</p>{body}</main></body></html>"
    )
    return 200, HTML, html.encode()


def canonical(url: str) -> str:
    return f'<link rel="canonical" href="{url}">'


NOINDEX = '<meta name="robots" content="noindex">'


def redirect(location: str, status: int = 301) -> Route:
    return status, {"location": location}, b""


def run(
    tmp_path: Path, routes: dict[str, Route], *, links: list[str] | None = None, **settings: Any
) -> list[Finding]:
    """Crawl the site (home page linking to ``links`` or every route) and return all findings."""
    if "/" not in routes:
        targets = links if links is not None else [p for p in routes if p != "/robots.txt"]
        anchors = "".join(f'<li><a href="{href}">{href}</a></li>' for href in targets)
        routes = {
            "/": page(
                "Home of the site under test",
                h1="Welcome",
                body=f"<nav><ul>{anchors}</ul></nav>",
                description="The home page of the test clinic.",
            ),
            **routes,
        }
    config = load_config(
        None,
        {
            "site.start_urls": [f"{ORIGIN}/"],
            "report.out_dir": tmp_path,
            "site.sitemaps": "off",
            "crawl.concurrency": 1,
            **settings,
        },
    )
    outcome = run_audit(config, transport=httpx.MockTransport(MockSite(routes).handler))
    return list(outcome.findings)


def of(findings: list[Finding], rule: str) -> dict[str, Finding]:
    """The findings of one rule by path (asserting one per page)."""
    chosen = [finding for finding in findings if finding.rule == rule]
    by_path = {finding.url.removeprefix(ORIGIN): finding for finding in chosen}
    assert len(by_path) == len(chosen), [finding.message for finding in chosen]
    return by_path


_VOCABULARY_TEXT = (
    "skin barrier redness laser injection rosacea acne scar clinic doctor treatment session "
    "week month cream serum sunscreen flush heat trigger diet sleep stress collagen repair "
    "dermis epidermis membrane vessel nerve itch burn sting calm soothe plan visit follow "
    "result change patient question answer care daily morning evening gentle cleanse water"
)
VOCABULARY = _VOCABULARY_TEXT.split()


def words(seed: int, count: int) -> list[str]:
    rng = random.Random(seed)
    return [rng.choice(VOCABULARY) + str(rng.randrange(50)) for _ in range(count)]


# --- title, meta description, h1 -----------------------------------------------------------

TITLE = "酒糟肌治療｜杜松灣皮膚科 Rosacea"


def test_title_duplicate_lists_the_other_pages_after_normalising(tmp_path: Path) -> None:
    findings = run(
        tmp_path,
        {
            "/a/": page(TITLE, h1="雷射"),
            "/b/": page("酒糟肌治療|杜松灣皮膚科  ROSACEA", h1="飲食"),  # NFKC, case, spaces
            "/c/": page(TITLE, h1="保養"),
            "/hidden/": page(TITLE, h1="隱藏", head=NOINDEX),
            "/print/": page(TITLE, h1="列印", head=canonical(f"{ORIGIN}/a/")),
            "/other/": page("酒糟肌飲食建議｜杜松灣皮膚科", h1="其他"),
        },
    )
    found = of(findings, "title-duplicate")
    assert set(found) == {"/a/", "/b/", "/c/"}
    first = found["/a/"]
    assert first.code == "K101" and first.severity == "warning" and first.category == "seo"
    assert TITLE in first.message and "2 other indexable pages" in first.message
    assert f"{ORIGIN}/b/" in first.message and f"{ORIGIN}/c/" in first.message
    assert first.evidence == TITLE
    for finding in found.values():
        assert "/hidden/" not in finding.message and "/print/" not in finding.message
        assert "/other/" not in finding.message


def test_title_duplicate_caps_the_list_of_other_pages(tmp_path: Path) -> None:
    routes = {f"/p{index}/": page("Rosacea care", h1=f"Page {index}") for index in range(13)}
    found = of(run(tmp_path, routes), "title-duplicate")
    assert len(found) == 13
    message = found["/p0/"].message
    assert "12 other indexable pages" in message and message.endswith(" and 2 more.")
    assert message.count(ORIGIN) == 10


def test_title_duplicate_quiet_on_noindex_and_canonicalised_copies(tmp_path: Path) -> None:
    findings = run(
        tmp_path,
        {
            "/a/": page(TITLE, h1="A", head=canonical(f"{ORIGIN}/a/")),
            "/a-print/": page(TITLE, h1="B", head=canonical(f"{ORIGIN}/a/")),
            "/a-utm/": page(TITLE, h1="C", head=canonical(f"{ORIGIN}/a/")),
            "/draft/": page(TITLE, h1="D", head=NOINDEX),
            "/x/": page("Same elsewhere", h1="X", head=canonical(f"{ORIGIN}/main/")),
            "/y/": page("Same elsewhere", h1="Y", head=canonical(f"{ORIGIN}/main/")),
            "/empty1/": page("", h1="E"),
            "/empty2/": page("  ", h1="F"),
        },
    )
    assert of(findings, "title-duplicate") == {}


def test_meta_description_duplicate(tmp_path: Path) -> None:
    shared = "歡迎來到杜松灣皮膚科診所，提供專業皮膚治療。"
    findings = run(
        tmp_path,
        {
            "/acne/": page("Acne", h1="Acne", description=shared),
            "/rosacea/": page("Rosacea", h1="Rosacea", description=shared),
            "/draft/": page("Draft", h1="Draft", description=shared, head=NOINDEX),
            "/laser/": page("Laser", h1="Laser", description="Laser aftercare in five steps."),
        },
    )
    found = of(findings, "meta-description-duplicate")
    assert set(found) == {"/acne/", "/rosacea/"}
    assert found["/acne/"].code == "K102"
    assert shared in found["/acne/"].message
    assert found["/acne/"].message.endswith(f"1 other indexable page: {ORIGIN}/rosacea/.")
    assert found["/rosacea/"].message.endswith(f"{ORIGIN}/acne/.")


def test_h1_duplicate_ignores_empty_headings(tmp_path: Path) -> None:
    findings = run(
        tmp_path,
        {
            "/dr-lin/": page("Dr. Lin", h1="我們的醫師"),
            "/dr-kao/": page("Dr. Kao", h1=" 我們的醫師 "),
            "/blank-1/": page("Blank one", h1=" "),
            "/blank-2/": page("Blank two", h1=""),
            "/faq/": page("FAQ", h1="常見問題"),
        },
    )
    found = of(findings, "h1-duplicate")
    assert set(found) == {"/dr-lin/", "/dr-kao/"}
    assert found["/dr-lin/"].code == "K103"
    assert '<h1> "我們的醫師"' in found["/dr-lin/"].message
    assert f"{ORIGIN}/dr-kao/" in found["/dr-lin/"].message


# --- content duplicates ----------------------------------------------------------------------


def test_content_duplicate_on_indexable_pages_with_enough_words(tmp_path: Path) -> None:
    article = " ".join(words(1, 120))
    short = "Call us to book a visit today."
    findings = run(
        tmp_path,
        {
            "/articles/rosacea/": page("Rosacea A", h1="A", text=article),
            "/blog/2024/rosacea/": page("Rosacea B", h1="B", text=article.upper()),
            "/draft/rosacea/": page("Rosacea C", h1="C", text=article, head=NOINDEX),
            "/print/rosacea/": page(
                "Rosacea D", h1="D", text=article, head=canonical(f"{ORIGIN}/articles/rosacea/")
            ),
            "/contact-a/": page("Contact A", h1="E", text=short),
            "/contact-b/": page("Contact B", h1="F", text=short),
            "/other/": page("Other", h1="G", text=" ".join(words(2, 120))),
        },
    )
    found = of(findings, "content-duplicate")
    assert set(found) == {"/articles/rosacea/", "/blog/2024/rosacea/"}
    finding = found["/articles/rosacea/"]
    assert finding.code == "K104" and finding.category == "content"
    assert "(120 words)" in finding.message
    assert finding.message.endswith(f"1 other indexable page: {ORIGIN}/blog/2024/rosacea/.")
    # Near-duplicate stays out of exact copies.
    assert of(findings, "content-near-duplicate") == {}


def test_content_duplicate_min_words_is_configurable(tmp_path: Path) -> None:
    short = " ".join(words(3, 12))
    routes = {"/a/": page("A", h1="A", text=short), "/b/": page("B", h1="B", text=short)}
    assert of(run(tmp_path / "default", routes), "content-duplicate") == {}
    lowered = run(tmp_path / "low", routes, **{"rules.content-duplicate.min_words": 10})
    assert set(of(lowered, "content-duplicate")) == {"/a/", "/b/"}


def distance(first: list[str], second: list[str]) -> int:
    return (simhash(first) ^ simhash(second)).bit_count()


def test_content_near_duplicate_reports_close_texts_with_similarity(tmp_path: Path) -> None:
    base = words(10, 300)
    # SimHash token hashes are salted per process: pick, in this process, a one-word edit
    # whose hash lands 1 to 3 bits away (most do).
    near = next(
        edited
        for position in range(300)
        if 0 < distance(base, edited := [*base[:position], "zhubei", *base[position + 1 :]]) <= 3
    )
    far = [*base[:225], *words(11, 75)]  # a quarter rewritten
    far_distance = distance(base, far)
    assert 3 < far_distance <= 31, "fixture: the rewritten page must be beyond the default"
    routes = {
        "/areas/hsinchu/": page("Hsinchu", h1="Hsinchu", text=" ".join(base)),
        "/areas/zhubei/": page("Zhubei", h1="Zhubei", text=" ".join(near)),
        "/areas/hukou/": page("Hukou", h1="Hukou", text=" ".join(far)),
        "/copies/hsinchu/": page("Copy", h1="Copy", text=" ".join(base)),
        "/areas/draft/": page("Draft", h1="Draft", text=" ".join(near), head=NOINDEX),
    }
    found = of(run(tmp_path / "default", routes), "content-near-duplicate")
    assert set(found) == {"/areas/hsinchu/", "/areas/zhubei/"}
    finding = found["/areas/hsinchu/"]
    assert finding.code == "K105" and finding.severity == "notice"
    similar = round(100 * (64 - distance(base, near)) / 64)
    assert f"{ORIGIN}/areas/zhubei/ ({similar} % similar)" in finding.message
    assert "1 other indexable page" in finding.message
    assert "hukou" not in finding.message and "copies" not in finding.message

    wider = run(
        tmp_path / "wider",
        routes,
        **{"rules.content-near-duplicate.max_distance": far_distance},
    )
    found = of(wider, "content-near-duplicate")
    assert set(found) == {"/areas/hsinchu/", "/areas/zhubei/", "/areas/hukou/"}
    assert f"{ORIGIN}/areas/hukou/" in found["/areas/hsinchu/"].message


def test_lsh_bands_cover_the_64_bits() -> None:
    for max_distance in (0, 3, 5, 31):
        parts = bands(max_distance)
        assert len(parts) == max_distance + 1
        assert sum(mask.bit_length() for _, mask in parts) == 64
        covered = 0
        for shift, mask in parts:
            assert covered & (mask << shift) == 0
            covered |= mask << shift
        assert covered == (1 << 64) - 1


def test_lsh_candidates_find_planted_pairs_in_linear_work() -> None:
    rng = random.Random(42)
    n = 20_000
    hashes = [rng.getrandbits(64) for _ in range(n)]
    planted = {}
    for index in range(0, 2_000, 2):  # 1,000 near pairs at distance 1..3
        value = hashes[index]
        for bit in rng.sample(range(64), rng.randint(1, 3)):
            value ^= 1 << bit
        hashes[index + 1] = value
        planted[index] = index + 1
    pairs = list(candidate_pairs(hashes, max_distance=3, max_bucket=200))
    assert len(pairs) < 50 * n, "candidate comparisons must stay linear, not quadratic"
    assert len(pairs) == len(set(pairs))
    found = set(pairs)
    assert all((first, second) in found for first, second in planted.items())
    # Adversarial input: every hash equal in every band; the bucket cap bounds the work.
    same = [0] * n
    capped = sum(1 for _ in candidate_pairs(same, max_distance=3, max_bucket=200))
    assert capped == 200 * 199 // 2  # every band yields the same pairs; each counted once
    assert capped < 50 * n


def colliding(n: int) -> list[int]:
    """Hashes whose low 16 bits take n / 400 values: buckets of ~400 in band 0 (over the cap)."""
    rng = random.Random(n)
    return [(rng.getrandbits(48) << 16) | rng.randrange(n // 400) for _ in range(n)]


def test_lsh_candidates_stay_linear_when_band_values_collide() -> None:
    small = sum(1 for _ in candidate_pairs(colliding(10_000), max_distance=3, max_bucket=200))
    large = sum(1 for _ in candidate_pairs(colliding(20_000), max_distance=3, max_bucket=200))
    assert large < 2.5 * small, "doubling the pages must about double the work, not quadruple it"
    assert large <= len(bands(3)) * 20_000 * 200 // 2  # the documented worst case


# --- canonicals ------------------------------------------------------------------------------


def test_canonical_target_error_names_what_is_wrong(tmp_path: Path) -> None:
    routes: dict[str, Route] = {
        "/robots.txt": (
            200,
            {"content-type": "text/plain"},
            b"User-agent: *\nDisallow: /private/\n",
        ),
        "/a/": page("A", h1="A", head=canonical(f"{ORIGIN}/gone/")),
        "/b/": page("B", h1="B", head=canonical(f"{ORIGIN}/old/")),
        "/c/": page("C", h1="C", head=canonical(f"{ORIGIN}/hidden/")),
        "/d/": page("D", h1="D", head=canonical(f"{ORIGIN}/private/page/")),
        "/e/": page("E", h1="E", head=canonical(f"{ORIGIN}/never-linked/")),
        "/f/": page("F", h1="F", head=canonical("http://other.test/f/")),
        "/g/": page("G", h1="G", head=canonical(f"{ORIGIN}/fine/")),
        "/h/": page("H", h1="H", head=canonical(f"{ORIGIN}/h/")),
        "/old/": redirect("/new/"),
        "/new/": page("New", h1="New"),
        "/hidden/": page("Hidden", h1="Hidden", head=NOINDEX),
        "/fine/": page("Fine", h1="Fine"),
    }
    links = [*[f"/{name}/" for name in "abcdefgh"], "/gone/", "/old/", "/hidden/", "/fine/"]
    findings = run(tmp_path, routes, links=[*links, "/private/page/"])
    found = of(findings, "canonical-target-error")
    assert set(found) == {"/a/", "/b/", "/c/", "/d/", "/e/"}
    assert found["/a/"].code == "K106"
    assert found["/a/"].message == (
        f"The canonical link points at {ORIGIN}/gone/, which answered HTTP 404."
    )
    assert found["/a/"].evidence == f'<link rel="canonical" href="{ORIGIN}/gone/">'
    assert "redirects (301)" in found["/b/"].message
    assert f"ends with status 200 at {ORIGIN}/new/" in found["/b/"].message
    assert f"{ORIGIN}/new/" in found["/b/"].fix
    assert "noindex" in found["/c/"].message
    assert "robots.txt" in found["/d/"].message
    assert "was not crawled" in found["/e/"].message
    assert found["/e/"].severity == "notice" and found["/a/"].severity == "warning"


def test_canonical_chain_and_loop(tmp_path: Path) -> None:
    routes = {
        "/a/": page("A", h1="A", head=canonical(f"{ORIGIN}/b/")),
        "/b/": page("B", h1="B", head=canonical(f"{ORIGIN}/c/")),
        "/c/": page("C", h1="C", head=canonical(f"{ORIGIN}/c/")),
        "/x/": page("X", h1="X", head=canonical(f"{ORIGIN}/y/")),
        "/y/": page("Y", h1="Y", head=canonical(f"{ORIGIN}/x/")),
        "/single/": page("S", h1="S", head=canonical(f"{ORIGIN}/c/")),
    }
    found = of(run(tmp_path, routes), "canonical-chain")
    assert set(found) == {"/a/", "/x/", "/y/"}
    assert found["/a/"].code == "K107"
    assert "/a/ → /b/ → /c/" in found["/a/"].message
    assert found["/a/"].fix == f"Point the canonical link straight at the final page, {ORIGIN}/c/."
    assert "loop: /x/ → /y/ → /x/" in found["/x/"].message
    assert "loop: /y/ → /x/ → /y/" in found["/y/"].message


# --- hreflang --------------------------------------------------------------------------------


def alternates(*pairs: tuple[str, str]) -> str:
    return "".join(
        f'<link rel="alternate" hreflang="{lang}" href="{ORIGIN}{path}">' for lang, path in pairs
    )


def test_hreflang_no_return(tmp_path: Path) -> None:
    pair = (("en", "/en/rosacea/"), ("zh-Hant", "/zh-hant/rosacea/"))
    routes = {
        # Reciprocal: quiet.
        "/en/rosacea/": page("Rosacea", h1="Rosacea", head=alternates(*pair)),
        "/zh-hant/rosacea/": page("酒糟肌", h1="酒糟肌", head=alternates(*pair), lang="zh-Hant"),
        # /en/acne/ lists /zh-hant/acne/, which has no hreflang at all.
        "/en/acne/": page(
            "Acne", h1="Acne", head=alternates(("en", "/en/acne/"), ("zh-Hant", "/zh-hant/acne/"))
        ),
        "/zh-hant/acne/": page("痘痘", h1="痘痘", lang="zh-Hant"),
        # /en/scar/ lists /ja/scar/, which lists only itself and /ko/scar/ (not crawled).
        "/en/scar/": page(
            "Scar", h1="Scar", head=alternates(("en", "/en/scar/"), ("ja", "/ja/scar/"))
        ),
        "/ja/scar/": page(
            "傷跡",
            h1="傷跡",
            lang="ja",
            head=alternates(("ja", "/ja/scar/"), ("ko", "/ko/scar/")),
        ),
        # An alternate that was not crawled (404) is left to the status rules.
        "/en/laser/": page("Laser", h1="Laser", head=alternates(("fr", "/fr/laser/"))),
    }
    found = of(run(tmp_path, routes), "hreflang-no-return")
    assert set(found) == {"/en/acne/", "/en/scar/"}
    acne = found["/en/acne/"]
    assert acne.code == "K108" and acne.category == "international"
    assert f"{ORIGIN}/zh-hant/acne/ (zh-hant) does not link back" in acne.message
    assert "no hreflang links at all" in acne.message
    assert f'hreflang="en" href="{ORIGIN}/en/acne/"' in acne.fix
    assert "lists 2 hreflang alternates, none of them this page" in found["/en/scar/"].message


# --- entities --------------------------------------------------------------------------------


def article_jsonld(publisher: dict[str, Any], headline: str) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": headline,
        "datePublished": "2026-03-14",
        "publisher": publisher,
    }


def in_script(data: dict[str, Any]) -> str:
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def as_visible_text(data: dict[str, Any]) -> str:
    """JSON-LD printed by a broken template: one <p> per line, as on the seed pages."""
    lines = json.dumps(data, ensure_ascii=False, indent=0).splitlines()
    return "".join(f"<p>{line}</p>" for line in lines)


CLINIC = "Liusmed Clinic"


@pytest.mark.parametrize("where", ["script", "visible-text"])
def test_entity_inconsistent_publisher_types_like_the_seeds(tmp_path: Path, where: str) -> None:
    def article(kind: str, headline: str) -> Route:
        data = article_jsonld({"@type": kind, "name": CLINIC}, headline)
        if where == "script":
            return page(headline, h1=headline, head=in_script(data))
        return page(headline, h1=headline, body=as_visible_text(data))

    routes = {
        "/articles/dual-expertise/": article("Organization", "雙專科醫師"),
        "/articles/basement-membrane/": article("MedicalClinic", "基底膜修復"),
    }
    found = of(run(tmp_path, routes), "entity-inconsistent")
    # Tied one page each: the finding goes on the second page (same depth, so by URL).
    assert set(found) == {"/articles/dual-expertise/"}
    finding = found["/articles/dual-expertise/"]
    assert finding.code == "K109" and finding.category == "structured-data"
    suffix = " in visible text" if where == "visible-text" else ""
    assert finding.message == (
        f'"{CLINIC}" is typed MedicalClinic on /articles/basement-membrane/ (publisher{suffix}) '
        f"but Organization on /articles/dual-expertise/ (publisher{suffix})."
    )
    assert '"@type": "Organization"' in finding.evidence


def test_entity_inconsistent_reports_on_the_minority_page(tmp_path: Path) -> None:
    def clinic(kind: str, logo: str) -> dict[str, Any]:
        return {"@type": kind, "name": CLINIC, "logo": f"{ORIGIN}{logo}"}

    routes = {
        "/a/": page(
            "A", h1="A", head=in_script(article_jsonld(clinic("MedicalClinic", "/l.png"), "A"))
        ),
        "/b/": page(
            "B", h1="B", head=in_script(article_jsonld(clinic("Organization", "/l.png"), "B"))
        ),
        "/c/": page(
            "C", h1="C", head=in_script(article_jsonld(clinic("MedicalClinic", "/x.png"), "C"))
        ),
        "/d/": page(
            "D", h1="D", head=in_script(article_jsonld(clinic("MedicalClinic", "/l.png"), "D"))
        ),
    }
    findings = [f for f in run(tmp_path, routes) if f.rule == "entity-inconsistent"]
    by_message = {f.url.removeprefix(ORIGIN): f.message for f in findings}
    assert len(findings) == 2
    assert (
        "typed MedicalClinic on /a/ (publisher), /c/ (publisher), /d/ (publisher)"
        in by_message["/b/"]
    )
    assert f"has logo {ORIGIN}/l.png on" in by_message["/c/"]
    assert f"but {ORIGIN}/x.png on /c/ (publisher)" in by_message["/c/"]


def test_entity_inconsistent_quiet_when_one_page_only_names_the_entity(tmp_path: Path) -> None:
    full = {
        "@type": "MedicalClinic",
        "name": CLINIC,
        "url": f"{ORIGIN}/",
        "logo": f"{ORIGIN}/logo.png",
        "sameAs": ["https://www.facebook.com/liusmed"],
    }
    routes = {
        "/about/": page(
            "About", h1="About", head=in_script({"@context": "https://schema.org", **full})
        ),
        "/articles/a/": page(
            "Article",
            h1="Article",
            head=in_script(
                article_jsonld({"@type": "MedicalClinic", "name": "liusmed  CLINIC"}, "A")
            ),
        ),
    }
    assert of(run(tmp_path, routes), "entity-inconsistent") == {}
