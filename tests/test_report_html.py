"""report.html: self-contained, hostile page content stays inert, scales to many findings."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import audit.reporting.html as html_module
import audit.reporting.run as run_module
from audit.config import load_config
from audit.demo import DEMO_SITE, serve_site
from audit.reporting.html import http_href, script_json, write_html
from audit.reporting.run import FINDING_COLUMNS, PAGE_COLUMNS, summary_frame
from audit.reporting.tables import RunTables, finding_id
from audit.rules import find_rule
from audit.runner import run_audit

SCRIPT_TITLE = "<script>alert(1)</script>"
ATTRIBUTE_BREAKER = '"><img src=x onerror=alert(1)>'
CLOSES_SCRIPT = "ends here </script><script>alert(2)</script><!-- and \u2028 \u2029 & more"
JS_URL = "javascript:alert(3)"
SITE = "http://clinic.test"
DATA_BLOCK = re.compile(r'<script type="application/json" id="report-data">(.*?)</script>', re.S)


class Tags(HTMLParser):
    """Every start tag with its attributes, as a browser's tokenizer would see them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def named(self, name: str) -> list[dict[str, str | None]]:
        return [attrs for tag, attrs in self.tags if tag == name]


def finding(url: str, rule: str, severity: str, message: str, **extra: str) -> dict[str, Any]:
    row = {
        "url": url,
        "rule": rule,
        "code": extra.get("code", "X001"),
        "severity": severity,
        "category": extra.get("category", "seo"),
        "message": message,
        "evidence": extra.get("evidence", ""),
        "selector": extra.get("selector", "head > title"),
        "fix": extra.get("fix", "Fix it."),
    }
    row["id"] = finding_id(rule, url, row["selector"], row["evidence"] + message)
    return row


def page(url: str, status: int | None, title: str | None = None, **extra: Any) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(PAGE_COLUMNS)
    row.update(url=url, final_url=url, status=status, title=title, depth=1, inlinks=2)
    row.update(extra)
    return row


def make_tables(
    tmp_path: Path,
    findings: list[dict[str, Any]],
    pages: list[dict[str, Any]],
    *,
    status: str = "complete",
    diff: pd.DataFrame | None = None,
) -> RunTables:
    findings_frame = pd.DataFrame(findings, columns=list(FINDING_COLUMNS))
    pages_frame = pd.DataFrame(pages, columns=list(PAGE_COLUMNS)).astype({"status": "Int64"})
    meta = {
        "site": "clinic-test",
        "run": "20260102T030405Z",
        "status": status,
        "started_at": "2026-01-02T03:04:05+00:00",
        "duration_s": 12.5,
        "counts": {"html_pages": len(pages)},
        "previous_run": "20260101T030405Z" if diff is not None else None,
    }
    summary = summary_frame(meta, findings_frame, pages_frame, diff)
    run_dir = tmp_path / "clinic-test" / meta["run"]
    run_dir.mkdir(parents=True, exist_ok=True)
    return RunTables(run_dir, meta, summary, findings_frame, pages_frame, pd.DataFrame(), diff)


def hostile_tables(tmp_path: Path, **options: Any) -> RunTables:
    findings = [
        finding(f"{SITE}/", "title-length", "warning", f"Title {SCRIPT_TITLE} is too long"),
        finding(f"{SITE}/", "meta-description-missing", "warning", "No description."),
        finding(
            f"{SITE}/a", "title-length", "warning", "Title too short", evidence=ATTRIBUTE_BREAKER
        ),
        finding(JS_URL, "rule-crashed", "error", CLOSES_SCRIPT, category="engine", fix=""),
        finding(
            f"{SITE}/b", "<svg onload=alert(4)>", "notice", "odd rule", category=ATTRIBUTE_BREAKER
        ),
    ]
    pages = [
        page(f"{SITE}/", 200, SCRIPT_TITLE, meta_description='=HYPERLINK("http://evil","x")'),
        page(f"{SITE}/a", 200, ATTRIBUTE_BREAKER, canonical=JS_URL),
        page(f"{SITE}/b", 404, "\tTab title", found_on=JS_URL),
        page(f"{SITE}/staff/", None, None, error="blocked by robots.txt"),
        page(JS_URL, None, None, error=CLOSES_SCRIPT),
    ]
    return make_tables(tmp_path, findings, pages, **options)


def render(tables: RunTables) -> str:
    path = tables.run_dir / "report.html"
    write_html(tables, path)
    return path.read_text(encoding="utf-8")


def report_data(html: str) -> dict[str, Any]:
    blocks = DATA_BLOCK.findall(html)
    assert len(blocks) == 1
    return json.loads(blocks[0])


def decoded_findings(data: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [dict(zip(data["findingFields"], row, strict=True)) for row in data["findings"]]
    for row in rows:
        row["url"] = data["urls"][row["url"]]
        row["fix"] = data["fixes"][row["fix"]]
    return rows


def card_number(html: str, card: str) -> str:
    match = re.search(rf'id="card-{card}".*?<p class="big">([^<]*)</p>', html, re.S)
    assert match, card
    return match.group(1)


def test_the_report_loads_nothing_from_outside(tmp_path: Path) -> None:
    html = render(hostile_tables(tmp_path))
    tags = Tags(html)
    assert not [attrs for _tag, attrs in tags.tags if "src" in attrs]
    assert not tags.named("link") and not tags.named("img") and not tags.named("iframe")
    assert "@import" not in html
    assert not re.search(r"url\(\s*['\"]?\s*(https?:)?//", html, re.I)
    style = re.search(r"<style>(.*?)</style>", html, re.S)
    assert style and "url(" not in style.group(1)
    for attrs in [attrs for tag, attrs in tags.tags if "href" in attrs]:
        assert str(attrs["href"]).startswith(("#", "http://", "https://"))
    for tag, attrs in tags.tags:
        if str(attrs.get("href", "#")).startswith("http"):
            assert tag == "a" and attrs.get("target") == "_blank"
    policy = tags.named("meta")[1]
    assert policy["http-equiv"] == "Content-Security-Policy"
    assert str(policy["content"]).startswith("default-src 'none'; script-src 'sha256-")
    assert len(tags.named("script")) == 2 and len(tags.named("style")) == 1


def test_crawled_strings_stay_inert(tmp_path: Path) -> None:
    html = render(hostile_tables(tmp_path))
    assert SCRIPT_TITLE not in html
    assert "<img" not in html and "<svg onload" not in html
    assert "alert(2)</script>" not in html
    tags = Tags(html)
    assert [tag for tag, _ in tags.tags].count("script") == 2
    assert all("onload" not in attrs and "onerror" not in attrs for _tag, attrs in tags.tags)
    hrefs = [str(attrs["href"]) for _tag, attrs in tags.tags if "href" in attrs]
    assert not [href for href in hrefs if "javascript" in href.lower()]
    # The hostile rule name and category are shown, escaped, in the top issues and charts.
    assert "&lt;svg onload=alert(4)&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_json_block_survives_a_closing_script_tag(tmp_path: Path) -> None:
    tables = hostile_tables(tmp_path)
    html = render(tables)
    block = DATA_BLOCK.search(html)
    assert block and "<" not in block.group(1) and "\u2028" not in block.group(1)
    data = report_data(html)
    expected = tables.findings.drop(columns="id").fillna("").to_dict("records")
    assert decoded_findings(data) == expected
    pages = [dict(zip(data["pageFields"], row, strict=True)) for row in data["pages"]]
    assert [data["urls"][row["url"]] for row in pages] == list(tables.pages["url"])
    assert [row["title"] for row in pages][:3] == [SCRIPT_TITLE, ATTRIBUTE_BREAKER, "\tTab title"]
    assert pages[3]["status"] is None and pages[4]["error"] == CLOSES_SCRIPT


def test_script_json_escapes_what_could_end_the_element() -> None:
    text = script_json({"a": "</script><!--<b>&\u2028\u2029"})
    assert not set(text) & {"<", ">", "&", "\u2028", "\u2029"}
    assert json.loads(text) == {"a": "</script><!--<b>&\u2028\u2029"}


@pytest.mark.parametrize(
    ("url", "href"),
    [
        ("https://clinic.test/a?b=1", "https://clinic.test/a?b=1"),
        ("HTTP://clinic.test/", "HTTP://clinic.test/"),
        ("javascript:alert(1)", None),
        (" JavaScript:alert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("http:/no-host", None),
        ("/relative", None),
        (None, None),
    ],
)
def test_only_http_urls_become_links(url: str | None, href: str | None) -> None:
    assert http_href(url) == href


def test_cards_show_the_counts(tmp_path: Path) -> None:
    html = render(hostile_tables(tmp_path))
    assert card_number(html, "pages") == "5"
    assert card_number(html, "errors") == "1"
    assert card_number(html, "warnings") == "3"
    assert card_number(html, "notices") == "1"
    # 3 requested URLs; "/" and "/a" have warnings (0.5 each); the error is on a URL that was
    # not requested, so it does not count: 100 x (1 - (0.5 + 0.5) / 3) = 67.
    assert "Health score 67 out of 100" in html
    assert "share of requested URLs free of problems" in html  # the docstring's definition
    assert "first run for this site" in html and 'id="changes"' not in html
    assert 'role="alert"' not in html


def test_an_interrupted_run_gets_a_banner(tmp_path: Path) -> None:
    html = render(hostile_tables(tmp_path, status="interrupted"))
    assert 'role="alert"' in html and "interrupted before the crawl finished" in html


def test_the_diff_is_shown(tmp_path: Path) -> None:
    diff = pd.DataFrame(
        [
            ("new", "a", "title-length", f"{SITE}/", "warning", SCRIPT_TITLE),
            ("resolved", "b", "h1-missing", f"{SITE}/old", "error", "gone"),
            ("unchanged", "c", "h1-missing", f"{SITE}/a", "error", "same"),
            ("unchanged", "d", "h1-missing", f"{SITE}/b", "error", "same"),
        ],
        columns=["change", "id", "rule", "url", "severity", "message"],
    )
    html = render(hostile_tables(tmp_path, diff=diff))
    changes = re.search(r'id="card-changes".*?</div>', html, re.S)
    assert changes
    numbers = re.findall(r'<span class="big-s[^"]*">(\d+)</span> (\w+)', changes.group(0))
    assert numbers == [("1", "new"), ("1", "resolved"), ("2", "unchanged")]
    assert 'id="changes"' in html and "20260101T030405Z" in html
    data = report_data(html)
    assert data["hasDiff"] is True
    rows = [dict(zip(data["diffFields"], row, strict=True)) for row in data["diff"]]
    assert [(row["change"], data["urls"][row["url"]], row["message"]) for row in rows] == [
        ("new", f"{SITE}/", SCRIPT_TITLE),
        ("resolved", f"{SITE}/old", "gone"),
    ]


def test_top_issues_explain_why_and_how(tmp_path: Path) -> None:
    html = render(hostile_tables(tmp_path))
    rule = find_rule("title-length")
    assert rule
    why = rule.section("Why is this bad?").split("\n")[0].replace('"', "&#34;")
    assert why in html
    issues = re.findall(r'<li class="issue">.*?</li>\s*</ul>', html, re.S)
    assert len(issues) == 4
    assert "title-length" in issues[0] and "2</strong> findings on 2 pages" in issues[0]
    assert "Fix it." in issues[0]
    assert '<span class="url">javascript:alert(3)</span>' in html  # an example, not a link


def test_charts_are_inline_svg(tmp_path: Path) -> None:
    html = render(hostile_tables(tmp_path))
    charts = re.findall(r'<svg class="(bars|ring)".*?</svg>', html, re.S)
    assert sorted(charts) == ["bars", "bars", "bars", "ring", "ring"]
    status = re.search(r'<svg class="bars"[^>]*chart-status-title.*?</svg>', html, re.S)
    assert status
    labels = re.findall(r'class="bar-label">([^<]*)<', status.group(0))
    assert labels == ["200", "404", "no response / blocked"]
    values = re.findall(r'class="bar-value">([^<]*)<', status.group(0))
    assert values == ["2", "1", "2"]


def test_thirty_thousand_findings_travel_as_data_not_rows(tmp_path: Path) -> None:
    rules = ["title-length", "h1-missing", "image-alt-missing", "broken-link", "noindex"]
    rules += [f"custom-{number}" for number in range(15)]
    severities = ("error", "warning", "notice")
    findings = [
        finding(
            f"{SITE}/page-{number % 3000}",
            rules[number % len(rules)],
            severities[number % 3],
            f"Problem {number} <b>{number}</b>",
            evidence=f"evidence {number}",
        )
        for number in range(30_000)
    ]
    pages = [page(f"{SITE}/page-{number}", 200, f"Page {number}") for number in range(3000)]
    html = render(make_tables(tmp_path, findings, pages))
    data = report_data(html)
    assert len(data["findings"]) == 30_000 and len(data["pages"]) == 3000
    assert decoded_findings(data)[29_999]["message"] == "Problem 29999 <b>29999</b>"
    assert html.count("<tr") < 10 and html.count("<li") < 100
    assert card_number(html, "errors") == "10,000"
    assert len(re.findall(r'<li class="issue">', html)) == 10
    rules_chart = re.search(r'<svg class="bars"[^>]*chart-rules-title.*?</svg>', html, re.S)
    assert rules_chart and rules_chart.group(0).count("<rect") == 10


def test_the_report_is_written_atomically(tmp_path: Path) -> None:
    tables = hostile_tables(tmp_path)
    target = tables.run_dir / "report.html"
    target.write_text("old", encoding="utf-8")
    write_html(tables, target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [path.name for path in tables.run_dir.iterdir()] == ["report.html"]


def test_an_empty_run_still_renders(tmp_path: Path) -> None:
    tables = RunTables(tmp_path, {}, pd.DataFrame(), pd.DataFrame(), pd.DataFrame(), pd.DataFrame())
    html = render(tables)
    assert card_number(html, "pages") == "0" and "No issues found" in html
    assert report_data(html)["findings"] == []


def demo_run(out_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # Only the HTML report: the workbook has its own tests.
    monkeypatch.setattr(
        run_module,
        "render_reports",
        lambda tables: write_html(tables, tables.run_dir / "report.html"),
    )
    with serve_site(DEMO_SITE) as (origin, _requested):
        overrides = {
            "site.start_urls": [f"{origin}/"],
            "site.name": "demo",
            "report.out_dir": out_dir,
        }
        return run_audit(load_config(None, overrides)).run_dir


def test_a_real_demo_run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    first = demo_run(tmp_path, monkeypatch)
    second = demo_run(tmp_path, monkeypatch)
    assert first != second
    tables = RunTables.load(second)
    html = render(tables)
    assert html == (second / "report.html").read_text(encoding="utf-8")
    data = report_data(html)
    assert len(data["findings"]) == len(tables.findings) > 0
    assert len(data["pages"]) == len(tables.pages)
    assert card_number(html, "pages") == str(len(tables.pages))
    errors = int((tables.findings["severity"] == "error").sum())
    assert card_number(html, "errors") == f"{errors:,}"
    assert 'id="changes"' in html and data["hasDiff"] is True
    assert "no response / blocked" in html  # the demo's robots.txt blocks /staff/
    assert "Why it matters" in html and "How to fix" in html


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Browser checks need Debian's chromium: they are deselected by default (see pyproject's
# `-m "not browser"`) and run with `pytest -m browser` where chromium is installed.
needs_chromium = pytest.mark.browser


def browser_dom(url: str) -> tuple[str, list[str]]:
    """The DOM after the report's script ran, and Chromium's log lines about the page."""
    result = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "</html>" in result.stdout, result.stderr[-2000:]
    log = [line for line in result.stderr.splitlines() if "CONSOLE" in line or "Security" in line]
    return result.stdout, log


def findings_rows(dom: str) -> int:
    table = re.search(r'<table id="f-table".*?</table>', dom, re.S)
    assert table
    return table.group(0).count("<tr") - 1  # minus the header row


@needs_chromium
def test_in_chromium_the_script_runs_and_page_content_stays_inert(tmp_path: Path) -> None:
    tables = hostile_tables(tmp_path)
    path = tables.run_dir / "report.html"
    write_html(tables, path)
    dom, log = browser_dom(path.as_uri())
    assert not log, log  # no console error, no blocked inline script
    assert findings_rows(dom) == 5 and "Showing 1–5 of 5 findings" in dom
    assert "<img" not in dom and SCRIPT_TITLE not in dom
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom  # shown as text in the page view
    assert 'href="javascript' not in dom.lower()


@needs_chromium
def test_in_chromium_the_filters_narrow_the_table(tmp_path: Path) -> None:
    tables = hostile_tables(tmp_path)
    path = tables.run_dir / "report.html"
    write_html(tables, path)
    dom, _log = browser_dom(path.as_uri() + "#findings?severity=warning")
    assert findings_rows(dom) == 3 and "(filtered from 5)" in dom
    dom, _log = browser_dom(path.as_uri() + "#findings?q=alert(2)")
    assert findings_rows(dom) == 1 and "Showing 1–1 of 1 findings" in dom


def test_a_huge_run_embeds_every_flagged_page_and_says_the_rest_are_in_the_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(html_module, "MAX_PAGES", 3)
    pages = [page(f"{SITE}/p{n}/", 200, f"Page {n}") for n in range(10)]
    findings = [finding(f"{SITE}/p7/", "title-missing", "error", "No title")]
    tables = make_tables(tmp_path, findings, pages)
    payload = html_module._payload(tables)
    listed = {payload["urls"][row[0]] for row in payload["pages"]}
    assert f"{SITE}/p7/" in listed and len(listed) == 3
    assert "every page with a finding and 3 of the 10 URLs" in render(tables)
