"""Scale: every SITE rule over 100,000 synthetic pages and ~3.9 million links, no crawl.

Issue 5 asks that the site rules hold at 100k pages: nothing quadratic in the
number of pages, links streamed from the :class:`~audit.site.LinkStore` on disk
rather than loaded into memory. This module builds :class:`~audit.site.Site`
directly: one :class:`~audit.models.PageSummary` per URL (200 HTML pages,
404s, a 503, a time-out, 301 hops, two-hop chains, loops, URLs blocked by
robots.txt, pages only the sitemap lists), one :class:`~audit.site.PageFacts`
per 200 page and 40 internal links per page (six navigation links to the home
page and five hub pages, 34 links spread over the whole site). It then runs
``Engine().check_site(site)`` once, and asserts:

- behaviour: each rule reports exactly the URLs the generator planted for it
  (counted per URL, derived from the generated rows and links, not from the
  rules), and nothing else;
- memory: the peak of Python allocations during the site-rule pass (traced
  with tracemalloc, the data generation excluded) stays under
  :data:`MEMORY_BUDGET`;
- complexity: the same site at 25k pages and at 100k pages, four times the
  pages and links, needs at most :data:`MAX_GROWTH` times the peak memory
  (linear work gives about 4; a rule comparing pages pairwise gives 16).

No wall-clock assertion: timings vary with the machine. On two cores the
100k run takes about 50 s (20 s to generate and store the links, 30 s for the
rules under tracemalloc, a third of it SQLite indexing and counting the link
table), the 25k run about 12 s.

The site repeats one block of :data:`BLOCK` URLs; within a block, the position
``i % BLOCK`` decides what a URL is (see :data:`SPECIAL`); every other position
is an ordinary, unique, indexable 200 page.
"""

from __future__ import annotations

import gc
import hashlib
import random
import re
import tracemalloc
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from audit.engine import Engine, plan_rules
from audit.models import ROBOTS_BLOCKED, Finding, Hop, PageSummary
from audit.rules import RULES, RuleScope
from audit.site import EntityMention, LinkRow, LinkStore, PageFacts, Site

BASE = "https://clinic.test"
PLANTED_URL = re.compile(re.escape(BASE) + r"/articles/\d+/rosacea-care-notes/")
LARGE = 100_000
SMALL = 25_000
BLOCK = 1_000
HUBS = (1, 2, 3, 4, 5)
CONTENT_LINKS = 34
LINKS_PER_PAGE = 1 + len(HUBS) + CONTENT_LINKS
BATCH = 20_000
"""Links written to the LinkStore per ``add`` call: how a crawl writes them, a page at a time."""
MB = 2**20
MEMORY_BUDGET = 300 * MB
"""Peak Python memory of the site-rule pass over 100k pages and ~3.9M links.

What the rules may keep is per page: a few dicts and sets keyed by URL (the
site's ``by_url`` and ``inlinks`` included) and the findings, tens of MB at
100k pages. Loading the links themselves is what the budget forbids: 3.9M
``LinkRow`` objects with their strings take 1.3 GB. Measured: about 125 MB
(the findings, 61k of them, included).
"""
MAX_GROWTH = 6.0
SETTINGS = {
    # Pinned, so the planted findings do not depend on the defaults.
    "depth-too-deep": {"max_depth": 4},
    "content-duplicate": {"min_words": 50},
    "content-near-duplicate": {"min_words": 50, "max_distance": 3},
}

# What each position of a block is (position 0 of block 0 is the home page).
REDIRECT, CHAIN_HEAD, CHAIN_HOP = "redirect", "chain-head", "chain-hop"
LOOP_HEAD, LOOP_HOP, BLOCKED = "loop-head", "loop-hop", "blocked"
SERVER_ERROR, TIMEOUT, NOT_FOUND = "server-error", "timeout", "not-found"
NOINDEX, PAGE, ORPHAN, DEEP = "noindex", "page", "orphan", "deep"
CANONICAL_TO_404, CANONICAL_TO_REDIRECT = "canonical-to-404", "canonical-to-redirect"
CANONICAL_TO_NOINDEX, CANONICAL_CHAIN, CANONICAL_HOP = (
    "canonical-to-noindex",
    "canonical-chain",
    "canonical-hop",
)
HREFLANG_PAIR, HREFLANG_ONE_WAY = "hreflang-pair", "hreflang-one-way"
TITLE_DUP, META_DUP, H1_DUP = "title-dup", "meta-dup", "h1-dup"
TEXT_DUP, NEAR_DUP = "text-dup", "near-dup"
ENTITY_TYPE_A, ENTITY_TYPE_B = "entity-type-a", "entity-type-b"
ENTITY_SAMEAS_A, ENTITY_SAMEAS_B = "entity-sameas-a", "entity-sameas-b"

SPECIAL: dict[int, str] = {
    10: REDIRECT,  # 301 → position + 50
    11: REDIRECT,
    12: REDIRECT,
    13: CHAIN_HEAD,  # 301 → 14 → 301 → 15 (a page)
    14: CHAIN_HOP,
    16: LOOP_HEAD,  # 301 → 17 → 301 → 16
    17: LOOP_HOP,
    18: BLOCKED,
    19: SERVER_ERROR,
    20: TIMEOUT,
    **dict.fromkeys(range(21, 30), NOT_FOUND),
    **dict.fromkeys(range(30, 35), NOINDEX),
    **dict.fromkeys(range(35, 38), CANONICAL_TO_404),  # → 21, 22, 23
    38: CANONICAL_TO_REDIRECT,  # → 10
    39: CANONICAL_TO_NOINDEX,  # → 30
    40: CANONICAL_CHAIN,  # → 41 → 42 (a page)
    41: CANONICAL_HOP,
    50: HREFLANG_PAIR,  # en 50 ↔ de 51
    51: HREFLANG_PAIR,
    52: HREFLANG_ONE_WAY,  # en 52 → de 53; 53 lists no alternates
    60: ENTITY_TYPE_A,  # "Partner Lab N": Organization here ...
    61: ENTITY_TYPE_B,  # ... MedicalOrganization here
    62: ENTITY_SAMEAS_A,  # "Dr. Sample N": sameAs LinkedIn here ...
    63: ENTITY_SAMEAS_B,  # ... sameAs ORCID here
    **dict.fromkeys(range(100, 130), TITLE_DUP),  # ten titles, each on three pages
    **dict.fromkeys(range(130, 136), META_DUP),  # three meta descriptions, two pages each
    **dict.fromkeys(range(136, 142), H1_DUP),  # three <h1>, two pages each
    **dict.fromkeys(range(150, 153), TEXT_DUP),  # one main text on three pages
    **dict.fromkeys(range(160, 164), NEAR_DUP),  # two pairs, SimHashes one bit apart
    **dict.fromkeys(range(170, 175), ORPHAN),  # in the sitemap, linked from nowhere
    **dict.fromkeys(range(180, 185), DEEP),  # 9 clicks deep
}
HTML_200 = frozenset(
    {
        PAGE,
        NOINDEX,
        ORPHAN,
        DEEP,
        CANONICAL_TO_404,
        CANONICAL_TO_REDIRECT,
        CANONICAL_TO_NOINDEX,
        CANONICAL_CHAIN,
        CANONICAL_HOP,
        HREFLANG_PAIR,
        HREFLANG_ONE_WAY,
        TITLE_DUP,
        META_DUP,
        H1_DUP,
        TEXT_DUP,
        NEAR_DUP,
        ENTITY_TYPE_A,
        ENTITY_TYPE_B,
        ENTITY_SAMEAS_A,
        ENTITY_SAMEAS_B,
    }
)
FAILED = frozenset({SERVER_ERROR, TIMEOUT, NOT_FOUND})
BROKEN_TARGETS = FAILED | {LOOP_HEAD}
REDIRECTING = frozenset({REDIRECT, CHAIN_HEAD})
NOT_LINKED = frozenset({ORPHAN, CHAIN_HOP, LOOP_HOP})
IN_SITEMAP_INVALID = {21: NOT_FOUND, 10: REDIRECT, 30: NOINDEX, 18: BLOCKED, 16: LOOP_HEAD}
PLANTED: dict[str, frozenset[str]] = {
    "http-error": frozenset({SERVER_ERROR, NOT_FOUND}),
    "fetch-timeout": frozenset({TIMEOUT}),
    "redirect-chain": frozenset({CHAIN_HEAD}),
    "redirect-loop": frozenset({LOOP_HEAD}),
    "depth-too-deep": frozenset({DEEP}),
    "title-duplicate": frozenset({TITLE_DUP}),
    "meta-description-duplicate": frozenset({META_DUP}),
    "h1-duplicate": frozenset({H1_DUP}),
    "content-duplicate": frozenset({TEXT_DUP}),
    "content-near-duplicate": frozenset({NEAR_DUP}),
    "canonical-target-error": frozenset(
        {CANONICAL_TO_404, CANONICAL_TO_REDIRECT, CANONICAL_TO_NOINDEX}
    ),
    "canonical-chain": frozenset({CANONICAL_CHAIN}),
    "hreflang-no-return": frozenset({HREFLANG_ONE_WAY}),
}
"""Rules whose findings sit on the planted URLs themselves, one per URL."""
SITE_RULES = sorted(rule.name for rule in RULES if rule.meta.scope is RuleScope.SITE)
ISSUE_RULES = (
    "http-error",
    "fetch-timeout",
    "broken-link",
    "redirect-chain",
    "redirect-loop",
    "redirected-link",
    "orphan-page",
    "sitemap-invalid-url",
    "robots-blocked-linked",
    "depth-too-deep",
    "title-duplicate",
    "meta-description-duplicate",
    "h1-duplicate",
    "content-duplicate",
    "content-near-duplicate",
    "canonical-target-error",
    "canonical-chain",
    "hreflang-no-return",
    "entity-inconsistent",
)


def kind(i: int) -> str:
    return SPECIAL.get(i % BLOCK, PAGE)


def url(i: int) -> str:
    return f"{BASE}/articles/{i}/rosacea-care-notes/"


def sitemap_of(i: int) -> str:
    return f"{BASE}/sitemap-articles-{i // 40_000 + 1}.xml"


def in_sitemap(i: int) -> bool:
    position = i % BLOCK
    return (
        i == 0
        or position in IN_SITEMAP_INVALID
        or kind(i) == ORPHAN
        or (position >= 200 and position % 10 == 0)
    )


def depth(i: int) -> int | None:
    if i == 0:
        return 0
    if kind(i) == ORPHAN:
        return None  # found in the sitemap only
    if i in HUBS:
        return 1
    return 9 if kind(i) == DEEP else 2 + i % 3


# --- the generator --------------------------------------------------------------------


def summary(i: int) -> PageSummary:
    """The crawl's row for URL ``i``, as the crawler records it (one row per hop)."""
    what, here, block = kind(i), url(i), i - i % BLOCK
    source = "start" if i == 0 else "sitemap" if what == ORPHAN else "link"
    found_on = None if i == 0 else sitemap_of(i) if what == ORPHAN else url(i - 1)
    status: int | None = 200
    content_type, final, chain, error = "text/html", here, (), None
    error_kind: str | None = None
    if what == REDIRECT:
        status, content_type, final = 301, "", url(i + 50)
        chain = (Hop(here, 301, final),)
    elif what == CHAIN_HEAD:
        status, content_type, final = 301, "", url(i + 2)
        chain = (Hop(here, 301, url(i + 1)), Hop(url(i + 1), 301, final))
    elif what == CHAIN_HOP:
        status, content_type, final, source = 301, "", url(i + 1), "redirect"
        chain, found_on = (Hop(here, 301, final),), url(i - 1)
    elif what in (LOOP_HEAD, LOOP_HOP):
        head = block + 16
        status, content_type, final = 301, "", url(head)
        error = f"redirect loop: {url(head)} -> {url(head + 1)} -> {url(head)}"
        loop = (Hop(url(head), 301, url(head + 1)), Hop(url(head + 1), 301, url(head)))
        chain = loop if what == LOOP_HEAD else loop[1:]
        if what == LOOP_HOP:
            source, found_on = "redirect", url(head)
    elif what == BLOCKED:
        status, content_type, error = None, "", ROBOTS_BLOCKED
    elif what == SERVER_ERROR:
        status = 503
    elif what == TIMEOUT:
        status, content_type, error = None, "", "read timeout: no data for 30 s"
        error_kind = "timeout"
    elif what == NOT_FOUND:
        status = 404
    html = what in HTML_200
    return PageSummary(
        url=here,
        final_url=final,
        status=status,
        content_type=content_type,
        depth=depth(i),
        found_on=found_on,
        source=source,
        redirect_chain=chain,
        fetch_ms=120.0,
        bytes=24_000 if html else 0,
        error=error,
        error_kind=error_kind,
        title=f"Rosacea care notes, part {i}" if html else None,
        encoding="utf-8" if html else None,
        in_sitemap=in_sitemap(i),
        outlinks=LINKS_PER_PAGE if html else 0,
    )


PUBLISHER = EntityMention(
    key="name juniper bay skin clinic",
    name="Juniper Bay Skin Clinic",
    types=("MedicalClinic",),
    url=f"{BASE}/",
    logo=f"{BASE}/logo.png",
    same_as=("https://www.facebook.com/juniperbayskin",),
    where="publisher (json-ld)",
)


def _entity(i: int) -> EntityMention | None:
    what, block = kind(i), i // BLOCK
    if what in (ENTITY_TYPE_A, ENTITY_TYPE_B):
        kind_of = "Organization" if what == ENTITY_TYPE_A else "MedicalOrganization"
        return EntityMention(
            f"name partner lab {block}",
            f"Partner Lab {block}",
            (kind_of,),
            None,
            None,
            (),
            "funder (json-ld)",
        )
    if what in (ENTITY_SAMEAS_A, ENTITY_SAMEAS_B):
        profile = (
            f"https://www.linkedin.com/in/dr-sample-{block}/"
            if what == ENTITY_SAMEAS_A
            else f"https://orcid.org/0000-0002-{block:04d}-0001"
        )
        return EntityMention(
            f"name dr. sample {block}",
            f"Dr. Sample {block}",
            ("Person",),
            None,
            None,
            (profile,),
            "author (json-ld)",
        )
    return None


def facts(i: int, rng: random.Random, shared: dict[str, int]) -> PageFacts:
    """The content facts of 200 page ``i``; ``shared`` holds the SimHashes pages share."""
    what, position, block = kind(i), i % BLOCK, i // BLOCK
    title = f"Rosacea care notes, part {i} | Juniper Bay Skin Clinic"
    if what == TITLE_DUP:
        title = f"Rosacea care notes, series {block}-{(position - 100) // 3} | Juniper Bay"
    description = f"Part {i} of our notes on living with rosacea: triggers, skin care, treatment."
    if what == META_DUP:
        description = f"Notes on rosacea, series {block}-{(position - 130) // 2}: what helps."
    h1 = f"Rosacea care notes, part {i}"
    if what == H1_DUP:
        h1 = f"Rosacea care notes, series {block}-{(position - 136) // 2}"
    text_key = f"text {i}"
    simhash = rng.getrandbits(64)
    if what == TEXT_DUP:
        text_key = f"text series {block}"
        simhash = shared.setdefault(f"text {block}", simhash)
    elif what == NEAR_DUP:
        pair = f"near {block}-{(position - 160) // 2}"
        if pair in shared:
            simhash = shared[pair] ^ (1 << rng.randrange(64))
        shared[pair] = simhash
    base = i - position
    canonical = {
        CANONICAL_TO_404: url(base + 21 + position - 35),
        CANONICAL_TO_REDIRECT: url(base + 10),
        CANONICAL_TO_NOINDEX: url(base + 30),
        CANONICAL_CHAIN: url(i + 1),
        CANONICAL_HOP: url(i + 1),
    }.get(what, url(i))
    hreflang: tuple[tuple[str, str], ...] = ()
    if what == HREFLANG_PAIR:
        hreflang = (("en", url(base + 50)), ("de", url(base + 51)))
    elif what == HREFLANG_ONE_WAY:
        hreflang = (("en", url(i)), ("de", url(i + 1)))
    extra = _entity(i)
    return PageFacts(
        url=url(i),
        title=title,
        meta_description=description,
        h1=h1,
        indexable=what != NOINDEX,
        canonical=canonical,
        hreflang=hreflang,
        text_hash=hashlib.blake2b(text_key.encode(), digest_size=12).hexdigest(),
        simhash=simhash,
        words=640,
        entities=(PUBLISHER, extra) if extra else (PUBLISHER,),
    )


def targets(source: int, pages: int) -> Iterator[int]:
    """The 40 links of page ``source``: navigation first, then links spread over the site."""
    yield 0
    yield from HUBS
    stride = pages // CONTENT_LINKS + 1
    for k in range(CONTENT_LINKS):
        yield (source + 1 + k * stride) % pages


@dataclass
class Planted:
    """The synthetic site and the findings it must produce, per rule: URL → count."""

    site: Site
    expected: dict[str, Counter[str]]
    link_pairs: dict[str, set[tuple[str, str]]]
    entity_pairs: dict[str, tuple[str, str]]
    links: int


def build(pages: int) -> Planted:
    """Build the site of ``pages`` URLs (a multiple of BLOCK) and what each rule must report."""
    assert pages % BLOCK == 0
    rng = random.Random(pages)
    rows = [summary(i) for i in range(pages)]
    shared: dict[str, int] = {}
    page_facts = {
        row.url: facts(i, rng, shared) for i, row in enumerate(rows) if kind(i) in HTML_200
    }
    sitemap_urls = {url(i): sitemap_of(i) for i in range(pages) if in_sitemap(i)}
    anchors = [f"Rosacea care notes, part {i}" for i in range(pages)]
    urls = [row.url for row in rows]
    expected: dict[str, Counter[str]] = {rule: Counter() for rule in ISSUE_RULES}
    link_pairs: dict[str, set[tuple[str, str]]] = {"broken-link": set(), "redirected-link": set()}
    linked: set[int] = set()
    store = LinkStore()
    batch: list[LinkRow] = []
    count = 0
    for source in range(pages):
        if kind(source) not in HTML_200:
            continue
        distinct: set[int] = set()
        for target in targets(source, pages):
            if target == source or kind(target) in NOT_LINKED:
                continue
            batch.append(LinkRow(urls[source], urls[target], anchors[target], "", False))
            distinct.add(target)
        linked |= distinct
        for target in distinct:
            rule = (
                "broken-link"
                if kind(target) in BROKEN_TARGETS
                else "redirected-link"
                if kind(target) in REDIRECTING
                else None
            )
            if rule:
                expected[rule][urls[source]] += 1
                link_pairs[rule].add((urls[source], urls[target]))
        if len(batch) >= BATCH:
            store.add(batch)
            count += len(batch)
            batch = []
    store.add(batch)
    count += len(batch)
    for i in range(pages):
        what = kind(i)
        for rule, kinds in PLANTED.items():
            if what in kinds:
                expected[rule][urls[i]] += 1
        if in_sitemap(i) and i % BLOCK in IN_SITEMAP_INVALID:
            expected["sitemap-invalid-url"][urls[i]] += 1
        if in_sitemap(i) and i != 0 and what in HTML_200 and i not in linked:
            expected["orphan-page"][urls[i]] += 1
        if what == BLOCKED and i in linked:
            expected["robots-blocked-linked"][urls[i]] += 1
    pairs = {}
    for block in range(0, pages, BLOCK):
        pairs[f"Partner Lab {block // BLOCK}"] = (urls[block + 60], urls[block + 61])
        pairs[f"Dr. Sample {block // BLOCK}"] = (urls[block + 62], urls[block + 63])
    site = Site(rows, page_facts, store, sitemap_urls)
    return Planted(site, expected, link_pairs, pairs, count)


# --- one measured run per size --------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """The findings of one site-rule pass and its peak traced memory."""

    pages: int
    links: int
    findings: tuple[Finding, ...]
    expected: dict[str, Counter[str]]
    link_pairs: dict[str, set[tuple[str, str]]]
    entity_pairs: dict[str, tuple[str, str]]
    peak: int


def run(pages: int) -> Run:
    planted = build(pages)
    engine = Engine(plan_rules(SETTINGS))
    gc.collect()
    # Only what is allocated from here on is traced: the generated site is not counted.
    already = tracemalloc.is_tracing()
    if already:  # e.g. python -X tracemalloc: measure from here all the same
        tracemalloc.stop()
    tracemalloc.start()
    try:
        findings = engine.check_site(planted.site)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
        if already:
            tracemalloc.start()
        planted.site.links.close()
    return Run(
        pages,
        planted.links,
        tuple(findings),
        planted.expected,
        planted.link_pairs,
        planted.entity_pairs,
        peak,
    )


@pytest.fixture(scope="module")
def large() -> Run:
    return run(LARGE)


@pytest.fixture(scope="module")
def small() -> Run:
    return run(SMALL)


def _diff(rule: str, got: Counter[str], want: Counter[str], findings: list[Finding]) -> str:
    missing = sorted((want - got).items())
    extra = sorted((got - want).items())
    sample = "\n".join(f"    {f.url} | {f.message[:200]}" for f in findings[:5])
    return (
        f"{rule}: {sum(got.values())} findings on {len(got)} URLs; planted "
        f"{sum(want.values())} on {len(want)} URLs.\n"
        f"  missing (url, count) ({len(missing)}): {missing[:5]}\n"
        f"  unexpected (url, count) ({len(extra)}): {extra[:5]}\n"
        f"  first findings:\n{sample or '    (none)'}"
    )


# --- behaviour at 100k pages ----------------------------------------------------------


def test_the_generated_site_is_what_the_plan_says(large: Run) -> None:
    """Sanity of the generator: 100k URLs, ~40 links per page, every rule given work."""
    assert large.pages == LARGE
    html_pages = sum(kind(i) in HTML_200 for i in range(LARGE))
    assert large.links > 0.95 * html_pages * LINKS_PER_PAGE
    blocks = LARGE // BLOCK
    assert sum(large.expected["http-error"].values()) == 10 * blocks
    assert sum(large.expected["fetch-timeout"].values()) == blocks
    assert sum(large.expected["orphan-page"].values()) == 5 * blocks
    assert sum(large.expected["sitemap-invalid-url"].values()) == 5 * blocks
    assert sum(large.expected["robots-blocked-linked"].values()) == blocks
    assert sum(large.expected["title-duplicate"].values()) == 30 * blocks
    assert len(large.expected["broken-link"]) > 10 * blocks
    assert len(large.expected["redirected-link"]) > 3 * blocks
    assert len(large.entity_pairs) == 2 * blocks


def test_every_site_rule_of_the_issue_is_registered() -> None:
    missing = [rule for rule in ISSUE_RULES if rule not in SITE_RULES]
    assert not missing, f"site rules not registered yet: {missing}"


def test_no_site_rule_crashed(large: Run) -> None:
    crashed = [f for f in large.findings if f.rule == "rule-crashed"]
    assert not crashed, "\n".join(f"{f.evidence}: {f.message}" for f in crashed)


def test_no_finding_from_an_unplanned_rule(large: Run) -> None:
    unplanned = Counter(f.rule for f in large.findings if f.rule not in ISSUE_RULES)
    unplanned.pop("rule-crashed", None)
    assert not unplanned, f"findings of rules the generator planted nothing for: {unplanned}"


@pytest.mark.parametrize("rule", [r for r in ISSUE_RULES if r != "entity-inconsistent"])
def test_each_rule_reports_exactly_the_planted_urls(large: Run, rule: str) -> None:
    """Per rule, findings per URL equal what the generator planted: none missed, none extra."""
    findings = [f for f in large.findings if f.rule == rule]
    got = Counter(f.url for f in findings)
    want = large.expected[rule]
    assert got == want, _diff(rule, got, want, findings)


@pytest.mark.parametrize("rule", ["broken-link", "redirected-link"])
def test_link_findings_name_their_targets(large: Run, rule: str) -> None:
    """One finding per linking page and target, whose message names that target."""
    findings = [f for f in large.findings if f.rule == rule]
    named = Counter((f.url, next(iter(PLANTED_URL.findall(f.message)), "")) for f in findings)
    repeated = [pair for pair, count in named.items() if count > 1]
    assert not repeated, f"{rule}: several findings for one page and target: {repeated[:5]}"
    want = large.link_pairs[rule]
    assert set(named) == want, (
        f"{rule}: (page, target named) pairs missing: {sorted(want - set(named))[:5]}; "
        f"unexpected: {sorted(set(named) - want)[:5]}"
    )


def test_entity_inconsistent_reports_each_planted_entity_once(large: Run) -> None:
    findings = [f for f in large.findings if f.rule == "entity-inconsistent"]
    by_name: dict[str, list[Finding]] = {}
    for finding in findings:
        name = finding.message.split('"')[1] if '"' in finding.message else finding.message
        by_name.setdefault(name, []).append(finding)
    assert set(by_name) == set(large.entity_pairs), (
        f"{len(findings)} findings; names not planted: "
        f"{sorted(set(by_name) - set(large.entity_pairs))[:5]}; planted, not reported: "
        f"{sorted(set(large.entity_pairs) - set(by_name))[:5]}"
    )
    for name, hits in by_name.items():
        assert len(hits) == 1, [f.message for f in hits]
        assert hits[0].url in large.entity_pairs[name], (hits[0].url, large.entity_pairs[name])


# --- memory ----------------------------------------------------------------------------


def test_site_rules_stay_within_the_memory_budget(large: Run) -> None:
    assert large.peak < MEMORY_BUDGET, (
        f"the site-rule pass over {large.pages:,} pages and {large.links:,} links peaked at "
        f"{large.peak / MB:.0f} MB of Python memory (budget {MEMORY_BUDGET / MB:.0f} MB)"
    )


def test_site_rule_memory_grows_linearly(small: Run, large: Run) -> None:
    ratio = large.peak / small.peak
    assert ratio < MAX_GROWTH, (
        f"peak memory {small.peak / MB:.1f} MB at {small.pages:,} pages, "
        f"{large.peak / MB:.1f} MB at {large.pages:,} pages: {ratio:.1f}x for 4x the pages "
        f"(linear ≈ 4, pairwise ≈ 16; limit {MAX_GROWTH})"
    )


def test_findings_grow_with_the_site(small: Run, large: Run) -> None:
    """The smaller run plants a quarter of everything: the rules find a quarter."""
    per_rule_small = Counter(f.rule for f in small.findings)
    per_rule_large = Counter(f.rule for f in large.findings)
    for rule in ISSUE_RULES:
        want_small = sum(small.expected[rule].values())
        if rule == "entity-inconsistent":
            want_small = len(small.entity_pairs)
        assert per_rule_small[rule] == want_small, (rule, per_rule_small[rule], want_small)
        assert per_rule_large[rule] >= 3 * per_rule_small[rule], rule
