"""The rule registry: one explicit tuple of rule modules per category package.

A test fails when a rule module exists but is not listed here, when codes or
names repeat, or when a docstring lacks a required section.
"""

from __future__ import annotations

from audit.rules import (
    content,
    duplicates,
    google,
    leftovers,
    links,
    parity,
    schema,
    seo,
    syntax,
)
from audit.rules.base import Rule, RuleMeta, RuleScope

RULES: tuple[Rule, ...] = tuple(
    Rule.from_module(module)
    for module in (
        *leftovers.MODULES,
        *seo.MODULES,
        *content.MODULES,
        *syntax.MODULES,
        *schema.MODULES,
        *google.MODULES,
        *parity.MODULES,
        *links.MODULES,
        *duplicates.MODULES,
    )
)
_BY_KEY = {key: rule for rule in RULES for key in (rule.name, rule.meta.code)}


def find_rule(name_or_code: str) -> Rule | None:
    """The rule with this name (``title-missing``) or code (``S001``), case-insensitive code."""
    return _BY_KEY.get(name_or_code) or _BY_KEY.get(name_or_code.upper())


__all__ = ["RULES", "Rule", "RuleMeta", "RuleScope", "find_rule"]
