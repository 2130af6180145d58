"""In-process extraction benchmark: what one core spends per page, without the network.

Loads saved pages (a sample of the generated site, optionally the pages under
/work/shared/corpora) and measures, per page:

1. lexbor parse only (``LexborHTMLParser(html)``);
2. the auditor's whole per-page work in a crawl: decode, ``Page.from_fetch``,
   link normalisation (as the crawler does), every page rule
   (``Engine().check_page``), ``structured_rows`` and ``summarize``;
3. a breakdown of (2): each of the Page's cached views first touched on its
   own, then each rule, then the rows and the summary, top costs first.

Times are CPU time of this process (``time.process_time_ns``), so other jobs on
the machine disturb them little.

    python bench/extract_bench.py --pages 5000 [--sample 300] [--corpora]
"""

from __future__ import annotations

import argparse
import functools
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

from environment import BENCH
from generate_site import read_marker
from selectolax.lexbor import LexborHTMLParser

from audit.crawl.decoding import decode_html
from audit.crawl.urls import normalize_url
from audit.engine import Engine, plan_rules, structured_rows
from audit.models import FetchResult
from audit.page import Page
from audit.rules import RuleScope
from audit.site import summarize

CORPORA = Path("/work/shared/corpora")
Sample = list[tuple[str, bytes]]


def load_site(root: Path, sample: int) -> Sample:
    """Every n-th page of a generated site, as (url, body bytes)."""
    marker = read_marker(root)
    if marker is None:
        sys.exit(f"{root} holds no generated site: run bench/run.py or generate_site.py first")
    paths = sorted(root.rglob("index.html"))
    step = max(1, len(paths) // sample)
    sample_pages = []
    for path in paths[::step][:sample]:
        folder = path.parent.relative_to(root).as_posix()
        url = f"{marker['origin']}/" + ("" if folder == "." else f"{folder}/")
        sample_pages.append((url, path.read_bytes()))
    return sample_pages


def load_corpora(sample: int) -> Sample:
    paths = sorted(CORPORA.rglob("*.html"))
    step = max(1, len(paths) // sample)
    base = "https://example.com/"
    return [(base + p.relative_to(CORPORA).as_posix(), p.read_bytes()) for p in paths[::step]]


def fetch_result(url: str, body: bytes) -> FetchResult:
    text, encoding = decode_html(body, "utf-8")
    return FetchResult(
        url=url,
        final_url=url,
        status=200,
        headers={"content-type": "text/html; charset=utf-8"},
        body=body,
        text=text,
        encoding=encoding,
        content_type="text/html",
        bytes_downloaded=len(body),
    )


def per_page_work(engine: Engine, url: str, body: bytes) -> None:
    """What a crawl does with one HTML page (crawler + runner.on_page), minus the fetch."""
    page = Page.from_fetch(fetch_result(url, body))
    links = [normalize_url(link.url) for link in page.links]
    findings = engine.check_page(page)
    structured_rows(page, findings)
    summarize(page)
    del links


def cpu_per_page(pages: Sample, work: Callable[[str, bytes], object], min_s: float) -> float:
    """CPU ms per page of ``work``, looping over the sample until ``min_s`` seconds passed."""
    done, started = 0, time.process_time_ns()
    while True:
        for url, body in pages:
            work(url, body)
        done += len(pages)
        elapsed = time.process_time_ns() - started
        if elapsed >= min_s * 1e9:
            return elapsed / 1e6 / done


def breakdown(pages: Sample) -> dict[str, float]:
    """CPU ms per page for each phase, summed over the sample and divided by its size."""
    settings = [s for s in plan_rules(None) if s.enabled and s.rule.meta.scope is RuleScope.PAGE]
    views = [
        name for name, attr in vars(Page).items() if isinstance(attr, functools.cached_property)
    ]
    totals: dict[str, int] = defaultdict(int)

    def timed(name: str, action: Callable[[], object]) -> object:
        started = time.process_time_ns()
        try:
            return action()
        except Exception:
            return None
        finally:
            totals[name] += time.process_time_ns() - started

    def one(url: str, body: bytes) -> None:
        result = timed("decode (decode_html)", lambda: fetch_result(url, body))
        page: Page = timed("parse (Page: lexbor tree)", lambda: Page.from_fetch(result))  # type: ignore[assignment,arg-type]
        for name in views:
            timed(f"view page.{name}", functools.partial(getattr, page, name))
        timed("links: normalize_url each", lambda: [normalize_url(x.url) for x in page.links])
        findings = []
        for setting in settings:
            label = f"rule {setting.rule.name} ({setting.rule.meta.category})"
            check = functools.partial(setting.rule.check, page, setting.options)
            findings += timed(label, lambda check=check: list(check())) or []  # type: ignore[operator]
        timed("structured_rows", lambda: structured_rows(page, findings))
        timed("summarize (PageFacts, simhash)", lambda: summarize(page))

    per_page_work(Engine(), *pages[0])  # warm-up: lazy imports (numpy, extruct) and caches
    for url, body in pages:
        one(url, body)
    return {name: total / 1e6 / len(pages) for name, total in totals.items()}


def report(name: str, pages: Sample, min_s: float, top: int) -> None:
    engine = Engine()
    size_kb = sum(len(body) for _, body in pages) / len(pages) / 1024
    parse = cpu_per_page(pages, lambda url, body: LexborHTMLParser(body.decode()), min_s)
    full = cpu_per_page(pages, functools.partial(per_page_work, engine), min_s)
    phases = breakdown(pages)
    total = sum(phases.values())
    print(f"\n### {name}: {len(pages)} pages, {size_kb:.1f} KB average\n")
    print("| measurement | ms/page | pages/s per core |\n|---|---:|---:|")
    print(f"| lexbor parse only | {parse:.3f} | {1000 / parse:,.0f} |")
    what = "full per-page work (decode, parse, links, all page rules, rows, summary)"
    print(f"| {what} | {full:.2f} | {1000 / full:,.0f} |")
    print(f"\nBreakdown (each phase timed on its own; {total:.2f} ms/page in all):\n")
    print("| phase | ms/page | share |\n|---|---:|---:|")
    categories: dict[str, float] = defaultdict(float)
    for phase, ms in phases.items():
        if phase.startswith("rule "):
            categories[phase.rsplit("(", 1)[1].rstrip(")")] += ms
    for phase, ms in sorted(phases.items(), key=lambda item: -item[1])[:top]:
        print(f"| {phase} | {ms:.3f} | {100 * ms / total:.1f} % |")
    print("\nPage rules by category:\n\n| category | ms/page |\n|---|---:|")
    for category, ms in sorted(categories.items(), key=lambda item: -item[1]):
        print(f"| {category} | {ms:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=5000, help="which generated site")
    parser.add_argument("--dir", type=Path, default=None, help="a generated site folder")
    parser.add_argument("--sample", type=int, default=300, help="pages to load per set")
    parser.add_argument("--corpora", action="store_true", help=f"also pages under {CORPORA}")
    parser.add_argument("--min-seconds", type=float, default=2.0)
    parser.add_argument("--top", type=int, default=15)
    args = parser.parse_args()
    root = args.dir or BENCH / ".sites" / str(args.pages)
    report(f"generated site {root.name}", load_site(root, args.sample), args.min_seconds, args.top)
    if args.corpora and CORPORA.exists():
        report("shared corpora", load_corpora(args.sample), args.min_seconds, args.top)


if __name__ == "__main__":
    main()
