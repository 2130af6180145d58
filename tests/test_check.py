"""`audit check`: files, stdin, URLs on loopback; table or JSON; exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from audit.cli import app
from audit.demo import DEMO_SITE, serve_site

NO_TITLE = "<!doctype html><html lang='en'><head></head><body><h1>Hi</h1></body></html>"
CLEAN = (
    "<!doctype html><html lang='en'><head><title>Rosacea care | Harbor Light Clinic</title>"
    "</head><body><h1>Rosacea care</h1></body></html>"
)


def write(tmp_path: Path, name: str, html: str) -> Path:
    path = tmp_path / name
    path.write_text(html, encoding="utf-8")
    return path


def run(*args: str, cwd: Path) -> object:
    return CliRunner().invoke(app, ["check", *args], catch_exceptions=False)


def test_table_output_and_exit_code_1_on_an_error(tmp_path: Path) -> None:
    page = write(tmp_path, "page.html", NO_TITLE)
    result = CliRunner().invoke(app, ["check", str(page)])
    assert result.exit_code == 1
    assert "title-missing" in result.stdout
    assert "S001" in result.stdout
    assert page.resolve().as_uri() in result.stdout


def test_json_lists_findings_with_every_field(tmp_path: Path) -> None:
    bad = write(tmp_path, "bad.html", NO_TITLE)
    good = write(tmp_path, "good.html", CLEAN)
    result = CliRunner().invoke(app, ["check", "--json", str(bad), str(good)])
    findings = json.loads(result.stdout)
    titles = [finding for finding in findings if finding["rule"] == "title-missing"]
    assert len(titles) == 1
    assert titles[0]["url"] == bad.resolve().as_uri()
    assert set(titles[0]) == {
        "url",
        "rule",
        "code",
        "severity",
        "category",
        "message",
        "evidence",
        "selector",
        "fix",
    }
    assert result.exit_code == 1


def test_exit_0_without_error_findings(tmp_path: Path) -> None:
    page = write(tmp_path, "page.html", CLEAN)
    result = CliRunner().invoke(
        app, ["check", "--json", str(page), "--config", str(tmp_path / "c.yaml")]
    )
    assert result.exit_code == 2  # a missing config file is a usage error
    (tmp_path / "c.yaml").write_text("rules: {}\n", encoding="utf-8")
    result = CliRunner().invoke(
        app, ["check", "--json", str(page), "--config", str(tmp_path / "c.yaml")]
    )
    errors = [f for f in json.loads(result.stdout) if f["severity"] == "error"]
    assert errors == []
    assert result.exit_code == 0


def test_rules_config_applies_to_check(tmp_path: Path) -> None:
    page = write(tmp_path, "page.html", NO_TITLE)
    config = write(tmp_path, "audit.yaml", "rules:\n  title-missing: notice\n")
    result = CliRunner().invoke(app, ["check", "--json", str(page), "--config", str(config)])
    (finding,) = [f for f in json.loads(result.stdout) if f["rule"] == "title-missing"]
    assert finding["severity"] == "notice"


def test_an_unreadable_target_is_a_one_line_error_and_the_rest_is_checked(tmp_path: Path) -> None:
    page = write(tmp_path, "page.html", NO_TITLE)
    result = CliRunner().invoke(app, ["check", "--json", str(tmp_path / "missing.html"), str(page)])
    assert result.exit_code == 2
    assert (
        result.stderr.strip()
        == f"audit: cannot read {tmp_path / 'missing.html'}: No such file or directory"
    )
    assert any(f["rule"] == "title-missing" for f in json.loads(result.stdout))


def test_stdin_and_json_only_on_stdout() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "audit", "check", "-", "--json"],
        input=NO_TITLE.encode(),
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 1
    findings = json.loads(completed.stdout)  # nothing but JSON on stdout
    assert {f["url"] for f in findings} == {"stdin:"}
    assert "title-missing" in {f["rule"] for f in findings}


def test_urls_are_fetched_and_checked() -> None:
    with serve_site(DEMO_SITE) as (origin, requested):
        ok = CliRunner().invoke(app, ["check", "--json", f"{origin}/faq/"])
        missing = CliRunner().invoke(app, ["check", "--json", f"{origin}/treatments/laser-toning/"])
    assert ok.exit_code in (0, 1)
    assert all(f["url"] == f"{origin}/faq/" for f in json.loads(ok.stdout))
    assert "/faq/" in requested
    assert missing.exit_code == 2
    assert missing.stderr.strip() == f"audit: {origin}/treatments/laser-toning/: answered HTTP 404"


def test_rules_lists_every_rule() -> None:
    from audit.rules import RULES

    result = CliRunner().invoke(app, ["rules"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for rule in RULES:
        assert rule.name in result.stdout and rule.meta.code in result.stdout


def test_rules_explain_prints_the_page_and_rejects_unknown_names() -> None:
    result = CliRunner().invoke(app, ["rules", "explain", "L001"], env={"COLUMNS": "120"})
    assert result.exit_code == 0
    assert "placeholder-text (L001)" in result.stdout
    assert "Why is this bad?" in result.stdout
    unknown = CliRunner().invoke(app, ["rules", "explain", "no-such-rule"])
    assert unknown.exit_code == 2
    assert unknown.stderr.strip() == "audit: unknown rule 'no-such-rule' (see `audit rules`)"


def test_a_local_file_has_no_site_so_its_canonical_is_not_off_site(tmp_path: Path) -> None:
    html = CLEAN.replace(
        "</head>", '<link rel="canonical" href="https://www.clinic.example/rosacea/"></head>'
    )
    page = write(tmp_path, "saved.html", html)
    result = CliRunner().invoke(app, ["check", "--json", str(page)])
    assert "canonical-invalid" not in {f["rule"] for f in json.loads(result.stdout)}


def test_vocabulary_command_uses_the_cache_without_network(tmp_path: Path) -> None:
    from audit.structured.download import cache_path

    url = "https://schema.org/version/99.0/schemaorg-current-https.jsonld"
    release = {
        "@graph": [
            {"@id": "schema:Thing", "@type": "rdfs:Class"},
            {"@id": "schema:name", "@type": "rdf:Property"},
        ]
    }
    cached = cache_path(url, tmp_path)
    cached.parent.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(release), encoding="utf-8")
    result = CliRunner().invoke(app, ["vocabulary", "--url", url, "--cache-dir", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert result.stdout == f"structured:\n  vocabulary: {cached}\n"
    assert "1 types and 1 properties" in result.stderr
