"""Tables written in chunks and reports read from Parquet in slices give the same outputs as
whole in-memory tables: same CSV bytes, Parquet types and values, workbook cells and HTML."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pyarrow.parquet as pq
import pytest

from audit.models import Hop, PageSummary
from audit.reporting import html as html_module
from audit.reporting import tables as tables_module
from audit.reporting import writers
from audit.reporting.diff import DIFF_COLUMNS, diff_counts
from audit.reporting.html import write_html
from audit.reporting.memory import LARGE_RUN, release_memory
from audit.reporting.run import health_score, summary_frame
from audit.reporting.stats import SEVERITIES, finding_stats
from audit.reporting.tables import ParquetTable, RunTables, read_table, write_table
from audit.reporting.writers import FINDING_COLUMNS, PAGE_COLUMNS, page_rows, write_pages
from audit.reporting.xlsx import findings_view, sorted_findings, write_xlsx
from audit.site import LinkRow, LinkStore, PageFacts, Site

ORIGIN = "https://clinic.example"


def summary(url: str, **values: Any) -> PageSummary:
    fields: dict[str, Any] = {
        "url": url,
        "final_url": url,
        "status": 200,
        "content_type": "text/html",
        "depth": 1,
        "found_on": f"{ORIGIN}/",
        "source": "link",
        "redirect_chain": (),
        "fetch_ms": 1.5,
        "bytes": 1_000,
        "error": None,
        "title": "Clinic",
        "encoding": "utf-8",
    }
    return PageSummary(**(fields | values))


def failed(url: str, error: str, kind: str) -> PageSummary:
    """A URL that got no answer: no status, type, title or encoding."""
    return summary(
        url,
        status=None,
        content_type="",
        title=None,
        encoding=None,
        error=error,
        error_kind=kind,
    )


def sample_site(store: LinkStore, *, with_errors: bool) -> Site:
    """Pages of every kind, facts for the HTML ones; ``with_errors``: one fetch failed."""
    pages = [
        summary(f"{ORIGIN}/", depth=0, found_on=None, source="start", in_sitemap=True),
        summary(f"{ORIGIN}/a/", title="=HYPERLINK(1)", outlinks=3),
        summary(
            f"{ORIGIN}/old/",
            status=301,
            final_url=f"{ORIGIN}/a/",
            redirect_chain=(Hop(f"{ORIGIN}/old/", 301, f"{ORIGIN}/a/"),),
            content_type="",
            title=None,
            encoding=None,
        ),
        summary(f"{ORIGIN}/doc.pdf", content_type="application/pdf", title=None, depth=None),
        summary(f"{ORIGIN}/b/", title="+1 診所", fetch_ms=2.0, truncated=True),
        failed(f"{ORIGIN}/staff/", "blocked by robots.txt", "robots"),
    ]
    if with_errors:
        pages.append(failed(f"{ORIGIN}/slow/", "timed out", "timeout"))
    else:
        pages = [page for page in pages if page.error is None]
    facts = {
        f"{ORIGIN}/": PageFacts(f"{ORIGIN}/", "Clinic", "Skin care.", "Clinic", True, None),
        f"{ORIGIN}/a/": PageFacts(f"{ORIGIN}/a/", None, None, "-A", False, f"{ORIGIN}/", words=9),
        f"{ORIGIN}/b/": PageFacts(f"{ORIGIN}/b/", words=120),
    }
    store.add(
        [
            LinkRow(f"{ORIGIN}/", f"{ORIGIN}/a/", "A", "", False),
            LinkRow(f"{ORIGIN}/b/", f"{ORIGIN}/a/", "A", "", False),
            LinkRow(f"{ORIGIN}/a/", f"{ORIGIN}/", "home", "nofollow", True),
        ]
    )
    return Site(pages, facts, store)


def whole_pages_frame(site: Site) -> pd.DataFrame:
    """The pages table as one DataFrame, built the way the writer did before it wrote chunks."""
    rows = list(page_rows(site))
    columns = {name: [row[index] for row in rows] for index, name in enumerate(PAGE_COLUMNS)}
    return pd.DataFrame(columns).astype({"status": "Int64", "depth": "Int64", "words": "Int64"})


@pytest.mark.parametrize("with_errors", [True, False])
def test_pages_written_in_chunks_match_the_whole_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, with_errors: bool
) -> None:
    store = LinkStore()
    try:
        site = sample_site(store, with_errors=with_errors)
        whole, chunked = tmp_path / "whole", tmp_path / "chunked"
        whole.mkdir()
        chunked.mkdir()
        write_table(whole_pages_frame(site), whole, "pages")
        monkeypatch.setattr(writers, "PAGE_CHUNK_ROWS", 2)  # four chunks, some all-empty
        assert write_pages(site, chunked) == len(site.pages)
    finally:
        store.close()
    assert (chunked / "pages.csv").read_bytes() == (whole / "pages.csv").read_bytes()
    expected, written = (
        pq.read_schema(whole / "pages.parquet"),
        pq.read_schema(chunked / "pages.parquet"),
    )
    assert [(f.name, f.type) for f in written] == [(f.name, f.type) for f in expected]
    if not with_errors:  # a column without a single value is stored untyped, as pandas does
        assert str(written.field("error").type) == "null"
    before, after = read_table(whole, "pages"), read_table(chunked, "pages")
    assert after.dtypes.to_dict() == before.dtypes.to_dict()
    assert after.equals(before)
    if with_errors:  # one row group per chunk (a file rewritten untyped is read in batches)
        assert pq.ParquetFile(chunked / "pages.parquet").metadata.num_row_groups == 4


def test_a_run_without_pages_still_has_a_typed_pages_table(tmp_path: Path) -> None:
    store = LinkStore()
    try:
        site = Site([], {}, store)
        write_pages(site, tmp_path)
        write_table(whole_pages_frame(site), tmp_path, "whole")
    finally:
        store.close()
    assert (tmp_path / "pages.csv").read_text(encoding="utf-8") == ",".join(PAGE_COLUMNS) + "\n"
    assert (tmp_path / "pages.csv").read_bytes() == (tmp_path / "whole.csv").read_bytes()
    written, expected = read_table(tmp_path, "pages"), read_table(tmp_path, "whole")
    assert written.dtypes.to_dict() == expected.dtypes.to_dict()


def random_findings(count: int, seed: int = 7) -> pd.DataFrame:
    """Findings with repeated rules and URLs, ties, unknown severities and missing values."""
    pick = random.Random(seed)
    rows = []
    for index in range(count):
        rule = pick.choice(["title-missing", "broken-link", "h1-missing", "odd", None])
        rows.append(
            {
                "id": f"id-{index}",
                "url": pick.choice([f"{ORIGIN}/", f"{ORIGIN}/a/", f"{ORIGIN}/b/", None]),
                "rule": rule,
                "code": f"X{index % 4}",
                "severity": pick.choice([*SEVERITIES, "error", "info", None]),
                "category": pick.choice(["seo", "links", "content", None]),
                "message": pick.choice(["one", "two", None]),
                "evidence": "",
                "selector": "=cmd",
                "fix": pick.choice(["Fix it.", "", None, "Or this."]),
            }
        )
    return pd.DataFrame(rows, columns=list(FINDING_COLUMNS))


def test_finding_counts_match_pandas(tmp_path: Path) -> None:
    frame = random_findings(300)
    write_table(frame, tmp_path, "findings")
    for stats in (finding_stats(frame), finding_stats(ParquetTable(tmp_path / "findings.parquet"))):
        assert stats.rows == len(frame)
        assert dict(stats.severities) == frame["severity"].value_counts().to_dict()
        categories = [(k, n) for k, n in stats.categories.most_common() if k is not None]
        assert categories == list(frame["category"].value_counts().items())
        top = [(rule.name, rule.count) for rule in stats.top_rules(3)]
        assert top == list(frame["rule"].value_counts().head(3).items())
        for rule in stats.rules.values():
            group = frame[frame["rule"] == rule.name]
            assert rule.count == len(group)
            assert list(rule.urls) == list(dict.fromkeys(group["url"].fillna("")))
            assert rule.code == group["code"].iloc[0]


def test_health_score_from_counts_matches_the_definition() -> None:
    findings = random_findings(60, seed=3).dropna(subset=["url"])
    pages = pd.DataFrame(
        {
            "url": [f"{ORIGIN}/", f"{ORIGIN}/a/", f"{ORIGIN}/b/", f"{ORIGIN}/c/", f"{ORIGIN}/x/"],
            "status": pd.array([200, 200, 404, 200, None], dtype="Int64"),
        }
    )
    requested = pages[pages["status"].notna()]
    relevant = findings[findings["url"].isin(set(requested["url"]))]
    levels = relevant.groupby("url")["severity"].agg(set)
    errors = sum("error" in found for found in levels)
    warnings = sum("error" not in found and "warning" in found for found in levels)
    expected = round(100 * max(0.0, 1 - (errors + 0.5 * warnings) / len(requested)))
    assert health_score(findings, pages) == expected
    assert health_score(findings.iloc[0:0], pages) == 100


def test_findings_sorted_from_parquet_in_slices_match_the_sorted_frame(tmp_path: Path) -> None:
    frame = random_findings(200, seed=11)
    write_table(frame, tmp_path, "findings")
    sliced = list(sorted_findings(ParquetTable(tmp_path / "findings.parquet"), size=7))
    assert len(sliced) == 29
    expected = findings_view(read_table(tmp_path, "findings"))
    assert pd.concat(sliced, ignore_index=True).equals(expected)


def run_folder(run_dir: Path) -> tuple[RunTables, RunTables]:
    """One run's tables twice: as Parquet tables read in slices, and as whole frames."""
    findings = random_findings(60, seed=5).dropna(subset=["rule", "url", "severity"])
    findings = findings.reset_index(drop=True)
    pages = pd.DataFrame(
        [
            {"url": f"{ORIGIN}/{name}", "status": status, "title": f"Page {name}"}
            for name, status in [
                ("", 200),
                ("c/", None),
                ("a/", 200),
                ("d/", 200),
                ("b/", 404),
                ("e/", 200),
            ]
        ],
        columns=list(PAGE_COLUMNS),
    ).astype({"status": "Int64", "depth": "Int64", "words": "Int64"})
    changes = ("new", "unchanged", "resolved", "unchanged")
    diff = findings.assign(change=[changes[index % 4] for index in range(len(findings))])
    diff = diff[list(DIFF_COLUMNS)]
    for name, table in (("findings", findings), ("pages", pages), ("diff", diff)):
        write_table(table, run_dir, name)
    meta = {"site": "clinic", "run": run_dir.name, "status": "complete", "status_codes": {}}
    summary = summary_frame(meta, findings, pages, diff)
    on_disk = RunTables(
        run_dir,
        meta,
        summary,
        ParquetTable(run_dir / "findings.parquet"),
        ParquetTable(run_dir / "pages.parquet"),
        pd.DataFrame(),
        ParquetTable(run_dir / "diff.parquet"),
    )
    assert summary.equals(summary_frame(meta, on_disk.findings, on_disk.pages, on_disk.diff))
    assert diff_counts(on_disk.diff) == diff_counts(read_table(run_dir, "diff"))
    loaded = RunTables.load(run_dir)
    return on_disk, RunTables(
        run_dir, meta, summary, loaded.findings, loaded.pages, pd.DataFrame(), loaded.diff
    )


def workbook_cells(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    workbook = openpyxl.load_workbook(path)
    return {
        sheet.title: [
            (cell.coordinate, cell.value, cell.hyperlink.target if cell.hyperlink else None)
            for row in sheet.iter_rows()
            for cell in row
            if cell.value is not None
        ]
        + [(sheet.auto_filter.ref, sheet.freeze_panes)]
        for sheet in workbook
    }


def test_reports_from_parquet_slices_match_reports_from_whole_frames(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(html_module, "MAX_PAGES", 4)  # 3 pages with findings, then 1 other
    on_disk, in_memory = run_folder(tmp_path)
    reports = {}
    for label, tables in (("memory", in_memory), ("disk", on_disk)):
        if label == "disk":  # every long table in several slices; the frames went whole
            monkeypatch.setattr(tables_module, "BATCH_ROWS", 3)
        write_xlsx(tables, tmp_path / f"{label}.xlsx")
        write_html(tables, tmp_path / f"{label}.html")
        reports[label] = (
            workbook_cells(tmp_path / f"{label}.xlsx"),
            (tmp_path / f"{label}.html").read_text(encoding="utf-8"),
        )
    (disk_cells, disk_html), (memory_cells, memory_html) = reports["disk"], reports["memory"]
    assert disk_cells == memory_cells
    assert len(disk_cells["Findings"]) > 3 * len(FINDING_COLUMNS)  # rows from several slices
    assert disk_html == memory_html  # the data block's placeholder is gone: same bytes
    payload = html_module._payload(on_disk)
    listed = [payload["urls"][row[0]] for row in payload["pages"]]
    assert listed == [f"{ORIGIN}/", f"{ORIGIN}/c/", f"{ORIGIN}/a/", f"{ORIGIN}/b/"]
    assert html_module._pages_shown(on_disk)[0] == 4


def test_the_site_rebuilds_its_indexes_after_forgetting_them() -> None:
    store = LinkStore()
    try:
        site = sample_site(store, with_errors=True)
        inlinks, by_url = site.inlinks, site.by_url
        assert inlinks[f"{ORIGIN}/a/"] == 2 and f"{ORIGIN}/b/" in by_url
        site.forget_indexes()
        assert "inlinks" not in vars(site) and "by_url" not in vars(site)
        assert site.inlinks == inlinks and site.by_url == by_url  # built again when asked
    finally:
        store.close()


def test_handing_memory_back_is_safe_to_call_anywhere() -> None:
    release_memory(10)  # a small run: nothing to do
    release_memory(LARGE_RUN)
    release_memory(LARGE_RUN)
