"""Acceptance: leftovers and structured data on an unseen clinic site rebuilt from the seeds.

``tests/sites/seedclinic/`` reconstructs, in new wording, the two scraped clinic
articles in ``/work/shared/seeds/`` the way a broken CMS served them (JSON-LD
printed as text, an FAQ without markup), plus a page with the seed JSON-LD in a
proper script, a page with a broken ld+json block next to a valid one, and a
clean page written with look-alike words and valid MedicalWebPage and FAQPage
markup (the "Done when" of issue 4). For the site rules (the "Done when" of
issue 5) it adds a contact page whose booking link leads to a missing page
(404), an article listed in the sitemap but linked from nowhere, an article
that repeats the home page's ``<title>``, and a publisher, "Liusmed Clinic",
typed Organization on one seed page and MedicalClinic on the other. Its
``MANIFEST.json`` is the answer key:
for each page, the rules that must report it (``expected``), the rules that must
stay quiet on it (``absent``), exact finding counts (``counts``), strings a
finding must mention (``mentions``) and whether any error-severity finding is
allowed at all (``no_errors``). Site findings carry a page URL like page
findings, so the same keys cover them; ``missing_pages`` (linked but absent,
hence no ``index.html``) take the same keys, and ``site_expectations`` hold the
cross-page findings that may land on either of several pages.

Two ways in: a real crawl over a loopback server (findings.csv of the run
folder), and ``audit check page.html --json`` in a subprocess. Every
expectation is its own test item, named ``<page>:<rule>``, so a failure says
which rule on which page, whether the rule is registered at all, and lists
every finding the page did get.
"""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from audit.config import load_config
from audit.demo import serve_site
from audit.rules import find_rule
from audit.runner import run_audit

SITE = Path(__file__).parent / "sites" / "seedclinic"
MANIFEST: dict[str, Any] = json.loads((SITE / "MANIFEST.json").read_text(encoding="utf-8"))
PAGES: dict[str, dict[str, Any]] = MANIFEST["pages"]
LEFTOVER_RULES: list[str] = MANIFEST["leftover_rules"]
STRUCTURED_RULES: list[str] = MANIFEST["structured_data_rules"]
STRUCTURED_ON_EVERY_PAGE: list[str] = MANIFEST["structured_data_rules_on_every_page"]
SEVERITIES: dict[str, str] = MANIFEST["severities"]
SITE_RULES: list[str] = MANIFEST["site_rules"]
SITE_ON_EVERY_PAGE: list[str] = MANIFEST["site_rules_on_every_page"]
SITE_SEVERITIES: dict[str, str] = MANIFEST["site_severities"]
MISSING: dict[str, dict[str, Any]] = MANIFEST["missing_pages"]
SITEMAP_ONLY: list[str] = MANIFEST["sitemap_only"]
SITE_EXPECTATIONS: list[dict[str, Any]] = MANIFEST["site_expectations"]
# Every URL a finding may name: the served pages and the linked pages that are missing.
ALL_PAGES: dict[str, dict[str, Any]] = {**PAGES, **MISSING}

DUAL = "/articles/dual-expertise/"
CLEAN = "/articles/clean-lookalikes/"
BROKEN = "/articles/broken-jsonld/"
IN_SCRIPT = "/articles/seed-markup-in-script/"
BASEMENT = "/articles/basement-membrane/"
CONTACT = "/contact/"
CHECKED_PAGES = (DUAL, CLEAN)
# Also checked by URL (`audit check http://…/path/ --json`): a saved page.html has a
# file:// URL, so its canonical points "to another site" and canonical-invalid (an
# error) hides whether the structured-data rules set the exit status.
URL_CHECKED_PAGES = (CLEAN, BROKEN, IN_SCRIPT)
CHECK_KEYS = frozenset(
    {"url", "rule", "code", "severity", "message", "evidence", "selector", "fix"}
)
COMMAND_TIMEOUT = 60


def _params(rows: list[tuple[str, ...]]) -> list[Any]:
    return [pytest.param(*row, id=":".join(row)) for row in rows]


def _page_rules(rules: list[str]) -> list[str]:
    """Rules that `audit check` runs on one page: the site rules need a whole crawl."""
    return [rule for rule in rules if rule not in SITE_RULES]


EXPECTED = _params([(path, rule) for path, page in ALL_PAGES.items() for rule in page["expected"]])
ABSENT = _params([(path, rule) for path, page in ALL_PAGES.items() for rule in page["absent"]])
MENTIONS = _params(
    [
        (path, rule, text)
        for path, page in ALL_PAGES.items()
        for rule, texts in page.get("mentions", {}).items()
        for text in texts
    ]
)
COUNTS = _params(
    [
        (path, rule, str(count))
        for path, page in ALL_PAGES.items()
        for rule, count in page.get("counts", {}).items()
    ]
)
SITE_MENTIONS = _params(
    [
        (expectation["rule"], text)
        for expectation in SITE_EXPECTATIONS
        for text in expectation["mentions"]
    ]
)
NO_ERRORS = [path for path, page in PAGES.items() if page.get("no_errors")]
CHECK_EXPECTED = _params(
    [(path, rule) for path in URL_CHECKED_PAGES for rule in _page_rules(PAGES[path]["expected"])]
)
CHECK_ABSENT = _params(
    [(path, rule) for path in URL_CHECKED_PAGES for rule in _page_rules(PAGES[path]["absent"])]
)
CHECK_MENTIONS = _params(
    [
        (path, rule, text)
        for path in URL_CHECKED_PAGES
        for rule, texts in PAGES[path].get("mentions", {}).items()
        if rule not in SITE_RULES
        for text in texts
    ]
)
CHECK_COUNTS = _params(
    [
        (path, rule, str(count))
        for path in URL_CHECKED_PAGES
        for rule, count in PAGES[path].get("counts", {}).items()
        if rule not in SITE_RULES
    ]
)
CHECK_NO_ERRORS = [path for path in URL_CHECKED_PAGES if PAGES[path].get("no_errors")]
CHECK_WITH_ERRORS = [path for path in URL_CHECKED_PAGES if not PAGES[path].get("no_errors")]
RULE_CRASHED = "rule-crashed"


# --- helpers ---------------------------------------------------------------------------


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def registration(rule: str) -> str:
    """Whether the rule exists yet, so a failure tells a missing rule from a blind one."""
    found = find_rule(rule)
    if found is None:
        return "the rule is NOT REGISTERED yet (no module in audit.rules defines it)"
    return f"the rule is registered ({found.module}, {found.meta.code}) but reported nothing"


def describe(findings: list[dict[str, str]]) -> str:
    """One line per finding, for failure messages."""
    if not findings:
        return "    (no findings at all)"
    return "\n".join(
        f"    {f['rule']} [{f['code']} {f['severity']}] {f['message']}"
        f" | evidence: {f['evidence']!r} | selector: {f['selector']!r}"
        for f in findings
    )


def of_rule(findings: list[dict[str, str]], rule: str) -> list[dict[str, str]]:
    return [finding for finding in findings if finding["rule"] == rule]


def missing_message(where: str, path: str, rule: str, findings: list[dict[str, str]]) -> str:
    return (
        f"{where}: expected {rule!r} on {path}: {registration(rule)}.\n"
        f"  The leftover on this page: {ALL_PAGES[path]['defects'].get(rule, '')}\n"
        f"  Findings on {path} ({len(findings)}):\n{describe(findings)}"
    )


def errors_of(findings: list[dict[str, str]]) -> list[dict[str, str]]:
    return [finding for finding in findings if finding["severity"] == "error"]


def count_message(
    where: str, path: str, rule: str, count: int, findings: list[dict[str, str]]
) -> str:
    hits = of_rule(findings, rule)
    return (
        f"{where}: expected exactly {count} {rule!r} finding(s) on {path}, got {len(hits)}.\n"
        f"  The defect: {ALL_PAGES[path]['defects'].get(rule, '')}\n"
        f"  {rule!r} findings:\n{describe(hits)}\n"
        f"  All findings on {path} ({len(findings)}):\n{describe(findings)}"
    )


def errors_message(where: str, path: str, findings: list[dict[str, str]]) -> str:
    return (
        f"{where}: {path} must get NO error-severity finding "
        f"({PAGES[path].get('no_errors_rationale', '')}).\n"
        f"  Error findings ({len(errors_of(findings))}):\n{describe(errors_of(findings))}\n"
        f"  All findings on {path} ({len(findings)}):\n{describe(findings)}"
    )


def unexpected_message(where: str, path: str, rule: str, hits: list[dict[str, str]]) -> str:
    page = ALL_PAGES[path]
    look_alike = page.get("look_alikes", {}).get(rule) or page.get("not_defects", "")
    return (
        f"{where}: {rule!r} must NOT fire on {path} (false positive).\n"
        f"  Look-alikes on this page: {look_alike}\n"
        f"  Offending findings ({len(hits)}):\n{describe(hits)}"
    )


# --- A: a real crawl ---------------------------------------------------------------------


@dataclass(frozen=True)
class Crawl:
    """What one crawl of the site wrote: page rows and findings, keyed by path."""

    origin: str
    pages: dict[str, dict[str, str]]
    findings: dict[str, list[dict[str, str]]]

    def findings_on(self, path: str) -> list[dict[str, str]]:
        return self.findings.get(path, [])


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    out = tmp_path_factory.mktemp("seedclinic-runs")
    with serve_site(SITE) as (origin, _requested):
        config = load_config(None, {"site.start_urls": [f"{origin}/"], "report.out_dir": out})
        outcome = run_audit(config)
    pages = {
        row["url"].removeprefix(origin): row for row in read_rows(outcome.run_dir / "pages.csv")
    }
    findings: dict[str, list[dict[str, str]]] = {}
    for row in read_rows(outcome.run_dir / "findings.csv"):
        findings.setdefault(row["url"].removeprefix(origin), []).append(row)
    return Crawl(origin, pages, findings)


def test_crawl_fetches_every_manifest_page(crawl: Crawl) -> None:
    for path in PAGES:
        assert path in crawl.pages, f"{path} was not crawled; pages: {sorted(crawl.pages)}"
        assert crawl.pages[path]["status"] == "200", crawl.pages[path]
    for path, redirect in MANIFEST["redirects"].items():
        assert crawl.pages[path]["status"] == str(redirect["status"]), crawl.pages[path]
        assert crawl.pages[path]["final_url"] == crawl.origin + redirect["final"]
    for path, missing in MISSING.items():
        assert path in crawl.pages, f"{path} was not requested; pages: {sorted(crawl.pages)}"
        assert crawl.pages[path]["status"] == str(missing["status"]), crawl.pages[path]


@pytest.mark.parametrize("path", SITEMAP_ONLY)
def test_crawl_finds_sitemap_only_pages_through_the_sitemap(crawl: Crawl, path: str) -> None:
    """The orphan is crawled (from sitemap.xml) and no crawled page links to it."""
    row = crawl.pages[path]
    assert row["source"] == "sitemap", row
    assert row["inlinks"] in {"0", ""}, row


def test_crawl_findings_point_at_crawled_pages(crawl: Crawl) -> None:
    """Every finding's url is one of the site's pages or missing pages, never a redirect."""
    strays = {path for path in crawl.findings if path not in ALL_PAGES}
    assert not strays, {path: describe(crawl.findings[path]) for path in strays}


@pytest.mark.parametrize(("path", "rule"), EXPECTED)
def test_crawl_reports_each_leftover_on_its_page(crawl: Crawl, path: str, rule: str) -> None:
    findings = crawl.findings_on(path)
    if not of_rule(findings, rule):
        elsewhere = sorted(p for p, rows in crawl.findings.items() if of_rule(rows, rule))
        pytest.fail(
            missing_message("crawl", path, rule, findings)
            + f"\n  {rule!r} reported on other pages: {elsewhere or 'none'}"
        )


@pytest.mark.parametrize(("path", "rule", "text"), MENTIONS)
def test_crawl_reports_every_instance(crawl: Crawl, path: str, rule: str, text: str) -> None:
    """Pages with two leftovers of one rule: each must be reported, not just the first."""
    hits = of_rule(crawl.findings_on(path), rule)
    if not hits:
        pytest.fail(missing_message("crawl", path, rule, crawl.findings_on(path)))
    mentioned = [
        hit for hit in hits if text in f"{hit['message']} {hit['evidence']} {hit['selector']}"
    ]
    assert mentioned, (
        f"crawl: {rule!r} on {path} reports nothing that mentions {text!r} "
        f"({ALL_PAGES[path]['defects'][rule]}).\n  {rule!r} findings:\n{describe(hits)}"
    )


@pytest.mark.parametrize(("path", "rule"), ABSENT)
def test_crawl_does_not_report_look_alikes(crawl: Crawl, path: str, rule: str) -> None:
    hits = of_rule(crawl.findings_on(path), rule)
    assert not hits, unexpected_message("crawl", path, rule, hits)


@pytest.mark.parametrize(("path", "rule", "count"), COUNTS)
def test_crawl_reports_exact_counts(crawl: Crawl, path: str, rule: str, count: str) -> None:
    """One broken block is one finding: neither repeated nor spilled onto its valid neighbour."""
    findings = crawl.findings_on(path)
    assert len(of_rule(findings, rule)) == int(count), count_message(
        "crawl", path, rule, int(count), findings
    )


@pytest.mark.parametrize("path", NO_ERRORS)
def test_crawl_clean_markup_gets_no_error(crawl: Crawl, path: str) -> None:
    """Every finding on the page, of any rule, is checked: none may be an error."""
    findings = crawl.findings_on(path)
    assert not errors_of(findings), errors_message("crawl", path, findings)


@pytest.mark.parametrize("rule", sorted(SEVERITIES))
def test_crawl_structured_data_severities_follow_the_issue(crawl: Crawl, rule: str) -> None:
    wrong = [
        finding
        for findings in crawl.findings.values()
        for finding in of_rule(findings, rule)
        if finding["severity"] != SEVERITIES[rule]
    ]
    assert not wrong, (
        f"crawl: issue 4 makes {rule!r} a {SEVERITIES[rule]}; these findings are not:\n"
        f"{describe(wrong)}"
    )


@pytest.mark.parametrize("rule", sorted(SITE_SEVERITIES))
def test_crawl_site_rule_severities_follow_the_issue(crawl: Crawl, rule: str) -> None:
    wrong = [
        finding
        for findings in crawl.findings.values()
        for finding in of_rule(findings, rule)
        if finding["severity"] != SITE_SEVERITIES[rule]
    ]
    assert not wrong, (
        f"crawl: issue 5 makes {rule!r} a {SITE_SEVERITIES[rule]}; these findings are not:\n"
        f"{describe(wrong)}"
    )


def _site_hits(crawl: Crawl, rule: str) -> tuple[dict[str, Any], list[dict[str, str]]]:
    expectation = next(item for item in SITE_EXPECTATIONS if item["rule"] == rule)
    hits = [
        finding
        for path in expectation["on_any_of"]
        for finding in of_rule(crawl.findings_on(path), rule)
    ]
    if not hits:
        elsewhere = {
            path: describe(of_rule(rows, rule))
            for path, rows in crawl.findings.items()
            if of_rule(rows, rule)
        }
        pytest.fail(
            f"crawl: expected {rule!r} on one of {expectation['on_any_of']}: "
            f"{registration(rule)}.\n  The defect: {expectation['defect']}\n"
            f"  {rule!r} reported elsewhere: {elsewhere or 'nowhere'}"
        )
    return expectation, hits


@pytest.mark.parametrize(("rule", "text"), SITE_MENTIONS)
def test_crawl_reports_cross_page_findings(crawl: Crawl, rule: str, text: str) -> None:
    """A finding about several pages lands on one of them and names what differs."""
    expectation, hits = _site_hits(crawl, rule)
    mentioned = [
        hit for hit in hits if text in f"{hit['message']} {hit['evidence']} {hit['selector']}"
    ]
    assert mentioned, (
        f"crawl: no {rule!r} finding on {expectation['on_any_of']} mentions {text!r} "
        f"({expectation['defect']}).\n  {rule!r} findings:\n{describe(hits)}"
    )


@pytest.mark.parametrize("path", list(PAGES))
def test_crawl_no_rule_crashed(crawl: Crawl, path: str) -> None:
    """A crashed rule proves nothing: its 'absent' expectations would pass by accident."""
    hits = of_rule(crawl.findings_on(path), RULE_CRASHED)
    assert not hits, f"crawl: rules crashed on {path}:\n{describe(hits)}"


# --- B: `audit check page.html --json` in a subprocess ----------------------------------


@dataclass(frozen=True)
class Checked:
    """One finished ``audit check TARGET --json`` (a saved file or a URL on loopback)."""

    target: str
    url: str
    """The URL its findings must carry."""
    returncode: int
    stdout: str
    stderr: str

    def findings(self) -> list[dict[str, str]]:
        """The parsed stdout; fails the test with the raw output when it is not a JSON list."""
        try:
            data = json.loads(self.stdout)
        except json.JSONDecodeError as exc:
            pytest.fail(
                f"stdout of `audit check {self.target} --json` is not JSON only ({exc}).\n"
                f"stdout: {self.stdout[:2000]!r}\nstderr: {self.stderr[-2000:]!r}"
            )
        assert isinstance(data, list), f"stdout is JSON but not a list: {type(data).__name__}"
        return data


@pytest.fixture(scope="module")
def checked_url(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Checked]:
    """Each URL-checked page checked once by URL while the site is served."""
    folder = tmp_path_factory.mktemp("check-url")
    results = {}
    with serve_site(SITE) as (origin, _requested):
        for path in URL_CHECKED_PAGES:
            # cwd is an empty folder, so no config.yaml of the checkout is picked up.
            process = subprocess.run(
                [sys.executable, "-m", "audit", "check", origin + path, "--json"],
                cwd=folder,
                env=dict(os.environ),
                capture_output=True,
                text=True,
                timeout=COMMAND_TIMEOUT,
                check=False,
            )
            url = origin + path
            results[path] = Checked(url, url, process.returncode, process.stdout, process.stderr)
    return results


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Checked]:
    """Each checked page as the server serves it, saved to page.html and checked once."""
    with serve_site(SITE) as (origin, _requested):
        served = {}
        for path in CHECKED_PAGES:
            with urllib.request.urlopen(origin + path, timeout=COMMAND_TIMEOUT) as response:
                served[path] = response.read()
    results = {}
    for path, body in served.items():
        folder = tmp_path_factory.mktemp("check")
        page = folder / "page.html"
        page.write_bytes(body)
        # cwd is the empty folder, so no config.yaml of the checkout is picked up.
        process = subprocess.run(
            [sys.executable, "-m", "audit", "check", str(page), "--json"],
            cwd=folder,
            env=dict(os.environ),
            capture_output=True,
            text=True,
            timeout=COMMAND_TIMEOUT,
            check=False,
        )
        results[path] = Checked(
            page.name, page.resolve().as_uri(), process.returncode, process.stdout, process.stderr
        )
    return results


@pytest.mark.parametrize("path", CHECKED_PAGES)
def test_check_json_prints_only_a_list_of_findings(checked: dict[str, Checked], path: str) -> None:
    result = checked[path]
    assert "Traceback" not in result.stderr, result.stderr
    findings = result.findings()
    for finding in findings:
        assert isinstance(finding, dict), finding
        assert finding.keys() >= CHECK_KEYS, f"missing {sorted(CHECK_KEYS - finding.keys())}"
        assert finding["url"] == result.url, finding
    has_error = any(finding["severity"] == "error" for finding in findings)
    assert result.returncode == (1 if has_error else 0), (
        f"exit {result.returncode} with severities {sorted({f['severity'] for f in findings})}"
    )


@pytest.mark.parametrize("rule", _page_rules(PAGES[DUAL]["expected"]))
def test_check_lists_each_leftover_of_the_dual_expertise_page(
    checked: dict[str, Checked], rule: str
) -> None:
    findings = checked[DUAL].findings()
    if not of_rule(findings, rule):
        pytest.fail(missing_message("audit check --json", DUAL, rule, findings))


def test_check_exits_1_on_the_dual_expertise_page(checked: dict[str, Checked]) -> None:
    result = checked[DUAL]
    findings = result.findings()
    assert result.returncode == 1, (
        f"`audit check page.html --json` on {DUAL} exited {result.returncode}; expected 1 "
        f"(its leftovers include error-severity findings).\n  Findings:\n{describe(findings)}"
    )


@pytest.mark.parametrize("rule", _page_rules(PAGES[CLEAN]["absent"]))
def test_check_clean_page_gets_no_leftover(checked: dict[str, Checked], rule: str) -> None:
    hits = of_rule(checked[CLEAN].findings(), rule)
    assert not hits, unexpected_message("audit check --json", CLEAN, rule, hits)


@pytest.mark.parametrize("path", URL_CHECKED_PAGES)
def test_check_url_json_prints_only_a_list_of_findings(
    checked_url: dict[str, Checked], path: str
) -> None:
    result = checked_url[path]
    assert "Traceback" not in result.stderr, result.stderr
    findings = result.findings()
    for finding in findings:
        assert isinstance(finding, dict), finding
        assert finding.keys() >= CHECK_KEYS, f"missing {sorted(CHECK_KEYS - finding.keys())}"
        assert finding["url"] == result.url, finding
    crashed = of_rule(findings, RULE_CRASHED)
    assert not crashed, f"audit check: rules crashed on {path}:\n{describe(crashed)}"


@pytest.mark.parametrize("path", CHECK_NO_ERRORS)
def test_check_clean_markup_gets_no_error_and_exits_0(
    checked_url: dict[str, Checked], path: str
) -> None:
    result = checked_url[path]
    findings = result.findings()
    assert not errors_of(findings), errors_message("audit check URL --json", path, findings)
    assert result.returncode == 0, f"exit {result.returncode}\n{describe(findings)}"


@pytest.mark.parametrize("path", CHECK_WITH_ERRORS)
def test_check_exits_1_on_broken_or_unknown_markup(
    checked_url: dict[str, Checked], path: str
) -> None:
    """The exit status comes from the page's expected structured-data errors."""
    result = checked_url[path]
    findings = result.findings()
    expected_errors = [f for f in errors_of(findings) if f["rule"] in PAGES[path]["expected"]]
    assert expected_errors and result.returncode == 1, (
        f"`audit check URL --json` on {path} exited {result.returncode}; expected 1 with an "
        f"error-severity finding of {', '.join(PAGES[path]['expected'])}.\n"
        f"  Findings:\n{describe(findings)}"
    )


@pytest.mark.parametrize(("path", "rule"), CHECK_EXPECTED)
def test_check_lists_each_structured_data_defect(
    checked_url: dict[str, Checked], path: str, rule: str
) -> None:
    findings = checked_url[path].findings()
    if not of_rule(findings, rule):
        pytest.fail(missing_message("audit check URL --json", path, rule, findings))


@pytest.mark.parametrize(("path", "rule"), CHECK_ABSENT)
def test_check_does_not_report_look_alikes(
    checked_url: dict[str, Checked], path: str, rule: str
) -> None:
    hits = of_rule(checked_url[path].findings(), rule)
    assert not hits, unexpected_message("audit check URL --json", path, rule, hits)


@pytest.mark.parametrize(("path", "rule", "text"), CHECK_MENTIONS)
def test_check_findings_mention_the_culprit(
    checked_url: dict[str, Checked], path: str, rule: str, text: str
) -> None:
    findings = checked_url[path].findings()
    hits = of_rule(findings, rule)
    if not hits:
        pytest.fail(missing_message("audit check URL --json", path, rule, findings))
    mentioned = [
        hit for hit in hits if text in f"{hit['message']} {hit['evidence']} {hit['selector']}"
    ]
    assert mentioned, (
        f"audit check URL --json: {rule!r} on {path} reports nothing that mentions {text!r}.\n"
        f"  {rule!r} findings:\n{describe(hits)}"
    )


@pytest.mark.parametrize(("path", "rule", "count"), CHECK_COUNTS)
def test_check_reports_exact_counts(
    checked_url: dict[str, Checked], path: str, rule: str, count: str
) -> None:
    findings = checked_url[path].findings()
    assert len(of_rule(findings, rule)) == int(count), count_message(
        "audit check URL --json", path, rule, int(count), findings
    )


def test_manifest_covers_every_page_of_the_site() -> None:
    """The answer key and the fixture stay in sync: every page listed, every rule classified."""
    folders = {path.parent.relative_to(SITE).as_posix() for path in SITE.rglob("index.html")}
    assert {"/" if folder == "." else f"/{folder}/" for folder in folders} == set(PAGES)
    known = set(LEFTOVER_RULES) | set(STRUCTURED_RULES) | set(SITE_RULES)
    assert set(STRUCTURED_ON_EVERY_PAGE) <= set(STRUCTURED_RULES)
    assert set(SEVERITIES) <= set(STRUCTURED_RULES)
    assert set(SITE_ON_EVERY_PAGE) <= set(SITE_RULES)
    assert set(SITE_SEVERITIES) <= set(SITE_RULES)
    for path, page in PAGES.items():
        classified = set(page["expected"]) | set(page["absent"])
        assert not set(page["expected"]) & set(page["absent"]), path
        assert len(page["expected"]) + len(page["absent"]) == len(classified), path
        assert classified <= known, (path, sorted(classified - known))
        assert set(LEFTOVER_RULES) <= classified, (path, sorted(set(LEFTOVER_RULES) - classified))
        assert set(STRUCTURED_ON_EVERY_PAGE) <= classified, path
        assert set(SITE_ON_EVERY_PAGE) <= classified, (path, set(SITE_ON_EVERY_PAGE) - classified)
        assert set(page["defects"]) == set(page["expected"]), path
        assert set(page.get("counts", {})) <= set(page["expected"]), path
        assert set(page.get("mentions", {})) <= set(page["expected"]), path
        assert not (page.get("no_errors") and page["expected"]), path
        assert len((SITE / path.lstrip("/") / "index.html").read_bytes()) < 10_000, path
    assert PAGES[CLEAN]["expected"] == []
    assert PAGES[CLEAN].get("no_errors") is True
    assert set(LEFTOVER_RULES) | set(STRUCTURED_ON_EVERY_PAGE) <= set(PAGES[CLEAN]["absent"])
    assert "medical-page-incomplete" in PAGES[CLEAN]["absent"]
    for seed_page in ("/articles/basement-membrane/", DUAL):
        assert {"structured-data-missing", "faq-without-markup"} <= set(
            PAGES[seed_page]["expected"]
        )
    assert PAGES[BROKEN]["counts"] == {"jsonld-invalid": 1}
    assert "PatientAudience" in PAGES[IN_SCRIPT]["mentions"]["schema-unknown-type"]
    for path, page in MISSING.items():
        assert not (SITE / path.lstrip("/") / "index.html").exists(), path
        assert set(page["expected"]) | set(page["absent"]) == set(SITE_RULES), path
        assert not set(page["expected"]) & set(page["absent"]), path
        assert set(page["defects"]) == set(page["expected"]), path
        assert set(page.get("counts", {})) | set(page.get("mentions", {})) <= set(page["expected"])
    for expectation in SITE_EXPECTATIONS:
        assert expectation["rule"] in SITE_RULES, expectation
        assert set(expectation["on_any_of"]) <= set(PAGES), expectation
    # The "Done when" of issue 5, so that nobody weakens it by editing the answer key.
    assert MISSING["/booking/"]["linked_from"] == CONTACT
    assert MISSING["/booking/"]["expected"] == ["http-error"]
    assert "/booking/" in PAGES[CONTACT]["mentions"]["broken-link"]
    assert any("orphan-page" in PAGES[path]["expected"] for path in SITEMAP_ONLY)
    assert "title-duplicate" in PAGES["/"]["expected"]
    assert "title-duplicate" in PAGES[BASEMENT]["expected"]
    liusmed = [item for item in SITE_EXPECTATIONS if item["rule"] == "entity-inconsistent"]
    assert liusmed and "Liusmed Clinic" in liusmed[0]["mentions"]
    assert set(liusmed[0]["on_any_of"]) == {BASEMENT, DUAL}


def _html_of(path: str) -> str:
    return (SITE / path.lstrip("/") / "index.html").read_text(encoding="utf-8")


def test_sitemap_and_home_page_list_every_page() -> None:
    """Every page is in sitemap.xml and, but for the sitemap-only ones, linked from home."""
    sitemap = (SITE / "sitemap.xml").read_text(encoding="utf-8")
    home = _html_of("/")
    for path in PAGES:
        assert f"<loc>__ORIGIN__{path}</loc>" in sitemap, path
        if path != "/" and path not in SITEMAP_ONLY:
            assert f'href="{path}"' in home, path


@pytest.mark.parametrize("path", SITEMAP_ONLY)
def test_sitemap_only_pages_are_linked_from_nowhere(path: str) -> None:
    assert set(SITEMAP_ONLY) <= set(PAGES)
    for other in PAGES:
        if other != path:
            html = _html_of(other)
            for href in (f'href="{path}"', f'href="__ORIGIN__{path}"'):
                assert href not in html, f"{other} links {path}: it would not be an orphan"


@pytest.mark.parametrize("path", list(MISSING))
def test_missing_pages_are_linked_but_not_listed(path: str) -> None:
    """Reached by a link only: listed in the sitemap it would be a sitemap-invalid-url too."""
    sitemap = (SITE / "sitemap.xml").read_text(encoding="utf-8")
    assert f"__ORIGIN__{path}<" not in sitemap, path
    assert f'href="{path}"' in _html_of(MISSING[path]["linked_from"]), path


def test_seed_pages_print_the_liusmed_clinic_publisher() -> None:
    """The entity-inconsistent case: one publisher, two types, both as visible JSON-LD text."""
    basement, dual = _html_of(BASEMENT), _html_of(DUAL)
    assert '<p>"@type": "Organization",</p>\n<p>"name": "Liusmed Clinic"</p>' in basement
    assert '"@type": "MedicalClinic",<br>\n"name": "Liusmed Clinic",<br>' in dual
    home_title = _html_of("/").split("<title>", 1)[1].split("</title>", 1)[0]
    assert f"<title>{home_title}</title>" in basement
