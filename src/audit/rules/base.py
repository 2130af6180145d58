"""What every rule module provides, and the :class:`Rule` the registry builds from it.

A rule module holds, by convention (see ``../shared/DESIGN.md``):

- a Markdown docstring: a one-sentence summary, then ``## What it does``,
  ``## Why is this bad?``, ``## Example`` (HTML that triggers it), ``Use instead:``
  (HTML that does not), ``## Options`` and ``## References``;
- ``META``: a :class:`RuleMeta` (code, kebab-case name, category, scope, default severity);
- ``Options``: a frozen dataclass (its fields are the rule's settings in config.yaml);
- ``check(page, opts)``: a pure generator of :class:`~audit.models.Finding`.
"""

from __future__ import annotations

import dataclasses
import enum
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from audit.dom import clip
from audit.models import Finding, Severity
from audit.page import Page

REQUIRED_SECTIONS = (
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "Use instead:",
    "## Options",
    "## References",
)
_HTML_BLOCK = re.compile(r"```html\n(.*?)```", re.DOTALL)


class RuleScope(enum.StrEnum):
    """Whether a rule reads one page or the whole crawl."""

    PAGE = "page"
    SITE = "site"


@dataclass(frozen=True, slots=True)
class RuleMeta:
    """A rule's identity: ``code`` and ``name`` are public and never reused."""

    code: str
    name: str
    category: str
    severity: Severity
    scope: RuleScope = RuleScope.PAGE

    def finding(
        self,
        page: Page,
        message: str,
        *,
        evidence: str = "",
        selector: str = "",
        fix: str = "",
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of this rule on ``page`` (evidence is clipped to one short line).

        ``severity`` grades one finding differently from the rule's default (for
        rules whose items differ in weight); a severity set in config.yaml wins.
        """
        return self.at(
            page.url,
            message,
            evidence=evidence,
            selector=selector,
            fix=fix,
            severity=severity,
        )

    def at(
        self,
        url: str,
        message: str,
        *,
        evidence: str = "",
        selector: str = "",
        fix: str = "",
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of this rule on ``url``: what site rules use, having no Page."""
        return Finding(
            rule=self.name,
            code=self.code,
            severity=severity or self.severity,
            category=self.category,
            url=url,
            message=message,
            evidence=clip(evidence),
            selector=selector,
            fix=fix,
        )


@dataclass(frozen=True)
class NoOptions:
    """For rules without settings."""


CheckFunction = Callable[[Page, Any], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    """A registered rule: its metadata, options type, check function and documentation."""

    meta: RuleMeta
    options_type: type[Any]
    check: CheckFunction
    doc: str
    module: str

    @classmethod
    def from_module(cls, module: ModuleType) -> Rule:
        """Build the rule a module describes (see the module docstring for the shape)."""
        return cls(
            meta=module.META,
            options_type=getattr(module, "Options", NoOptions),
            check=module.check,
            doc=(module.__doc__ or "").strip(),
            module=module.__name__,
        )

    @property
    def name(self) -> str:
        """The public kebab-case name."""
        return self.meta.name

    @property
    def summary(self) -> str:
        """The first line of the documentation."""
        return self.doc.splitlines()[0] if self.doc else ""

    @property
    def default_options(self) -> Any:
        """An ``Options`` instance with every default."""
        return self.options_type()

    def section(self, heading: str) -> str:
        """The text of one ``## Heading`` section of the documentation (empty if absent)."""
        pattern = rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)"
        match = re.search(pattern, self.doc, re.MULTILINE | re.DOTALL)
        return match.group(1).strip() if match else ""

    @property
    def examples(self) -> tuple[str, str]:
        """The HTML of the ``## Example`` block and of its ``Use instead:`` block."""
        example = self.section("Example")
        failing, _, passing = example.partition("Use instead:")
        return _first_html(failing), _first_html(passing)

    def option_fields(self) -> tuple[dataclasses.Field[Any], ...]:
        """The dataclass fields of ``Options``."""
        return dataclasses.fields(self.options_type)


def _first_html(text: str) -> str:
    match = _HTML_BLOCK.search(text)
    return match.group(1) if match else ""
