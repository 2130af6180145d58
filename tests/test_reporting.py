"""Reports for schedules: tables, finding ids, the run-to-run diff, fail-on, latest, retention,
the webhook, and a hostile page made inert in every output."""

from __future__ import annotations

import csv
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from audit.cli import app
from audit.config import load_config
from audit.demo import serve_site
from audit.reporting.diff import diff_findings
from audit.reporting.tables import finding_id, neutralise, read_table, write_table
from audit.runner import RunOutcome, fail_reason, run_audit

PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title><meta name="description" content="{description}">
<meta name="viewport" content="width=device-width"></head>
<body><h1>Clinic</h1>{body}<a href="/about/">About</a></body></html>"""


def write_site(root: Path, *, home_body: str = "", about_title: str = "About the clinic") -> None:
    (root / "about").mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(
        PAGE.format(
            title="Harbor Light Skin Clinic, Taipei", description="Skin care.", body=home_body
        ),
        encoding="utf-8",
    )
    (root / "about" / "index.html").write_text(
        PAGE.format(title=about_title, description="About us.", body=""), encoding="utf-8"
    )


def audit_site(root: Path, out: Path, **overrides: object) -> RunOutcome:
    with serve_site(root) as (origin, _requested):
        config = load_config(
            None,
            {
                "site.start_urls": [f"{origin}/"],
                "site.name": "clinic",
                "report.out_dir": out,
                "site.sitemaps": "off",
                **overrides,
            },
        )
        return run_audit(config)


# --- tables ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
def test_formula_cells_are_neutralised(value: str) -> None:
    assert neutralise(value) == "'" + value


@pytest.mark.parametrize("value", ["plain", "a=b", "", 5, -3, True, None])
def test_other_cells_pass_unchanged(value: object) -> None:
    assert neutralise(value) == value


def test_write_table_makes_csv_inert_and_keeps_parquet_exact(tmp_path: Path) -> None:
    frame = pd.DataFrame({"title": ['=HYPERLINK("http://evil","x")', "Clinic"], "n": [-1, 2]})
    write_table(frame, tmp_path, "pages")
    with (tmp_path / "pages.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["title"] == '\'=HYPERLINK("http://evil","x")'
    assert rows[0]["n"] == "-1"  # numbers are data, not formulas
    assert read_table(tmp_path, "pages").equals(frame)
    assert not list(tmp_path.glob(".*.tmp"))


def test_finding_ids_ignore_the_origin_but_not_the_place() -> None:
    one = finding_id("title-missing", "http://127.0.0.1:5001/a/?x=1", "head", "")
    assert one == finding_id("title-missing", "https://staging.example/a/?x=1", "head", "")
    assert one != finding_id("title-missing", "http://127.0.0.1:5001/b/", "head", "")
    assert one != finding_id("title-missing", "http://127.0.0.1:5001/a/?x=1", "body", "")


def findings(*rows: tuple[str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"id": f"{rule}:{url}", "rule": rule, "url": url, "severity": severity, "message": ""}
            for rule, url, severity in rows
        ]
    )


def test_diff_new_resolved_unchanged_and_uncrawled_pages_never_resolved() -> None:
    before = findings(("a", "http://x/1", "error"), ("b", "http://x/2", "warning"))
    before = pd.concat([before, findings(("c", "http://x/3", "error"))], ignore_index=True)
    after = findings(("a", "http://x/1", "error"), ("d", "http://x/1", "notice"))
    pages = pd.DataFrame({"url": ["http://x/1", "http://x/2"]})  # /3 was not crawled this time
    diff = diff_findings(before, after, pages)
    assert sorted(zip(diff["change"], diff["rule"], strict=True)) == [
        ("new", "d"),
        ("resolved", "b"),
        ("unchanged", "a"),
    ]


@pytest.mark.parametrize(
    ("fail_on", "severities", "new", "fails"),
    [
        (None, {"error": 3}, {"error": 3}, False),
        ("error", {"error": 1}, {}, True),
        ("error", {"warning": 5}, {}, False),
        ("warning", {"warning": 1}, {}, True),
        ("new-error", {"error": 4}, {"error": 0}, False),
        ("new-error", {"error": 4}, {"error": 1}, True),
        ("new-warning", {"error": 4}, {"warning": 1}, True),
    ],
)
def test_fail_reason(
    fail_on: str | None, severities: dict[str, int], new: dict[str, int], fails: bool
) -> None:
    assert (fail_reason(fail_on, severities, new) is not None) is fails


# --- two scheduled runs ------------------------------------------------------------------


def test_second_run_lists_fixed_and_introduced_defects(tmp_path: Path) -> None:
    site, out = tmp_path / "site", tmp_path / "reports"
    write_site(site, home_body='<div class="loader">Loading...</div>')
    first = audit_site(site, out)
    write_site(site, about_title="")  # placeholder fixed; an empty title introduced
    second = audit_site(site, out, **{"report.keep_runs": 5})

    assert first.run_dir != second.run_dir and first.changes is None
    with (second.run_dir / "diff.csv").open(encoding="utf-8") as handle:
        changes = {(row["change"], row["rule"]) for row in csv.DictReader(handle)}
    assert ("resolved", "placeholder-text") in changes
    assert ("new", "title-missing") in changes
    assert second.changes is not None and second.changes["new"] >= 1
    summary = dict(read_table(second.run_dir, "summary")[["metric", "value"]].values)
    assert summary["resolved"] == str(second.changes["resolved"])
    assert summary["previous_run"] == first.run_dir.name
    run_info = json.loads((second.run_dir / "run.json").read_text(encoding="utf-8"))
    assert run_info["diff"] == second.changes
    latest = out / "clinic" / "latest"
    assert latest.resolve() == second.run_dir.resolve()
    for table in ("summary", "findings", "pages", "structured_data", "links", "diff"):
        assert (second.run_dir / f"{table}.csv").exists()
        assert (second.run_dir / f"{table}.parquet").exists()


def test_keep_runs_prunes_the_oldest(tmp_path: Path) -> None:
    site, out = tmp_path / "site", tmp_path / "reports"
    write_site(site)
    runs = [audit_site(site, out, **{"report.keep_runs": 2}).run_dir for _ in range(3)]
    assert [path.exists() for path in runs] == [False, True, True]


def test_fail_on_error_exits_1_from_the_cli(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_site(site, about_title="")
    with serve_site(site) as (origin, _requested):
        args = ["crawl", f"{origin}/", "--out", str(tmp_path / "out")]
        failing = CliRunner().invoke(app, [*args, "--fail-on", "error"])
        passing = CliRunner().invoke(app, args)
        wrong = CliRunner().invoke(app, [*args, "--fail-on", "sometimes"])
    assert failing.exit_code == 1
    assert "Failing the run:" in failing.stderr
    assert passing.exit_code == 0
    assert wrong.exit_code == 2
    assert "report.fail_on" in wrong.stderr


# --- webhook -----------------------------------------------------------------------------


class _Receiver(BaseHTTPRequestHandler):
    received: list[dict[str, object]]

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        self.received.append(json.loads(self.rfile.read(length)))
        self.send_response(204)
        self.end_headers()

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, object]]]]:
    received: list[dict[str, object]] = []
    handler = type("Receiver", (_Receiver,), {"received": received})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook", received
    finally:
        server.shutdown()
        server.server_close()


def test_webhook_posts_the_summary(
    tmp_path: Path, receiver: tuple[str, list[dict[str, object]]]
) -> None:
    url, received = receiver
    site = tmp_path / "site"
    write_site(site, home_body="<p>Loading...</p>")
    outcome = audit_site(site, tmp_path / "out", **{"report.webhook_url": url})
    (payload,) = received
    assert payload["site"] == "clinic" and payload["run"] == outcome.run_dir.name
    assert payload["report"] == str((outcome.run_dir / "report.html").resolve())
    assert payload["findings"] == outcome.severities
    assert isinstance(payload["text"], str) and "Site audit of clinic" in payload["text"]
    run_json = (outcome.run_dir / "run.json").read_text(encoding="utf-8")
    assert url not in run_json  # the webhook URL is a secret


def test_a_dead_webhook_never_fails_the_run(tmp_path: Path) -> None:
    site = tmp_path / "site"
    write_site(site)
    outcome = audit_site(site, tmp_path / "out", **{"report.webhook_url": "http://127.0.0.1:9/"})
    assert (outcome.run_dir / "report.html").exists()


# --- hostile page ------------------------------------------------------------------------


def test_a_hostile_page_is_inert_everywhere(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    site = tmp_path / "site"
    write_site(site)
    (site / "about" / "index.html").write_text(
        PAGE.format(
            title="&lt;script&gt;alert(1)&lt;/script&gt;",
            description="=HYPERLINK(&quot;http://evil.example&quot;,&quot;x&quot;)",
            body="",
        ),
        encoding="utf-8",
    )
    outcome = audit_site(site, tmp_path / "out")
    run_dir = outcome.run_dir
    html = (run_dir / "report.html").read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in html
    with (run_dir / "pages.csv").open(encoding="utf-8") as handle:
        about = next(row for row in csv.DictReader(handle) if row["url"].endswith("/about/"))
    assert about["title"] == "<script>alert(1)</script>"  # kept, as text
    assert about["meta_description"].startswith("'=HYPERLINK(")
    workbook = load_workbook(run_dir / "report.xlsx")
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{sheet.title}!{cell.coordinate} is a formula"


def test_report_and_diff_commands(tmp_path: Path) -> None:
    site, out = tmp_path / "site", tmp_path / "reports"
    write_site(site, home_body="<p>Loading...</p>")
    first = audit_site(site, out)
    write_site(site)
    second = audit_site(site, out)
    (second.run_dir / "report.html").unlink()
    rendered = CliRunner().invoke(app, ["report", str(out / "clinic")])
    assert rendered.exit_code == 0, rendered.output
    assert (second.run_dir / "report.html").exists()
    compared = CliRunner().invoke(app, ["diff", str(first.run_dir), str(second.run_dir), "--json"])
    rows = json.loads(compared.stdout)
    assert {"change": "resolved", "rule": "placeholder-text"}.items() <= next(
        row for row in rows if row["rule"] == "placeholder-text"
    ).items()
    missing = CliRunner().invoke(app, ["report", str(tmp_path / "nowhere")])
    assert missing.exit_code == 2


def test_finding_ids_survive_a_port_change_in_the_evidence() -> None:
    one = finding_id("broken-link", "http://127.0.0.1:5001/a/", "a", "http://127.0.0.1:5001/x/")
    two = finding_id("broken-link", "http://127.0.0.1:6002/a/", "a", "http://127.0.0.1:6002/x/")
    assert one == two
