"""scripts/validate_structured.py: the structured-data rules over a folder of pages."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).parents[1] / "scripts" / "validate_structured.py"

CLEAN = """<!DOCTYPE html><html lang="zh-Hant"><head><title>港光診所</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalClinic", "name": "港光診所",
 "url": "/", "medicalSpecialty": "Dermatology",
 "address": {"@type": "PostalAddress", "streetAddress": "信義路五段7號",
             "addressLocality": "台北市", "addressCountry": "TW"}}
</script></head><body><h1>港光診所</h1></body></html>
"""
BROKEN = """<!DOCTYPE html><html><head><title>Rosacea</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalWebPage", "name": "Rosacea",
 "medicalAudience": {"@type": "PatientAudience", "audienceType": "Patient"},
 "datePublished": "28/02/2026"}
</script></head><body><h1>Rosacea</h1></body></html>
"""


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("validate_structured", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "clean.html").write_text(CLEAN, encoding="utf-8")
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "rosacea.html").write_text(BROKEN, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a page", encoding="utf-8")
    return tmp_path


def test_validate_folder_counts_per_rule_and_severity(script: ModuleType, folder: Path) -> None:
    report = script.validate_folder(folder, base_url="https://clinic.example/")
    assert report.pages == 2
    assert report.counts["schema-unknown-type"] == {"error": 1}
    assert report.counts["schema-invalid-date"] == {"warning": 1}
    assert report.error_total == sum(counts.get("error", 0) for counts in report.counts.values())
    assert {error["url"] for error in report.errors} == {
        "https://clinic.example/articles/rosacea.html"
    }
    unknown = next(error for error in report.errors if error["rule"] == "schema-unknown-type")
    assert "PatientAudience" in unknown["message"]
    assert unknown["selector"] == "json-ld #1 $.medicalAudience"


def test_only_structured_data_rules_run(script: ModuleType) -> None:
    engine = script.structured_engine()
    categories = {setting.rule.meta.category for setting in engine.settings}
    assert categories == {"structured-data"}
    assert "schema-unknown-type" in {setting.rule.name for setting in engine.settings}


def test_select_keeps_rules_by_name_or_code_prefix(script: ModuleType, folder: Path) -> None:
    names = {setting.rule.name for setting in script.structured_engine(["D1"]).settings}
    assert "schema-unknown-type" in names and "schema-invalid-url" in names
    assert all(name.startswith("schema-") for name in names)
    only = script.structured_engine(["schema-invalid-date"]).settings
    assert [setting.rule.name for setting in only] == ["schema-invalid-date"]
    report = script.validate_folder(folder, select=["schema-invalid-date"])
    assert report.counts == {"schema-invalid-date": {"warning": 1}} and report.error_total == 0


def test_main_rejects_a_selection_without_rules(
    script: ModuleType, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        script.main([str(folder), "--select", "no-such-rule"])
    assert stopped.value.code == 2
    assert "matches no structured-data rule" in capsys.readouterr().err


def test_main_prints_text_and_fails_on_errors(
    script: ModuleType, folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert script.main([str(folder)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("2 pages in")
    assert "schema-unknown-type" in out and "error findings" in out
    assert "PatientAudience" in out


def test_main_json(script: ModuleType, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "articles" / "rosacea.html").unlink()
    assert script.main([str(folder), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["pages"] == 1 and report["error_total"] == 0 and report["errors"] == []
    assert all("error" not in counts for counts in report["counts"].values())


def test_main_rejects_a_missing_folder(script: ModuleType, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as stopped:
        script.main([str(tmp_path / "missing")])
    assert stopped.value.code == 2
