"""report.xlsx: sheets, formatting, hostile cells kept inert, rule docs, caps, diff, a real run."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd
import pytest
from openpyxl.worksheet.worksheet import Worksheet

from audit.config import load_config
from audit.demo import DEMO_SITE, serve_site
from audit.reporting import run as run_module
from audit.reporting import xlsx
from audit.reporting.diff import DIFF_COLUMNS
from audit.reporting.guide import markdown_paragraphs, why_it_matters
from audit.reporting.run import (
    FINDING_COLUMNS,
    LINK_COLUMNS,
    PAGE_COLUMNS,
    STRUCTURED_COLUMNS,
    summary_frame,
)
from audit.reporting.tables import FORMULA_PREFIXES, RunTables, read_table, write_table
from audit.reporting.xlsx import write_xlsx
from audit.rules import find_rule
from audit.runner import run_audit

SITE = "https://clinic.example"


def markdown_to_text(markdown: str) -> str:
    return "\n\n".join(markdown_paragraphs(markdown))


HYPERLINK = '=HYPERLINK("http://evil","x")'
SCRIPT = "<script>alert(1)</script>"
JAVASCRIPT = "javascript:alert(document.cookie)"
HOSTILE = (HYPERLINK, "+1+1", "-2+3", "@SUM(A1)", "\tTAB leading", "\rCR leading")
DATA_SHEETS = ("Changes", "Findings", "Pages", "Structured data", "Links")
FILLS = {"error": "FFFFC7CE", "warning": "FFFFEB9C", "notice": "FFDDEBF7"}


def frame(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=list(columns))


def finding(rule: str, severity: str, url: str, message: str, **extra: Any) -> dict[str, Any]:
    row = {
        "id": f"{rule}:{url}",
        "url": url,
        "rule": rule,
        "code": extra.pop("code", "L001"),
        "severity": severity,
        "category": extra.pop("category", "leftovers"),
        "message": message,
        "evidence": "",
        "selector": "div",
        "fix": "Remove it.",
    }
    return row | extra


def hostile_tables(
    run_dir: Path,
    *,
    diff: bool = False,
    status: str = "complete",
    links: int = 3,
) -> RunTables:
    """A run built by hand whose page values are hostile."""
    findings = frame(
        [
            finding("placeholder-text", "warning", f"{SITE}/", "Loading... is visible"),
            finding("broken-link", "error", f"{SITE}/a/", HYPERLINK, code="K002", evidence="+1+1"),
            finding("redirected-link", "notice", JAVASCRIPT, "-2+3", code="K005", fix="@SUM(A1)"),
            finding("rule-crashed", "error", f"{SITE}/b/", "\tTAB leading", code="E000"),
            finding("placeholder-text", "warning", f"{SITE}/c/", "\rCR leading"),
        ],
        FINDING_COLUMNS,
    )
    pages = frame(
        [
            {
                "url": f"{SITE}/",
                "final_url": f"{SITE}/",
                "status": 200,
                "title": SCRIPT,
                "meta_description": HYPERLINK,
                "h1": "+1+1",
                "canonical": JAVASCRIPT,
                "in_sitemap": True,
                "words": 120,
            },
            {"url": f"{SITE}/a/", "status": 404, "title": "@SUM(A1)", "error": "-2+3"},
            {"url": f"{SITE}/blocked/", "status": None, "error": "blocked by robots.txt"},
        ],
        PAGE_COLUMNS,
    ).astype({"status": "Int64", "words": "Int64"})
    structured = frame(
        [
            {
                "url": f"{SITE}/",
                "syntax": "json-ld",
                "type": "MedicalClinic",
                "id": HYPERLINK,
                "location": "json-ld #1 $",
                "properties": 4,
                "status": "ok",
                "findings": 0,
            }
        ],
        STRUCTURED_COLUMNS,
    )
    link_rows = [
        {
            "source": f"{SITE}/",
            "target": f"{SITE}/p{index}/",
            "anchor": "=1+1" if index == 0 else f"page {index}",
            "rel": "",
            "nofollow": False,
            "target_status": 200,
        }
        for index in range(links)
    ]
    link_frame = frame(link_rows, LINK_COLUMNS).astype({"target_status": "Int64"})
    write_table(link_frame, run_dir, "links", csv=False)
    changes = None
    if diff:
        changes = frame(
            [
                {"change": "new", "id": "a", "rule": "broken-link", "url": f"{SITE}/a/"},
                {"change": "resolved", "id": "b", "rule": "title-missing", "url": f"{SITE}/"},
                {"change": "unchanged", "id": "c", "rule": "placeholder-text", "url": f"{SITE}/"},
                {"change": "unchanged", "id": "d", "rule": "placeholder-text", "url": f"{SITE}/c/"},
            ],
            DIFF_COLUMNS,
        ).assign(severity=["error", "error", "warning", "warning"], message=[HYPERLINK, "", "", ""])
    meta = {
        "site": "clinic",
        "run": "20260101T000000Z",
        "status": status,
        "started_at": "2026-01-01T00:00:00+00:00",
        "finished_at": "2026-01-01T00:01:00+00:00",
        "duration_s": 60.0,
        "status_codes": {"200": 1, "404": 1, "blocked": 1},
        "previous_run": "20251231T000000Z" if diff else None,
    }
    return RunTables(
        run_dir=run_dir,
        meta=meta,
        summary=summary_frame(meta, findings, pages, changes),
        findings=findings,
        pages=pages,
        structured=structured,
        diff=changes,
    )


def unescape(text: str) -> str:
    """Excel's ``_xHHHH_`` escape of control characters, which openpyxl leaves in inline strings."""
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda match: chr(int(match.group(1), 16)), text)


def render(tables: RunTables) -> openpyxl.Workbook:
    path = tables.run_dir / "report.xlsx"
    write_xlsx(tables, path)
    return openpyxl.load_workbook(path)


def header(sheet: Worksheet) -> list[Any]:
    return [cell.value for cell in sheet[1]]


def column(sheet: Worksheet, name: str) -> list[Any]:
    index = header(sheet).index(name) + 1
    return [sheet.cell(row, index) for row in range(2, sheet.max_row + 1)]


def rows_by(sheet: Worksheet, key: str) -> dict[Any, dict[str, Any]]:
    names = header(sheet)
    rows = [dict(zip(names, row, strict=True)) for row in sheet.iter_rows(2, values_only=True)]
    return {row[key]: row for row in rows if row[key] is not None}


def summary_values(workbook: openpyxl.Workbook) -> dict[Any, Any]:
    return {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True) if row[0]}


def test_sheets_in_order_with_and_without_a_diff(tmp_path: Path) -> None:
    assert render(hostile_tables(tmp_path)).sheetnames == [
        "Summary",
        "Findings",
        "Pages",
        "Structured data",
        "Links",
    ]
    assert render(hostile_tables(tmp_path, diff=True)).sheetnames == ["Summary", *DATA_SHEETS]


def test_data_sheets_have_a_bold_frozen_header_an_autofilter_and_widths(tmp_path: Path) -> None:
    workbook = render(hostile_tables(tmp_path, diff=True))
    for name in DATA_SHEETS:
        sheet = workbook[name]
        assert sheet.freeze_panes == "A2", name
        assert sheet.auto_filter.ref is not None and sheet.auto_filter.ref.startswith("A1:"), name
        assert all(cell.font.b for cell in sheet[1] if cell.value is not None), name
        widths = [sheet.column_dimensions[letter].width for letter in ("A", "B")]
        assert all(8 <= width <= 60 for width in widths), (name, widths)
    findings = workbook["Findings"]
    assert header(findings) == [
        "severity",
        "rule",
        "code",
        "category",
        "url",
        "message",
        "evidence",
        "selector",
        "how to fix",
        "why it matters",
        "id",
    ]
    assert findings.auto_filter.ref == "A1:K6"
    assert header(workbook["Pages"]) == [name.replace("_", " ") for name in PAGE_COLUMNS]
    for name in ("message", "how to fix", "why it matters"):
        assert all(cell.alignment.wrap_text for cell in column(findings, name) if cell.value)


def test_no_cell_is_a_formula_and_hostile_text_is_neutralised(tmp_path: Path) -> None:
    tables = hostile_tables(tmp_path, diff=True)
    workbook = render(tables)
    texts = []
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.append(unescape(cell.value))
    assert not [text for text in texts if text.startswith(FORMULA_PREFIXES)]
    for value in HOSTILE:
        assert "'" + value in texts, value
    page = rows_by(workbook["Pages"], "url")[f"{SITE}/"]
    assert page["title"] == SCRIPT
    assert page["meta description"] == "'" + HYPERLINK
    assert rows_by(workbook["Structured data"], "url")[f"{SITE}/"]["id"] == "'" + HYPERLINK
    assert column(workbook["Links"], "anchor")[0].value == "'=1+1"
    with zipfile.ZipFile(tmp_path / "report.xlsx") as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/sheet"):
                assert b"<f>" not in archive.read(name), name


def test_only_http_urls_are_hyperlinks(tmp_path: Path) -> None:
    workbook = render(hostile_tables(tmp_path))
    urls = {cell.value: cell for cell in column(workbook["Findings"], "url")}
    assert urls[f"{SITE}/a/"].hyperlink.target == f"{SITE}/a/"
    assert urls[JAVASCRIPT].hyperlink is None
    pages = workbook["Pages"]
    canonical = column(pages, "canonical")[0]
    assert canonical.value == JAVASCRIPT and canonical.hyperlink is None
    assert column(pages, "url")[0].hyperlink.target == f"{SITE}/"
    # Secondary URLs stay text: hyperlinks are slow to write and capped per sheet.
    assert column(pages, "final url")[0].hyperlink is None
    assert column(workbook["Links"], "target")[0].value == f"{SITE}/p0/"
    assert column(workbook["Links"], "target")[0].hyperlink is None
    with zipfile.ZipFile(tmp_path / "report.xlsx") as archive:
        relationships = [name for name in archive.namelist() if name.endswith(".rels")]
        assert any(b"clinic.example" in archive.read(name) for name in relationships)
        assert not any(b"javascript" in archive.read(name) for name in relationships)


def test_link_target_rules() -> None:
    assert xlsx.link_target("https://example.com/a?b=1#c") == "https://example.com/a?b=1#c"
    assert xlsx.link_target("HTTP://EXAMPLE.COM/") == "HTTP://EXAMPLE.COM/"
    for bad in (
        JAVASCRIPT,
        "data:text/html,<b>x</b>",
        "file:///etc/passwd",
        "http://",
        "https:///path",
        "http://exa mple.com/",
        'http://example.com/"onmouseover',
        "http://example.com/\n",
        "/relative/path",
        "http://example.com/" + "a" * 2_100,
        None,
        42,
    ):
        assert xlsx.link_target(bad) is None, bad


def test_urls_past_excel_limits_are_written_as_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(xlsx, "MAX_LINKS_PER_SHEET", 2)
    tables = hostile_tables(tmp_path, links=2)
    long_url = f"{SITE}/" + "x" * 2_100
    tables.pages.loc[1, "url"] = long_url
    workbook = render(tables)
    urls = column(workbook["Pages"], "url")
    assert urls[1].value == long_url and urls[1].hyperlink is None
    findings = column(workbook["Findings"], "url")
    linkable = [cell for cell in findings if xlsx.link_target(cell.value)]
    assert len(linkable) > 2
    assert sum(cell.hyperlink is not None for cell in findings) == 2
    assert all(isinstance(cell.value, str) for cell in findings)


def test_severity_colours(tmp_path: Path) -> None:
    workbook = render(hostile_tables(tmp_path, diff=True))
    for sheet in ("Findings", "Changes"):
        cells = column(workbook[sheet], "severity")
        assert {cell.value for cell in cells} <= set(FILLS)
        for cell in cells:
            assert cell.fill.fgColor.rgb == FILLS[cell.value], (sheet, cell.value)
    findings = column(workbook["Findings"], "severity")
    assert [cell.value for cell in findings] == ["error", "error", "warning", "warning", "notice"]


def test_why_it_matters_comes_from_the_rule_docs(tmp_path: Path) -> None:
    workbook = render(hostile_tables(tmp_path))
    rows = rows_by(workbook["Findings"], "url")
    rule = find_rule("placeholder-text")
    assert rule is not None
    expected = markdown_to_text(rule.section("Why is this bad?"))
    assert expected.startswith("A spinner label left in the served HTML")
    assert rows[f"{SITE}/"]["why it matters"] == expected
    assert rows[f"{SITE}/"]["how to fix"] == "Remove it."
    assert "link passes no value" in rows[f"{SITE}/a/"]["why it matters"]
    assert "not fully checked" in rows[f"{SITE}/b/"]["why it matters"]
    assert why_it_matters("no-such-rule") == ""


def test_markdown_is_reduced_to_plain_text() -> None:
    text = markdown_to_text(
        "See [Google's guide](https://developers.google.com/x) and `<title>`\n"
        "for **details**.\n\n- one\n- two"
    )
    assert text == "See Google's guide and <title> for details.\n\n- one\n- two"
    for rule in ("broken-link", "placeholder-text", "schema-unknown-type"):
        assert "](" not in why_it_matters(rule)


def test_summary_headline_numbers_counts_and_health_definition(tmp_path: Path) -> None:
    workbook = render(hostile_tables(tmp_path))
    values = summary_values(workbook)
    assert values["site"] == "clinic"
    assert values["status"] == "complete"
    assert values["pages"] == 3
    assert (values["errors"], values["warnings"], values["notices"]) == (2, 2, 1)
    assert isinstance(values["health score"], int)
    assert "share of requested URLs" in values["health score definition"]
    assert "new" not in values and "resolved" not in values
    assert "No earlier run" in values["changes"]
    sheet = workbook["Summary"]
    rows = list(sheet.iter_rows(values_only=True))
    labels = [row[0] for row in rows]
    assert labels.index("Findings by severity") < labels.index("Findings by category")
    start = labels.index("Top 15 rules")
    assert rows[start + 1][:5] == ("rule", "code", "severity", "category", "findings")
    assert rows[start + 2][0] == "placeholder-text" and rows[start + 2][4] == 2
    assert "interrupted" not in " ".join(str(label) for label in labels)


def test_interrupted_run_says_so(tmp_path: Path) -> None:
    workbook = render(hostile_tables(tmp_path, status="interrupted"))
    texts = [cell for row in workbook["Summary"].iter_rows(values_only=True) for cell in row]
    assert any(isinstance(text, str) and "This run was interrupted" in text for text in texts)
    assert summary_values(workbook)["status"] == "interrupted"


def test_diff_counts_and_changes_sheet(tmp_path: Path) -> None:
    workbook = render(hostile_tables(tmp_path, diff=True))
    values = summary_values(workbook)
    assert (values["new"], values["resolved"], values["unchanged"]) == (1, 1, 2)
    assert values["previous run"] == "20251231T000000Z"
    changes = workbook["Changes"]
    assert header(changes) == ["change", "severity", "rule", "url", "message", "id"]
    assert [cell.value for cell in column(changes, "change")] == [
        "new",
        "resolved",
        "unchanged",
        "unchanged",
    ]
    assert column(changes, "message")[0].value == "'" + HYPERLINK
    assert column(changes, "url")[0].hyperlink.target == f"{SITE}/a/"


def test_links_are_capped_with_a_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx, "LINKS_ROW_CAP", 3)
    workbook = render(hostile_tables(tmp_path, links=5))
    links = workbook["Links"]
    assert links.max_row == 5  # header, 3 links, the note
    assert [cell.value for cell in column(links, "target")][:3] == [
        f"{SITE}/p0/",
        f"{SITE}/p1/",
        f"{SITE}/p2/",
    ]
    note = links.cell(5, 1).value
    assert note.startswith("Showing the first 3 of 5 links")
    assert links.auto_filter.ref == "A1:F4"
    assert summary_values(workbook)["links"] == note


def test_links_under_the_cap_have_no_note(tmp_path: Path) -> None:
    workbook = render(hostile_tables(tmp_path, links=3))
    assert workbook["Links"].max_row == 4
    assert "links" not in summary_values(workbook)


def test_empty_tables_still_make_a_workbook(tmp_path: Path) -> None:
    tables = RunTables(
        run_dir=tmp_path,
        meta={},
        summary=pd.DataFrame(),
        findings=pd.DataFrame(),
        pages=pd.DataFrame(),
        structured=pd.DataFrame(),
    )
    workbook = render(tables)
    assert workbook.sheetnames == ["Summary", "Findings", "Pages", "Structured data", "Links"]
    assert workbook["Findings"].max_row == 1
    assert header(workbook["Links"]) == [name.replace("_", " ") for name in LINK_COLUMNS]


def test_written_atomically(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tables = hostile_tables(tmp_path)
    path = tmp_path / "report.xlsx"
    path.write_bytes(b"previous report")

    def explode(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(xlsx, "_summary_sheet", explode)
    with pytest.raises(RuntimeError):
        write_xlsx(tables, path)
    assert path.read_bytes() == b"previous report"
    monkeypatch.undo()
    write_xlsx(tables, path)
    assert openpyxl.load_workbook(path).sheetnames[0] == "Summary"
    assert [entry.name for entry in tmp_path.iterdir() if entry.name.endswith(".tmp")] == []


def test_demo_run_workbook_opens_with_every_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the workbook: the HTML report has its own tests.
    monkeypatch.setattr(
        run_module,
        "render_reports",
        lambda tables: write_xlsx(tables, tables.run_dir / "report.xlsx"),
    )
    with serve_site(DEMO_SITE) as (origin, _requested):
        config = load_config(
            None,
            {
                "site.start_urls": [f"{origin}/"],
                "site.name": "demo-clinic",
                "report.out_dir": tmp_path,
            },
        )
        run_dir = run_audit(config).run_dir
    workbook = openpyxl.load_workbook(run_dir / "report.xlsx")
    assert workbook.sheetnames == ["Summary", "Findings", "Pages", "Structured data", "Links"]
    findings = read_table(run_dir, "findings")
    assert not findings.empty
    for sheet, table in (
        ("Findings", findings),
        ("Pages", read_table(run_dir, "pages")),
        ("Structured data", read_table(run_dir, "structured_data")),
        ("Links", read_table(run_dir, "links")),
    ):
        assert workbook[sheet].max_row == len(table) + 1, sheet
    values = summary_values(workbook)
    assert values["site"] == "demo-clinic"
    assert values["pages"] == len(read_table(run_dir, "pages"))
    assert values["errors"] == int((findings["severity"] == "error").sum())
    rules = {cell.value for cell in column(workbook["Findings"], "rule")}
    assert "placeholder-text" in rules
    why = rows_by(workbook["Findings"], "rule")["placeholder-text"]["why it matters"]
    assert why == why_it_matters("placeholder-text")
    url = column(workbook["Findings"], "url")[0]
    assert url.hyperlink is not None and url.hyperlink.target == url.value
    assert url.value.startswith(origin)


def test_each_kind_of_cell_value_is_written_as_its_type(tmp_path: Path) -> None:
    import numpy as np
    import xlsxwriter

    values = [
        ("plain text", "plain text"),
        ("中文標題", "中文標題"),
        ("lone \ud800 surrogate", "lone ? surrogate"),
        ("=1+1", "'=1+1"),
        ("", None),
        (None, None),
        (pd.NA, None),
        (float("nan"), None),
        (float("inf"), "inf"),
        (3, 3),
        (np.int64(4), 4),
        (2.5, 2.5),
        (True, True),
        (np.bool_(False), False),
        (Path("a/b"), "a/b"),
    ]
    path = tmp_path / "cells.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    cells = xlsx._Cells(sheet, xlsx._Styles(workbook))
    for row, (value, _) in enumerate(values):
        cells.write(row, 0, value)
    cells.write(len(values), 0, "https://clinic.example/a", url=True)
    workbook.close()
    written = openpyxl.load_workbook(path).active
    assert [written.cell(row + 1, 1).value for row in range(len(values))] == [
        expected for _, expected in values
    ]
    link = written.cell(len(values) + 1, 1)
    assert link.value == "https://clinic.example/a"
    assert link.hyperlink.target == "https://clinic.example/a"
