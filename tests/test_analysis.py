"""Page analysis in worker processes gives exactly what in-process analysis gives.

Also: a worker that dies costs one page (reported), not the crawl, and the
workers never receive the request headers (credentials).
"""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
from dataclasses import replace
from pathlib import Path

import pytest

import audit.analysis as analysis
from audit.analysis import Analyzer, PageReport
from audit.config import load_config
from audit.demo.server import serve_site
from audit.errors import AuditError
from audit.models import ErrorKind, FetchResult, Hop, PageSummary
from audit.runner import run_audit
from audit.store import RunStore

DEMO_SITE = Path(analysis.__file__).parent / "demo" / "site"
ARTICLE = DEMO_SITE / "articles" / "rosacea-barrier-repair" / "index.html"


def fetched(path: Path, url: str = "https://clinic.test/articles/a/") -> FetchResult:
    return FetchResult(
        url=url,
        final_url=url,
        status=200,
        text=path.read_text(encoding="utf-8"),
        content_type="text/html",
    )


def config(**overrides: object):
    return load_config(None, {"site.start_urls": ["https://clinic.test/"], **overrides})


def analyse(analyzer: Analyzer, result: FetchResult):
    try:
        return asyncio.run(analyzer(result))
    finally:
        analyzer.close()


def test_a_worker_process_gives_the_same_outline_and_report_as_the_crawler_process() -> None:
    result = fetched(ARTICLE)
    local_outline, local_report = analyse(Analyzer(config(), workers=0), result)
    pooled = Analyzer(config(), workers=1, start_after=0)
    outline, report = analyse(pooled, result)
    assert isinstance(report, PageReport)
    assert report.findings  # the demo article has defects on purpose
    assert (outline, report) == (local_outline, local_report)
    assert {link.url for link in outline.links} >= {"https://clinic.test/faq/"}


def test_what_crosses_the_process_boundary_pickles_as_constructor_arguments() -> None:
    result = replace(
        fetched(ARTICLE),
        redirect_chain=(Hop("https://clinic.test/a", 301, "https://clinic.test/articles/a/"),),
        error_kind=ErrorKind.BODY_TOO_LARGE,
    )
    analysis_result = analyse(Analyzer(config(), workers=0), result)
    outline, report = analysis_result
    assert report.facts.entities and outline.links  # every record type is exercised
    for record in (result, outline, report, report.facts, *report.facts.entities, *outline.links):
        rebuild, values = record.__reduce__()
        assert rebuild is type(record) and rebuild(*values) == record
    assert pickle.loads(pickle.dumps(analysis_result)) == analysis_result
    assert pickle.loads(pickle.dumps(result)) == result


def test_auto_workers_start_only_after_the_first_pages() -> None:
    analyzer = Analyzer(config(), start_after=2)
    assert analyzer.workers >= 1

    async def three() -> None:
        for _ in range(2):
            await analyzer(fetched(ARTICLE))
            assert analyzer._pool is None
        await analyzer(fetched(ARTICLE))
        assert analyzer._pool is not None and len(analyzer._pool._workers) == analyzer.workers

    try:
        asyncio.run(three())
    finally:
        analyzer.close()


def _die(result: FetchResult):
    os.kill(os.getpid(), signal.SIGKILL)


def test_a_page_that_kills_its_worker_is_reported_and_the_next_page_is_analysed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    analyzer = Analyzer(config(), workers=1, start_after=0)

    async def crash_then_recover():
        monkeypatch.setattr(analysis, "_analyze_in_worker", _die)
        crashed = await analyzer(fetched(ARTICLE))
        monkeypatch.undo()
        recovered = await analyzer(fetched(ARTICLE))
        return crashed, recovered

    try:
        (outline, report), (_, healthy) = asyncio.run(crash_then_recover())
    finally:
        analyzer.close()
    assert outline.links == ()
    assert [finding.rule for finding in report.findings] == ["rule-crashed"]
    assert "stopped the parser process" in report.findings[0].message
    assert report.findings[0].url == "https://clinic.test/articles/a/"
    assert healthy.findings and all(f.rule != "rule-crashed" for f in healthy.findings)


def test_workers_get_no_request_headers_or_webhook() -> None:
    secret = config(
        **{"crawl.headers": {"Authorization": "Basic c2VjcmV0"}},
        **{"report.webhook_url": "https://hooks.test/T0"},
    )
    stripped = analysis._without_secrets(secret)
    assert dict(stripped.crawl.headers) == {}
    assert stripped.report.webhook_url is None
    assert stripped.rules == secret.rules and stripped.site == secret.site


def test_a_crawl_with_worker_processes_writes_the_same_tables(tmp_path: Path) -> None:
    def crawl(workers: int, out: Path) -> tuple[list[tuple[str, ...]], int]:
        with serve_site(DEMO_SITE) as (origin, _):
            settings = {
                "site.start_urls": [f"{origin}/"],
                "site.name": "demo",
                "report.out_dir": out,
                "crawl.parse_workers": workers,
            }
            outcome = run_audit(load_config(None, settings))
        rows = sorted(
            (f.rule, f.url.removeprefix(origin), f.selector, f.message.replace(origin, ""))
            for f in outcome.findings
        )
        assert not (outcome.run_dir / ".state.sqlite").exists()
        return rows, len(outcome.crawl.pages)

    in_process = crawl(0, tmp_path / "a")
    pooled = crawl(2, tmp_path / "b")
    assert in_process[0], "the demo site has findings"
    assert pooled == in_process


def test_store_round_trips_findings_rows_and_facts(tmp_path: Path) -> None:
    _, report = Analyzer(config(), workers=0)._local(fetched(ARTICLE))
    store = RunStore(tmp_path / "run.sqlite")
    store.add_findings(report.findings)
    store.add_structured(report.structured)
    store.add_facts(report.facts)
    facts = store.facts()
    assert tuple(store.findings()) == report.findings
    assert tuple(store.structured_rows()) == report.structured
    assert facts[report.facts.url] == report.facts
    assert list(facts.values()) == [report.facts] and len(facts) == 1
    assert "https://elsewhere.test/" not in facts
    store.close()


def test_store_serves_facts_by_depth_then_url_and_can_leave_entities_out(tmp_path: Path) -> None:
    from audit.site import PageFacts

    _, report = Analyzer(config(), workers=0)._local(fetched(ARTICLE))
    assert report.facts.entities  # the demo article describes its clinic and author
    store = RunStore(tmp_path / "run.sqlite")
    for url, depth in (
        ("https://c.test/b", 2),
        ("https://c.test/z", None),
        ("https://c.test/a", 2),
    ):
        store.add_facts(PageFacts(url=url, entities=report.facts.entities), depth)
    store.add_facts(PageFacts(url="https://c.test/deep", entities=()), 5)
    store.add_facts(PageFacts(url="https://c.test/top", entities=()), 0)
    view = store.facts()
    order = [facts.url.rsplit("/", 1)[1] for facts in view.ordered()]
    assert order == ["top", "a", "b", "deep", "z"]
    assert all(not facts.entities for facts in view.ordered(["title"]))
    assert view["https://c.test/a"].entities == report.facts.entities
    store.close()


def test_store_keeps_every_fact_field_and_reads_only_the_named_ones(
    tmp_path: Path,
) -> None:
    from audit.site import PageFacts

    _, report = Analyzer(config(), workers=0)._local(fetched(ARTICLE))
    full = replace(
        report.facts,
        hreflang=(("en", "https://c.test/en/"), ("zh-tw", "https://c.test/zh/")),
        simhash=(1 << 64) - 3,  # above SQLite's signed 64-bit range
        indexable=False,
    )
    store = RunStore(tmp_path / "run.sqlite")
    store.add_facts(full, 1)
    store.add_facts(PageFacts(url="https://c.test/empty"), 2)
    view = store.facts()
    assert view[full.url] == full
    assert view["https://c.test/empty"] == PageFacts(url="https://c.test/empty")
    texts = next(view.ordered(["title", "text_hash", "simhash", "words"]))
    assert texts == replace(full, meta_description=None, h1=None, hreflang=(), entities=())
    # The URL, indexability and canonical always come: rules need them to group pages.
    titles = next(view.ordered(["title"]))
    assert titles == PageFacts(
        url=full.url, title=full.title, indexable=False, canonical=full.canonical
    )
    assert next(view.ordered()) == full
    with pytest.raises(ValueError, match="no such page facts: titel"):
        view.ordered(["titel"])
    store.close()


def test_store_journals_rows_with_redirects_and_error_kinds(tmp_path: Path) -> None:
    rows = [
        PageSummary(
            url="https://c.test/old",
            final_url="https://c.test/new",
            status=200,
            content_type="text/html",
            depth=1,
            found_on="https://c.test/",
            source="link",
            redirect_chain=(Hop("https://c.test/old", 301, "https://c.test/new"),),
            fetch_ms=12.5,
            bytes=2048,
            error=None,
            title="新頁面",
            truncated=True,
            error_kind=ErrorKind.BODY_TOO_LARGE,
        ),
        PageSummary("https://c.test/x", "https://c.test/x", None, "", None, None, "start",
                    (), 0.0, 0, "timed out", error_kind=ErrorKind.TIMEOUT),
    ]  # fmt: skip
    store = RunStore(tmp_path / "run.sqlite")
    for row in rows:
        store.recorded(row)
    assert store.crawl_state()[0] == rows
    store.close()


def test_a_state_file_of_another_layout_is_refused_with_a_message(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.sqlite"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE facts (url TEXT PRIMARY KEY, data TEXT NOT NULL, depth INTEGER)")
    old.close()
    with pytest.raises(AuditError, match="another version of site-audit"):
        RunStore(path)
    fresh = RunStore(tmp_path / "new.sqlite")
    fresh.close()
    RunStore(tmp_path / "new.sqlite").close()  # this version's own file opens again


def test_a_failure_while_summarising_keeps_the_page_findings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(page: object) -> None:
        raise ValueError("boom")

    local = Analyzer(config(), workers=0)._local
    _, healthy = local(fetched(ARTICLE))
    monkeypatch.setattr(analysis, "summarize", broken)
    _, report = local(fetched(ARTICLE))
    assert report.findings[:-1] == healthy.findings
    assert report.findings[-1].rule == "rule-crashed" and "boom" in report.findings[-1].message
    assert report.facts == analysis.PageFacts(url="https://clinic.test/articles/a/")
