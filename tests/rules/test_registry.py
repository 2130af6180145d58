"""The registry stays complete and every rule documents itself truthfully."""

from __future__ import annotations

import dataclasses
import importlib
import pkgutil
import re

import pytest

import audit.rules
from audit.models import Severity
from audit.page import Page
from audit.rules import RULES, Rule, find_rule
from audit.rules.base import REQUIRED_SECTIONS, RuleScope

CATEGORY_PACKAGES = [
    module.name
    for module in pkgutil.iter_modules(audit.rules.__path__, "audit.rules.")
    if module.ispkg
]


def rule_modules_on_disk() -> set[str]:
    names = set()
    for package_name in CATEGORY_PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.iter_modules(package.__path__, package_name + "."):
            if not module.name.rsplit(".", 1)[-1].startswith("_"):  # private helpers
                names.add(module.name)
    return names


def test_every_rule_module_is_registered() -> None:
    assert rule_modules_on_disk() == {rule.module for rule in RULES}


def test_codes_and_names_are_unique_and_well_formed() -> None:
    codes = [rule.meta.code for rule in RULES]
    names = [rule.name for rule in RULES]
    assert len(set(codes)) == len(codes)
    assert len(set(names)) == len(names)
    for rule in RULES:
        assert re.fullmatch(r"[A-Z]\d{3}", rule.meta.code), rule.meta.code
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", rule.name), rule.name
        assert rule.module.rsplit(".", 1)[-1] == rule.name.replace("-", "_")
        assert isinstance(rule.meta.severity, Severity)
        assert isinstance(rule.meta.scope, RuleScope)


def test_lookup_by_name_or_code() -> None:
    for rule in RULES:
        assert find_rule(rule.name) is rule
        assert find_rule(rule.meta.code) is rule
        assert find_rule(rule.meta.code.lower()) is rule
    assert find_rule("no-such-rule") is None


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_docstring_has_every_section(rule: Rule) -> None:
    assert rule.summary.endswith("."), "the first line is one sentence"
    for section in REQUIRED_SECTIONS:
        assert section in rule.doc, f"{rule.name} lacks {section!r}"


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_options_are_a_frozen_dataclass_with_defaults(rule: Rule) -> None:
    assert dataclasses.is_dataclass(rule.options_type)
    options = rule.default_options
    for field in dataclasses.fields(options):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(options, field.name, getattr(options, field.name))
        assert field.name in rule.section("Options"), f"option {field.name} is not documented"


PAGE_RULES = [rule for rule in RULES if rule.meta.scope is RuleScope.PAGE]


@pytest.mark.parametrize("rule", PAGE_RULES, ids=lambda rule: rule.name)
def test_documented_examples_are_true(rule: Rule) -> None:
    failing, passing = rule.examples
    assert failing and passing, "## Example needs an html block and a 'Use instead:' block"
    url = "https://clinic.example/page/"
    found = list(rule.check(Page(url, failing), rule.default_options))
    assert found and all(finding.rule == rule.name for finding in found)
    assert list(rule.check(Page(url, passing), rule.default_options)) == []
