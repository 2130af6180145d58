"""The crawl-trap guard (audit.crawl.traps) on its own, and wired into the frontier."""

from __future__ import annotations

import pytest

from audit.config import AuditConfig
from audit.crawl.frontier import Frontier, Refusal, Source
from audit.crawl.traps import TrapGuard, date_template, repeated_prefix
from audit.crawl.urls import Scope

SITE = "https://clinic.example"


@pytest.mark.parametrize(
    ("path", "query", "template"),
    [
        ("/calendar/2026/11", "", "/calendar/{year}/{month}"),
        ("/calendar/2026/11/05/", "", "/calendar/{year}/{month}/{day}/"),
        ("/events/2026-11-05", "", "/events/{date}"),
        ("/events/2026_11", "", "/events/{date}"),
        ("/events/", "month=2026-11", "/events/?month={date}"),
        (
            "/events/",
            "year=2026&month=11&view=list",
            "/events/?year={year}&month={month}&view=list",
        ),
        ("/blog/2019/05/laser-aftercare/", "", "/blog/{year}/{month}/laser-aftercare/"),
        # Not dates: a year alone, a product number, a month without a year.
        ("/product/2026", "", None),
        ("/product/2026/13", "", None),
        ("/treatments/", "page=11", None),
        ("/events/", "month=11", None),
        ("/", "", None),
    ],
)
def test_date_template(path: str, query: str, template: str | None) -> None:
    assert date_template(path, query) == template


@pytest.mark.parametrize(
    ("path", "prefix"),
    [
        ("/a/b/a/b/a/b/", "/a/b/a/b/a/"),
        ("/news/page/2/news/page/3/news/page/4/", "/news/page/2/news/page/3/news/"),
        ("/en/shop/en/", None),  # twice is fine
        ("/2011/11/11/", None),
        ("/", None),
    ],
)
def test_repeated_prefix(path: str, prefix: str | None) -> None:
    assert repeated_prefix(path, 2) == prefix


def test_query_variants_are_capped_per_path_and_counted_once_per_url() -> None:
    guard = TrapGuard(max_query_variants=3)
    admitted = [
        url
        for url in (f"{SITE}/listing?sort={s}&page={n}" for s in "abc" for n in range(1, 5))
        if guard.refuse(url, f"{SITE}/listing") is None
    ]
    assert admitted == [f"{SITE}/listing?sort=a&page={n}" for n in (1, 2, 3)]
    assert guard.refuse(f"{SITE}/listing", None) is None  # the bare path is not a variant
    assert guard.refuse(f"{SITE}/other?page=2", None) is None  # another path has its own count
    guard.refuse(f"{SITE}/listing?sort=c&page=4", None)  # the same refused URL again
    (trap,) = guard.traps()
    assert trap.kind == "query-variants"
    assert trap.pattern == f"{SITE}/listing?…"
    assert trap.limit == 3
    assert trap.refused == 9
    assert trap.example == f"{SITE}/listing?sort=a&page=4"
    assert trap.found_on == f"{SITE}/listing"


def test_an_endless_calendar_stops_at_the_date_limit() -> None:
    guard = TrapGuard(max_date_variants=12)
    months = [f"{SITE}/calendar/{2026 + m // 12}/{m % 12 + 1:02d}" for m in range(40)]
    admitted = [url for url in months if guard.refuse(url, None) is None]
    assert admitted == months[:12]
    (trap,) = guard.traps()
    assert (trap.kind, trap.pattern, trap.refused) == (
        "date-variants",
        f"{SITE}/calendar/{{year}}/{{month}}",
        28,
    )
    # Blog posts under dated folders are each their own pattern: never capped.
    posts = [f"{SITE}/blog/2019/05/post-{n}/" for n in range(50)]
    assert all(guard.refuse(url, None) is None for url in posts)


def test_long_urls_and_repeated_segments_are_refused_and_grouped() -> None:
    guard = TrapGuard(max_url_length=100, max_path_repeats=2)
    assert guard.refuse(f"{SITE}/search/{'x' * 500}", f"{SITE}/") == "url-length"
    assert guard.refuse(f"{SITE}/search/{'y' * 300}", f"{SITE}/") == "url-length"
    assert guard.refuse(f"{SITE}/a/b/a/b/a/b/", None) == "path-repeats"
    assert guard.refuse(f"{SITE}/a/b/a/b/a/b/a/b/", None) == "path-repeats"
    assert guard.refuse(f"{SITE}/a/b/a/b/", None) is None
    traps = {trap.kind: trap for trap in guard.traps()}
    assert traps["url-length"].pattern == f"{SITE}/search…"
    assert traps["url-length"].refused == 2
    assert traps["url-length"].example.endswith("…") and len(traps["url-length"].example) <= 300
    assert traps["path-repeats"].pattern == f"{SITE}/a/b/a/b/a/…"
    assert traps["path-repeats"].refused == 2


def test_none_switches_every_limit_off() -> None:
    guard = TrapGuard(
        max_url_length=None, max_path_repeats=None, max_query_variants=None, max_date_variants=None
    )
    urls = [f"{SITE}/a/a/a/a/{'z' * 5000}?page={n}" for n in range(100)]
    urls += [f"{SITE}/calendar/{2000 + n}/01" for n in range(100)]
    assert all(guard.refuse(url, None) is None for url in urls)
    assert guard.traps() == []


def test_the_guard_follows_the_config() -> None:
    config = AuditConfig.model_validate(
        {"crawl": {"max_query_variants": 2, "max_url_length": None}}
    )
    guard = TrapGuard.from_config(config.crawl)
    assert (guard.max_query_variants, guard.max_url_length) == (2, None)
    assert (guard.max_path_repeats, guard.max_date_variants) == (2, 36)


def test_the_frontier_refuses_trap_links_but_never_start_or_sitemap_urls() -> None:
    start = f"{SITE}/"
    frontier = Frontier(
        Scope.build((start,)), max_pages=1000, guard=TrapGuard(max_query_variants=1)
    )
    assert frontier.add(start, depth=0, found_on=None, source=Source.START) is None
    link = {"depth": 1, "found_on": start, "source": Source.LINK}
    assert frontier.add(f"{SITE}/list?page=1", **link) is None
    assert frontier.add(f"{SITE}/list?page=2", **link) is Refusal.TRAP
    assert frontier.add(f"{SITE}/list?page=1", **link) is Refusal.SEEN
    sitemap = {"depth": None, "found_on": f"{SITE}/sitemap.xml", "source": Source.SITEMAP}
    assert frontier.add(f"{SITE}/list?page=3", **sitemap) is None
    assert f"{SITE}/list?page=2" not in frontier
    assert frontier.pending() == 3
