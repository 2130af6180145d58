"""Auto-throttle (slow down on 429/503, time-outs and latency; recover) and the error-ratio stop."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx

from audit.config import load_config
from audit.crawl.politeness import COOL_DOWN, HostGate
from audit.runner import run_audit
from mock_http import respond

ORIGIN = "http://clinic.test"


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def gate(concurrency: int = 8) -> tuple[HostGate, FakeClock]:
    clock = FakeClock()
    return HostGate(concurrency, 0.0, host="clinic.test", clock=clock), clock


def test_overload_halves_the_limit_once_per_cool_down_then_pauses() -> None:
    async def scenario() -> None:
        host, clock = gate(8)
        host.observe(503, 0.1, failed=False)
        host.observe(503, 0.1, failed=False)  # the same burst: no second halving
        assert host.limit == 4 and host.report.slowdowns == 1
        for expected in (2, 1):
            clock.now += COOL_DOWN
            host.observe(429, 0.1, failed=False)
            assert host.limit == expected
        clock.now += COOL_DOWN
        host.observe(None, 5.0, failed=True)
        assert host.limit == 1 and host.pause > 0
        assert host.report.lowest_concurrency == 1 and "failed" in host.report.reason

    asyncio.run(scenario())


def test_healthy_answers_bring_the_limit_back_to_the_configured_cap() -> None:
    async def scenario() -> None:
        host, clock = gate(4)
        host.observe(503, 0.1, failed=False)
        assert host.limit == 2
        for _ in range(200):
            clock.now += 0.2
            host.observe(200, 0.05, failed=False)
        assert host.limit == 4  # never above the configured cap

    asyncio.run(scenario())


def test_latency_climbing_far_above_the_fastest_slows_down() -> None:
    async def scenario() -> None:
        host, clock = gate(8)
        for _ in range(10):
            clock.now += 0.1
            host.observe(200, 0.2, failed=False)
        assert host.limit == 8
        for _ in range(10):
            clock.now += 0.5
            host.observe(200, 4.0, failed=False)
        assert host.limit < 8 and "slowed" in host.report.reason

    asyncio.run(scenario())


def test_a_static_gate_never_adapts() -> None:
    async def scenario() -> None:
        host = HostGate(8, 0.0, adaptive=False)
        host.observe(503, 0.1, failed=False)
        assert host.limit == 8

    asyncio.run(scenario())


class OverloadedSite:
    """Answers 503 whenever more than ``capacity`` requests are in flight."""

    def __init__(self, pages: int, capacity: int) -> None:
        self.pages = pages
        self.capacity = capacity
        self.in_flight = 0
        self.overloaded = 0
        self.served: set[str] = set()

    async def handler(self, request: httpx.Request) -> httpx.Response:
        self.in_flight += 1
        try:
            await asyncio.sleep(0.1)  # long enough for requests to overlap
            if self.in_flight > self.capacity:
                self.overloaded += 1
                return respond(503)
            path = request.url.path
            self.served.add(path)
            if path == "/":
                links = "".join(f'<a href="/p{n}/">p{n}</a>' for n in range(self.pages))
                return _html(f"<h1>Home</h1>{links}")
            return _html(f"<h1>{path}</h1><p>text</p>")
        finally:
            self.in_flight -= 1


def _html(body: str) -> httpx.Response:
    html = f"<!doctype html><html lang=en><head><title>t</title></head><body>{body}</body></html>"
    return respond(200, {"content-type": "text/html; charset=utf-8"}, html.encode())


def crawl(site: OverloadedSite, tmp_path: Path, **overrides: object):
    settings = {
        "site.start_urls": [f"{ORIGIN}/"],
        "site.sitemaps": "off",
        "report.out_dir": tmp_path,
        "crawl.concurrency": 16,
        "crawl.per_host_concurrency": 16,
        "crawl.retries": 4,
        **overrides,
    }
    return run_audit(load_config(None, settings), transport=httpx.MockTransport(site.handler))


def test_an_overloaded_site_is_crawled_completely_and_the_slow_down_is_recorded(
    tmp_path: Path,
) -> None:
    site = OverloadedSite(pages=60, capacity=3)
    outcome = crawl(site, tmp_path)
    assert outcome.crawl.stop_reason is None
    assert {"/", *(f"/p{n}/" for n in range(60))} <= site.served  # every page answered
    meta = json.loads((outcome.run_dir / "run.json").read_text())
    assert meta["status"] == "complete"
    [throttled] = meta["throttled"]
    assert throttled["host"] == "clinic.test" and throttled["lowest_concurrency"] <= 8


def test_a_site_that_keeps_failing_stops_the_crawl_and_keeps_what_was_collected(
    tmp_path: Path,
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/":
            return _html("".join(f'<a href="/p{n}/">p{n}</a>' for n in range(300)))
        if request.url.path == "/robots.txt":
            return respond(404)
        return respond(500)

    settings = {
        "site.start_urls": [f"{ORIGIN}/"],
        "site.sitemaps": "off",
        "report.out_dir": tmp_path,
        "crawl.retries": 0,
    }
    outcome = run_audit(load_config(None, settings), transport=httpx.MockTransport(handler))
    assert outcome.crawl.stop_reason and "crawl.max_error_ratio" in outcome.crawl.stop_reason
    assert 50 <= len(outcome.crawl.pages) < 120
    meta = json.loads((outcome.run_dir / "run.json").read_text())
    assert meta["status"] == "aborted" and meta["stop_reason"] == outcome.crawl.stop_reason
    assert (outcome.run_dir / "pages.csv").read_text().count("\n") == len(outcome.crawl.pages) + 1

    settings["crawl.max_error_ratio"] = 1.0  # never more than all of them
    settings["report.out_dir"] = tmp_path / "patient"
    patient = run_audit(load_config(None, settings), transport=httpx.MockTransport(handler))
    assert patient.crawl.stop_reason is None and len(patient.crawl.pages) == 301
