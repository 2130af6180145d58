"""The site layer: page facts, SimHash, the SQLite link store, redirect resolution."""

from __future__ import annotations

import random
from pathlib import Path

from audit.fingerprint import simhash, token_hash, token_hashes
from audit.models import Hop, PageSummary
from audit.page import Page
from audit.site import LinkRow, LinkStore, Site, summarize

ARTICLE = """<!doctype html><html lang="zh-Hant"><head>
<title>酒糟肌治療 | 港光皮膚科</title><meta name="description" content="說明">
<link rel="canonical" href="/articles/rosacea/?utm_source=x">
<link rel="alternate" hreflang="en" href="/en/articles/rosacea/">
<meta name="robots" content="noindex">
</head><body><header><nav><a href="/">首頁</a> menu words here</nav></header>
<main><h1>酒糟肌治療</h1><p>Rosacea care explained in plain words for patients.</p></main>
<footer>Footer words that repeat on every page</footer>
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Article",
 "publisher": {"@type": "MedicalClinic", "name": "Liusmed  Clinic", "url": "/"}}</script>
<p>{</p><p>"@context": "https://schema.org",</p><p>"@type": "WebPage",</p>
<p>"publisher": {"@type": "Organization", "name": "LIUSMED Clinic"}</p><p>}</p>
</body></html>"""


def test_summarize_keeps_the_facts_site_rules_compare() -> None:
    facts = summarize(Page("https://c.example/articles/rosacea/", ARTICLE))
    assert facts.title == "酒糟肌治療 | 港光皮膚科"
    assert facts.h1 == "酒糟肌治療"
    assert facts.meta_description == "說明"
    assert facts.indexable is False
    assert facts.canonical == "https://c.example/articles/rosacea/?utm_source=x"
    assert facts.hreflang == (("en", "https://c.example/en/articles/rosacea/"),)
    assert facts.words > 0 and facts.text_hash and facts.simhash is not None
    # Both publishers, the script one and the one printed as text, share a normalised name key.
    publishers = [(e.key, e.types, e.url, e.where) for e in facts.entities]
    assert publishers == [
        ("name liusmed clinic", ("MedicalClinic",), "https://c.example/", "publisher (json-ld)"),
        ("name liusmed clinic", ("Organization",), None, "publisher (visible-text)"),
    ]


def test_main_text_leaves_out_navigation_and_footer() -> None:
    one = summarize(Page("https://c.example/a/", ARTICLE))
    other = summarize(
        Page("https://c.example/b/", ARTICLE.replace("menu words here", "other menu"))
    )
    assert one.text_hash == other.text_hash


def test_simhash_distance_follows_similarity() -> None:
    rng = random.Random(7)
    words = [f"w{rng.randrange(5000)}" for _ in range(600)]
    edited = [*words[:300], "changed", *words[301:]]
    unrelated = [f"w{rng.randrange(5000)}" for _ in range(600)]

    def distance(a: list[str], b: list[str]) -> int:
        return (simhash(a) ^ simhash(b)).bit_count()

    assert distance(words, words) == 0
    assert distance(words, edited) <= 3
    assert distance(words, unrelated) >= 16


def test_link_store_counts_distinct_sources_and_finds_first_links(tmp_path: Path) -> None:
    store = LinkStore(tmp_path / "links.sqlite")
    try:
        store.add(
            [
                LinkRow("/a", "/x", "first", "", False),
                LinkRow("/a", "/x", "second", "", False),
                LinkRow("/a", "/a", "self", "", False),
                LinkRow("/b", "/x", "from b", "nofollow", True),
            ]
        )
        assert store.inlink_counts() == {"/x": 2}
        assert [(r.source, r.anchor) for r in store.first_links_to(["/x", "/a"])] == [
            ("/a", "first"),
            ("/b", "from b"),
        ]
        assert [row.anchor for row in store.rows()] == ["first", "second", "self", "from b"]
    finally:
        store.close()
    assert (tmp_path / "links.sqlite").exists()  # a named store is kept


def test_a_temporary_link_store_is_removed_on_close() -> None:
    store = LinkStore()
    path = store.path
    store.close()
    assert not path.exists()


def row(url: str, status: int | None, chain: tuple[Hop, ...] = (), final: str = "") -> PageSummary:
    return PageSummary(
        url=url,
        final_url=final or url,
        status=status,
        content_type="text/html",
        depth=1,
        found_on=None,
        source="link",
        redirect_chain=chain,
        fetch_ms=0.0,
        bytes=0,
        error=None,
    )


def test_final_status_follows_recorded_redirects() -> None:
    pages = [
        row("/old", 301, (Hop("/old", 301, "/mid"), Hop("/mid", 302, "/gone")), "/gone"),
        row("/mid", 302, (Hop("/mid", 302, "/gone"),), "/gone"),
        row("/gone", 404),
        row("/ok", 200),
    ]
    store = LinkStore()
    try:
        site = Site(pages, {}, store)
        assert site.final_status("/old") == (404, "/gone")
        assert site.final_status("/ok") == (200, "/ok")
        assert site.final_status("/never-crawled") == (None, "/never-crawled")
    finally:
        store.close()


def test_vectorised_token_hashes_match_the_per_token_hash() -> None:
    text = "rosacea care 酒糟肌 治療 2026年 ｆｕｌｌ-width x_y 𝐀𝐁 naïve, done."
    tokens = ["rosacea", "care", "酒", "糟", "肌", "治", "療", "2026", "年", "ｆｕｌｌ"]
    tokens += ["width", "x", "y", "𝐀𝐁", "naïve", "done"]
    assert token_hashes(text).tolist() == [token_hash(token) for token in tokens]
    assert token_hashes("").size == 0 and token_hashes(" ,.-").size == 0


def test_token_hashes_ignore_case_in_every_script() -> None:
    upper = "ROSACEA Care ΣΟΦΙΑ ＦＵＬＬ 𝐀 Ǆ 酒糟肌"
    lower = "rosacea care σοφια ｆｕｌｌ 𝐀 ǆ 酒糟肌"
    assert token_hashes(upper).tolist() == token_hashes(lower).tolist()
    assert token_hash("CARE") == token_hash("care") != token_hash("cure")


def test_fingerprints_read_only_the_start_of_a_huge_text() -> None:
    from audit.fingerprint import MAX_CHARACTERS

    head = "word " * (MAX_CHARACTERS // 5)
    huge = head + "tail " * 2_000_000  # 10 MB more: must not cost memory or change the print
    assert token_hashes(huge).tolist() == token_hashes(head).tolist()


def test_simhash_of_long_texts_still_separates_near_and_far() -> None:
    rng = random.Random(7)
    words = [f"w{rng.randrange(50_000)}" for _ in range(20_000)]  # well past the sample size
    edited = [*words[:10_000], *(f"x{n}" for n in range(40)), *words[10_040:]]
    unrelated = [f"w{rng.randrange(50_000)}" for _ in range(20_000)]

    def distance(a: list[str], b: list[str]) -> int:
        return (simhash(a) ^ simhash(b)).bit_count()

    assert distance(words, edited) <= 4
    assert distance(words, unrelated) >= 16


def test_simhash_of_a_long_repetitive_text_is_defined() -> None:
    assert simhash(["same"] * 10_000) == simhash(["same"] * 10_000)  # every shingle equal
    assert simhash([f"w{n % 3}" for n in range(10_000)]) is not None
