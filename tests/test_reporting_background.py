"""links.csv written by a second process while the site rules run: the same files as
written here, only for small runs on a shared store, and never lost when that process fails."""

from __future__ import annotations

import logging
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from audit.models import PageSummary
from audit.reporting import background
from audit.reporting.background import LinksTable
from audit.reporting.writers import write_links
from audit.site import LinkRow, LinkStore, Site
from audit.store import RunStore

ORIGIN = "https://clinic.example"


def page(path: str, status: int | None) -> PageSummary:
    url = f"{ORIGIN}{path}"
    return PageSummary(
        url=url,
        final_url=url,
        status=status,
        content_type="text/html",
        depth=1,
        found_on=None,
        source="link",
        redirect_chain=(),
        fetch_ms=1.0,
        bytes=100,
        error=None if status else "timed out",
    )


def crawled_site(links: LinkStore) -> Site:
    pages = [page("/", 200), page("/a/", 200), page("/gone/", 404), page("/slow/", None)]
    links.add(
        [
            LinkRow(f"{ORIGIN}/", f"{ORIGIN}/a/", "A, with a comma", "", False),
            LinkRow(f"{ORIGIN}/", f"{ORIGIN}/gone/", "=HYPERLINK(1)", "", False),
            LinkRow(f"{ORIGIN}/a/", f"{ORIGIN}/slow/", "slow 慢", "nofollow", True),
            LinkRow(f"{ORIGIN}/a/", "https://elsewhere.example/", "out", "", False),
        ]
    )
    return Site(pages, {}, links)


def written(run_dir: Path) -> tuple[bytes, list[dict[str, object]]]:
    return (run_dir / "links.csv").read_bytes(), pq.read_table(
        run_dir / "links.parquet"
    ).to_pylist()


def expected_tables(site: Site, tmp_path: Path) -> tuple[bytes, list[dict[str, object]]]:
    here = tmp_path / "here"
    here.mkdir()
    write_links(site, here)
    return written(here)


def test_a_second_process_writes_the_same_links_table(tmp_path: Path) -> None:
    store = RunStore(tmp_path / "run.sqlite")
    try:
        site = crawled_site(store)
        table = LinksTable(site, tmp_path, background=True).start()
        assert table._future is not None
        store.add_findings([])  # this process goes on writing to the store meanwhile
        assert table.finish() == 4
        expected = expected_tables(site, tmp_path)
    finally:
        store.close()
    assert written(tmp_path) == expected
    csv_text = expected[0].decode()
    assert "'=HYPERLINK(1)" in csv_text and ",404" in csv_text


def test_only_mid_sized_runs_on_a_store_others_can_read_use_a_second_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = RunStore(tmp_path / "run.sqlite")
    try:
        site = crawled_site(store)
        assert not LinksTable(site, tmp_path).background  # 4 pages: not worth a process
        monkeypatch.setattr(background, "MIN_PAGES", len(site.pages))
        assert LinksTable(site, tmp_path).background
        monkeypatch.setattr(background, "LARGE_RUN", len(site.pages))  # a large run
        table = LinksTable(site, tmp_path).start()
        assert not table.background and table._future is None
        assert table.finish() == 4
    finally:
        store.close()
    monkeypatch.setattr(background, "LARGE_RUN", 1_000)
    private = LinkStore()  # no WAL: another process could not read it while this one writes
    try:
        assert not LinksTable(crawled_site(private), tmp_path).background
    finally:
        private.close()


def test_a_second_process_that_fails_costs_time_not_the_table(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "run.sqlite"
    store = RunStore(path)
    try:
        site = crawled_site(store)
        store.commit()
        path.unlink()  # the second process cannot open it; this one keeps its open file
        run_dir = tmp_path / "run"
        run_dir.mkdir()
        with caplog.at_level(logging.WARNING):
            assert LinksTable(site, run_dir, background=True).start().finish() == 4
        expected = expected_tables(site, tmp_path)
    finally:
        store.close()
    assert "writing links.csv in a second process failed" in caplog.text
    assert written(run_dir) == expected


def test_no_second_process_to_be_had_means_writing_here(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("no more processes")

    monkeypatch.setattr(background, "ProcessPoolExecutor", refuse)
    store = RunStore(tmp_path / "run.sqlite")
    try:
        site = crawled_site(store)
        with caplog.at_level(logging.WARNING):
            table = LinksTable(site, tmp_path, background=True).start()
        assert table._future is None
        assert table.finish() == 4
    finally:
        store.close()
    assert "could not start a second process for links.csv (no more processes)" in caplog.text
    assert (tmp_path / "links.csv").read_text(encoding="utf-8").count("\n") == 5


def test_a_run_writes_its_links_table_from_a_second_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from audit.config import load_config
    from audit.demo import DEMO_SITE, serve_site
    from audit.runner import run_audit

    started: list[LinksTable] = []
    original_start = LinksTable.start

    def recorded_start(table: LinksTable) -> LinksTable:
        started.append(original_start(table))
        return table

    def links_csv(out: Path) -> list[str]:
        with serve_site(DEMO_SITE) as (origin, _):
            settings = {"site.start_urls": [f"{origin}/"], "report.out_dir": out}
            outcome = run_audit(load_config(None, settings))
        text = (outcome.run_dir / "links.csv").read_text(encoding="utf-8")
        return sorted(text.replace(origin, "ORIGIN").splitlines())

    here = links_csv(tmp_path / "here")
    monkeypatch.setattr(background, "MIN_PAGES", 0)
    monkeypatch.setattr(LinksTable, "start", recorded_start)
    with caplog.at_level(logging.WARNING, logger=background.__name__):
        second = links_csv(tmp_path / "second")
    assert [table.background for table in started] == [True]
    assert "second process" not in caplog.text  # it did not fall back to this one
    assert len(here) > 20 and second == here
