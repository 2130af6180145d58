"""End to end through a real loopback HTTP server: the demo site and an unseen clinic site."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from audit.cli import app
from audit.config import load_config
from audit.demo import DEMO_SITE, serve_site
from audit.runner import run_audit

RIVERSIDE = Path(__file__).parent / "sites" / "riverside"


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_demo_site_crawl_writes_a_complete_run(tmp_path: Path) -> None:
    with serve_site(DEMO_SITE) as (origin, requested):
        config = load_config(
            None,
            {
                "site.start_urls": [f"{origin}/"],
                "site.name": "demo-clinic",
                "report.out_dir": tmp_path,
            },
        )
        outcome = run_audit(config)
    run_dir = outcome.run_dir
    assert run_dir.parent == tmp_path / "demo-clinic"
    assert {path.name for path in run_dir.iterdir()} == {
        *(
            f"{table}.{ext}"
            for table in ("summary", "findings", "pages", "structured_data", "links")
            for ext in ("csv", "parquet")
        ),
        "run.json",
        "report.html",
        "report.xlsx",
    }

    pages = {row["url"].removeprefix(origin): row for row in read_rows(run_dir / "pages.csv")}
    ok = {path for path, row in pages.items() if row["status"] == "200"}
    assert ok == {
        "/",
        "/treatments/",
        "/treatments/rosacea-injection/",
        "/treatments/acne-scar/",
        "/articles/rosacea-barrier-repair/",
        "/articles/dual-expertise-rosacea/",
        "/articles/laser-aftercare/",
        "/zh-hant/articles/rosacea-barrier-repair/",
        "/zh-hant/articles/dual-expertise-rosacea/",
        "/doctors/dr-lin/",
        "/faq/",
        "/contact/",
    }
    assert pages["/treatments/laser-toning/"]["status"] == "404"
    assert pages["/treatments/laser-toning/"]["found_on"] == f"{origin}/treatments/acne-scar/"
    assert pages["/old-contact"]["status"] == "301"
    assert pages["/old-contact"]["redirect_chain"] == (
        f"301 {origin}/old-contact -> {origin}/contact/"
    )
    assert pages["/staff/"]["error"] == "blocked by robots.txt"
    assert pages["/articles/laser-aftercare/"]["source"] == "sitemap"
    assert pages["/articles/laser-aftercare/"]["depth"] == ""
    assert pages["/zh-hant/articles/dual-expertise-rosacea/"]["title"].startswith("難治型酒糟肌")

    # Never requested: the robots-disallowed folder, tel: links, duplicates.
    paths = [path.split("?")[0] for path in requested]
    assert not any(path.startswith("/staff") for path in paths)
    assert len(paths) == len(set(paths))

    # Every page rule ran on every page as it arrived: the leftovers are on the right pages.
    found = {
        (row["url"].removeprefix(origin), row["rule"])
        for row in read_rows(run_dir / "findings.csv")
    }
    assert found == {
        ("/articles/rosacea-barrier-repair/", "placeholder-text"),
        ("/articles/rosacea-barrier-repair/", "jsonld-in-visible-text"),
        ("/articles/rosacea-barrier-repair/", "stray-comment-marker"),
        ("/articles/dual-expertise-rosacea/", "jsonld-in-visible-text"),
        ("/articles/dual-expertise-rosacea/", "stray-comment-marker"),
        ("/articles/dual-expertise-rosacea/", "empty-section"),
        ("/zh-hant/articles/rosacea-barrier-repair/", "placeholder-text"),
        # Structured data: the JSON-LD printed as text is not markup; the FAQ has none.
        ("/articles/rosacea-barrier-repair/", "faq-without-markup"),
        ("/articles/dual-expertise-rosacea/", "structured-data-missing"),
        ("/articles/laser-aftercare/", "structured-data-missing"),
        ("/treatments/", "structured-data-missing"),
        ("/treatments/acne-scar/", "structured-data-missing"),
        ("/treatments/rosacea-injection/", "structured-data-missing"),
        ("/contact/", "google-recommended-missing"),
        ("/doctors/dr-lin/", "google-recommended-missing"),
        ("/faq/", "google-feature-retired"),
        ("/zh-hant/articles/dual-expertise-rosacea/", "medical-page-incomplete"),
        # Site rules: the link graph and comparisons between pages.
        ("/treatments/acne-scar/", "broken-link"),
        ("/treatments/laser-toning/", "http-error"),
        ("/articles/laser-aftercare/", "orphan-page"),
        ("/treatments/rosacea-injection/", "redirected-link"),
        ("/staff/", "robots-blocked-linked"),
        ("/articles/rosacea-barrier-repair/", "entity-inconsistent"),
    }
    rows = read_rows(run_dir / "structured_data.csv")
    faq = [row for row in rows if row["url"] == f"{origin}/faq/" and row["type"] == "FAQPage"]
    assert faq and faq[0]["status"] == "ok" and faq[0]["findings"] == "1"

    with (run_dir / "findings.csv").open(encoding="utf-8") as handle:
        assert handle.readline().strip() == (
            "id,url,rule,code,severity,category,message,evidence,selector,fix"
        )
    run_info = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert run_info["status"] == "complete"
    assert run_info["counts"]["pages"] == len(pages)
    assert run_info["counts"]["blocked_by_robots"] == 1
    assert run_info["status_codes"] == {"200": 12, "301": 1, "404": 1, "blocked": 1}
    assert run_info["config"]["site"]["start_urls"] == [f"{origin}/"]


def test_unseen_site_through_the_cli(tmp_path: Path) -> None:
    manifest = json.loads((RIVERSIDE / "MANIFEST.json").read_text(encoding="utf-8"))
    with serve_site(RIVERSIDE) as (origin, requested):
        result = CliRunner().invoke(app, ["crawl", f"{origin}/", "--out", str(tmp_path)])
        assert result.exit_code == 0, result.output
    site_dir = tmp_path / origin.removeprefix("http://").replace(":", "_")
    run_dir = (site_dir / "latest").resolve()
    pages = {row["url"].removeprefix(origin): row for row in read_rows(run_dir / "pages.csv")}

    assert {path for path, row in pages.items() if row["status"] == "200"} == set(
        manifest["reachable"]
    )
    for path in manifest["not_found"]:
        assert pages[path]["status"] == "404"
    for path, expected in manifest["redirects"].items():
        row = pages[path]
        assert row["final_url"] == origin + expected["final"]
        hops = [hop.split()[0] for hop in row["redirect_chain"].split(" | ")]
        assert [int(status) for status in hops] == expected["hops"]
    for path, depth in manifest["depth"].items():
        assert pages[path]["depth"] == str(depth), path
    for path in manifest["sitemap_only"]:
        assert pages[path]["source"] == "sitemap"
    for path in manifest["robots_disallowed"]:
        assert pages[path]["error"] == "blocked by robots.txt"
        assert path not in requested
    assert not any(path.startswith(("/admin", "/search")) for path in requested)
    # Dot segments and fragments normalise to the page already crawled: one request each.
    assert requested.count("/services/implants/") == 1
    for sitemap in manifest["sitemaps"]:
        assert sitemap in requested


@pytest.mark.parametrize("concurrency", [1, 8])
def test_results_do_not_depend_on_concurrency(tmp_path: Path, concurrency: int) -> None:
    with serve_site(RIVERSIDE) as (origin, _requested):
        config = load_config(
            None,
            {
                "site.start_urls": [f"{origin}/"],
                "report.out_dir": tmp_path,
                "crawl.concurrency": concurrency,
            },
        )
        outcome = run_audit(config)
    depths = {page.url.removeprefix(origin): page.depth for page in outcome.crawl.pages}
    assert depths["/services/implants/"] == 3
    assert depths["/en/payment-plans/"] is None
    assert len(outcome.crawl.pages) == 15
