"""The rule engine: the rules: section of config.yaml, severities, ignores, crashes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from audit.config import load_config
from audit.engine import Engine, plan_rules
from audit.errors import ConfigError
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules import RULES, find_rule

NO_TITLE = "<html><head></head><body><p>x</p></body></html>"


def findings_for(
    settings: object, html: str = NO_TITLE, url: str = "https://c.example/a/"
) -> list[Finding]:
    engine = Engine(plan_rules(settings))  # type: ignore[arg-type]
    return [f for f in engine.check_page(Page(url, html)) if f.rule == "title-missing"]


def test_every_rule_is_planned_with_its_defaults() -> None:
    plan = plan_rules(None)
    assert [setting.rule for setting in plan] == list(RULES)
    assert all(setting.enabled for setting in plan)
    assert all(setting.severity is setting.rule.meta.severity for setting in plan)


def test_findings_carry_the_rule_metadata() -> None:
    (finding,) = findings_for(None)
    assert (finding.rule, finding.code, finding.category) == ("title-missing", "S001", "seo")
    assert finding.severity is Severity.ERROR
    assert finding.url == "https://c.example/a/"


@pytest.mark.parametrize("value", [False, "off", "disable", {"enabled": False}])
def test_a_rule_can_be_disabled_by_name_or_code(value: object) -> None:
    assert findings_for({"title-missing": value}) == []
    assert findings_for({"S001": value}) == []


@pytest.mark.parametrize("value", ["notice", {"severity": "notice"}, {"severity": "NOTICE"}])
def test_severity_can_be_changed(value: object) -> None:
    (finding,) = findings_for({"title-missing": value})
    assert finding.severity is Severity.NOTICE


def test_ignore_patterns_skip_matching_urls() -> None:
    settings = {"title-missing": {"ignore": ["/drafts/"]}}
    assert findings_for(settings, url="https://c.example/drafts/x") == []
    assert len(findings_for(settings, url="https://c.example/articles/x")) == 1


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"no-such-rule": "off"}, "config: rules.no-such-rule: unknown rule (see `audit rules`)"),
        (
            {"title-missing": {"colour": 1}},
            "config: rules.title-missing.colour: unknown option "
            "(expected enabled, severity, ignore or: no options)",
        ),
        (
            {"title-missing": {"severity": "fatal"}},
            "config: rules.title-missing.severity: expected error, warning or notice, got 'fatal'",
        ),
        (
            {"S001": "sometimes"},
            "config: rules.S001: expected off, on, error, warning, notice or a mapping, "
            "got 'sometimes'",
        ),
        (
            {"title-missing": {"ignore": ["("]}},
            "config: rules.title-missing.ignore: expected a regular expression, got '(' "
            "(missing ), unterminated subpattern at position 0)",
        ),
        (
            {"title-missing": {"enabled": "maybe"}},
            "config: rules.title-missing.enabled: expected true or false, got 'maybe'",
        ),
    ],
)
def test_bad_rule_settings_are_one_line_errors(settings: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as info:
        plan_rules(settings)
    assert str(info.value) == message


def test_options_are_set_and_validated() -> None:
    long_title = "<html><head><title>" + "Rosacea care " * 6 + "</title></head></html>"
    engine = Engine(plan_rules({"title-length": {"max_chars": 100}}))
    assert not [
        f
        for f in engine.check_page(Page("https://c.example/", long_title))
        if f.rule == "title-length"
    ]
    engine = Engine(plan_rules(None))
    assert [
        f
        for f in engine.check_page(Page("https://c.example/", long_title))
        if f.rule == "title-length"
    ]
    with pytest.raises(ConfigError) as info:
        plan_rules({"title-length": {"max_chars": "long"}})
    assert str(info.value) == (
        "config: rules.title-length.max_chars: expected an integer, got 'long'"
    )


def test_load_config_validates_the_rules_section(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("rules:\n  titel-missing: off\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(info.value) == f"{path}: rules.titel-missing: unknown rule (see `audit rules`)"


def test_a_crashing_rule_becomes_a_finding_and_the_others_still_run() -> None:
    rule = find_rule("title-missing")
    assert rule is not None

    def explode(page: Page, opts: object) -> Iterator[Finding]:
        yield from ()
        raise RuntimeError("boom")

    plan = plan_rules(None)
    crashing = [
        setting
        if setting.rule is not rule
        else type(setting)(
            rule=type(rule)(rule.meta, rule.options_type, explode, rule.doc, rule.module),
            enabled=True,
            options=setting.options,
        )
        for setting in plan
    ]
    findings = Engine(crashing).check_page(Page("https://c.example/", NO_TITLE))
    crashed = [finding for finding in findings if finding.rule == "rule-crashed"]
    assert len(crashed) == 1
    assert crashed[0].message == "The rule title-missing failed on this page: RuntimeError: boom"
    assert crashed[0].evidence == "title-missing"
    assert any(finding.rule == "h1-missing" for finding in findings)
