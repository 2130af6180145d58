"""One runner for every rule's case folder: tests/rules/cases/<rule-name>/.

- ``fail_*.html`` with ``fail_*.expected.yaml``: the rule's findings on the page,
  in order. Each expected item lists fields that must match: ``message`` and
  ``evidence`` as substrings, anything else (``selector``, ``severity``, …) exactly.
  The file is either that list or ``{options: {...}, findings: [...]}``.
- ``pass_*.html``: the rule reports nothing (look-alike traps live here).
  ``pass_*.options.yaml`` may set options for a pass case.
- ``*.headers.yaml`` beside any case: response headers for the page (lower-case names),
  for rules that read ``X-Robots-Tag``, ``Link`` or ``Content-Type``.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
import yaml

from audit.page import Page
from audit.rules import RULES, Rule, RuleScope, find_rule

CASES = Path(__file__).parent / "cases"
URL = "https://clinic.example/articles/rosacea/"
SUBSTRING_FIELDS = frozenset({"message", "evidence"})


def case_params() -> list[Any]:
    return [
        pytest.param(folder.name, page, id=f"{folder.name}/{page.stem}")
        for folder in sorted(CASES.iterdir())
        if folder.is_dir()
        for page in sorted(folder.glob("*.html"))
    ]


def run_rule(rule: Rule, page_path: Path, options: dict[str, Any]) -> list[Any]:
    html = page_path.read_text(encoding="utf-8")
    headers = load_yaml(page_path.with_suffix(".headers.yaml")) or {}
    opts = dataclasses.replace(rule.default_options, **options)
    return list(rule.check(Page(URL, html, headers), opts))


def load_yaml(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None


@pytest.mark.parametrize(("rule_name", "page_path"), case_params())
def test_case(rule_name: str, page_path: Path) -> None:
    rule = find_rule(rule_name)
    assert rule is not None, f"{rule_name} is not a registered rule"
    if page_path.name.startswith("pass_"):
        options = load_yaml(page_path.with_suffix(".options.yaml")) or {}
        findings = run_rule(rule, page_path, options)
        assert findings == [], [finding.message for finding in findings]
        return
    assert page_path.name.startswith("fail_"), "case files are named fail_* or pass_*"
    spec = load_yaml(page_path.with_suffix(".expected.yaml"))
    assert spec is not None, f"{page_path.name} needs a .expected.yaml beside it"
    options, expected = (
        ({}, spec) if isinstance(spec, list) else (spec["options"], spec["findings"])
    )
    findings = run_rule(rule, page_path, options)
    assert len(findings) == len(expected), [finding.message for finding in findings]
    for finding, fields in zip(findings, expected, strict=True):
        assert finding.rule == rule.name and finding.url == URL
        assert finding.message and finding.fix
        for field, value in fields.items():
            actual = str(getattr(finding, field))
            if field in SUBSTRING_FIELDS:
                assert str(value) in actual, f"{field}: {value!r} not in {actual!r}"
            else:
                assert actual == str(value), f"{field}: {actual!r} != {value!r}"


PAGE_RULES = [rule for rule in RULES if rule.meta.scope is RuleScope.PAGE]


@pytest.mark.parametrize("rule", PAGE_RULES, ids=lambda rule: rule.name)
def test_every_page_rule_has_failing_and_passing_cases(rule: Rule) -> None:
    folder = CASES / rule.name
    assert list(folder.glob("fail_*.html")), f"{folder} has no fail_*.html"
    assert list(folder.glob("pass_*.html")), f"{folder} has no pass_*.html"


def test_every_case_folder_names_a_rule() -> None:
    names = {rule.name for rule in RULES}
    assert {folder.name for folder in CASES.iterdir() if folder.is_dir()} <= names
