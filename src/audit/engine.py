"""The rule engine: turns the ``rules:`` config into a plan and runs page rules on pages.

``rules:`` in config.yaml, keyed by rule name or code::

    rules:
      title-length: {min_chars: 25, max_chars: 65}   # options
      placeholder-text: {severity: error, ignore: ['/drafts/']}
      toc-without-links: off                # or: false, disable
      S005: notice                          # a bare severity

Reserved keys per rule: ``enabled``, ``severity``, ``ignore`` (URL regular
expressions); every other key is an option of the rule. An unknown rule or
option, or a wrongly typed value, is a :class:`~audit.errors.ConfigError`.
A rule that raises on a page becomes a ``rule-crashed`` finding; the run goes on.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import TypeAdapter, ValidationError

from audit.config import format_validation_error
from audit.errors import ConfigError
from audit.models import Finding, Severity, StructuredRow
from audit.page import Page
from audit.rules import RULES, Rule, RuleScope, find_rule

if TYPE_CHECKING:
    from audit.site import Site

log = logging.getLogger(__name__)

RULE_CRASHED = "rule-crashed"
RULE_CRASHED_CODE = "E001"
_RESERVED = frozenset({"enabled", "severity", "ignore"})
_OFF = frozenset({"off", "false", "disable", "disabled", "no"})
_ON = frozenset({"on", "true", "enable", "enabled", "yes"})


@dataclass(frozen=True)
class RuleSetting:
    """One rule as configured: whether it runs, at what severity, with which options."""

    rule: Rule
    enabled: bool
    options: Any
    ignore: tuple[re.Pattern[str], ...] = ()
    severity_override: Severity | None = None

    @property
    def severity(self) -> Severity:
        """The configured severity, else the rule's default."""
        return self.severity_override or self.rule.meta.severity

    def applies_to(self, url: str) -> bool:
        """False when one of the rule's ``ignore`` patterns matches ``url``."""
        return not any(pattern.search(url) for pattern in self.ignore)


def plan_rules(raw: Mapping[str, Any] | None, source: str = "config") -> tuple[RuleSetting, ...]:
    """Resolve the ``rules:`` section against the registry.

    Raises:
        ConfigError: one line per unknown rule, unknown option or bad value.
    """
    raw = raw or {}
    problems: list[str] = []
    overrides: dict[str, tuple[str, Any]] = {}
    for key, value in raw.items():
        rule = find_rule(str(key))
        if rule is None:
            problems.append(f"{source}: rules.{key}: unknown rule (see `audit rules`)")
        else:
            overrides[rule.name] = (str(key), value)
    settings = []
    for rule in RULES:
        key, value = overrides.get(rule.name, (rule.name, None))
        try:
            settings.append(_setting(rule, value))
        except ConfigError as exc:
            problems.extend(f"{source}: rules.{key}{line}" for line in str(exc).splitlines())
    if problems:
        raise ConfigError("\n".join(problems))
    return tuple(settings)


def _setting(rule: Rule, value: Any) -> RuleSetting:
    """Raise ConfigError lines that start with ``.option: …`` or ``: …``."""
    enabled, severity, ignore, options = True, None, (), {}
    if isinstance(value, bool):
        enabled = value
    elif isinstance(value, str):
        word = value.strip().lower()
        if word in _OFF or word in _ON:
            enabled = word in _ON
        elif word in {level.value for level in Severity}:
            severity = Severity(word)
        else:
            raise ConfigError(
                f": expected off, on, error, warning, notice or a mapping, got {value!r}"
            )
    elif isinstance(value, Mapping):
        options = {str(name): item for name, item in value.items() if name not in _RESERVED}
        enabled = _typed(value.get("enabled", True), bool, ".enabled", "true or false")
        severity = _severity(value["severity"]) if "severity" in value else None
        ignore = _patterns(value.get("ignore", ()))
    elif value is not None:
        raise ConfigError(f": expected a mapping of options, got {value!r}")
    return RuleSetting(rule, enabled, _options(rule, options), ignore, severity)


def _typed(value: Any, kind: type, key: str, expected: str) -> Any:
    if not isinstance(value, kind):
        raise ConfigError(f"{key}: expected {expected}, got {value!r}")
    return value


def _severity(value: Any) -> Severity:
    try:
        return Severity(str(value).lower())
    except ValueError:
        raise ConfigError(f".severity: expected error, warning or notice, got {value!r}") from None


def _patterns(value: Any) -> tuple[re.Pattern[str], ...]:
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ConfigError(f".ignore: expected a list of URL regular expressions, got {value!r}")
    patterns = []
    for item in items:
        try:
            patterns.append(re.compile(str(item)))
        except re.error as exc:
            raise ConfigError(
                f".ignore: expected a regular expression, got {item!r} ({exc})"
            ) from None
    return tuple(patterns)


def _options(rule: Rule, options: dict[str, Any]) -> Any:
    known = [field.name for field in dataclasses.fields(rule.options_type)]
    for name in options:
        if name not in known:
            expected = ", ".join(known) if known else "no options"
            raise ConfigError(
                f".{name}: unknown option (expected enabled, severity, ignore or: {expected})"
            )
    try:
        return TypeAdapter(rule.options_type).validate_python(
            {**dataclasses.asdict(rule.default_options), **options}
        )
    except ValidationError as exc:
        lines = format_validation_error(exc, lambda key: "").splitlines()
        raise ConfigError("\n".join(f".{line}" for line in lines)) from None


class Engine:
    """Runs the enabled page rules over pages; one instance per run."""

    def __init__(self, settings: Iterable[RuleSetting] | None = None) -> None:
        self.settings = tuple(settings if settings is not None else plan_rules(None))
        enabled = [setting for setting in self.settings if setting.enabled]
        self._page_rules = tuple(s for s in enabled if s.rule.meta.scope is RuleScope.PAGE)
        self._site_rules = tuple(s for s in enabled if s.rule.meta.scope is RuleScope.SITE)

    def check_page(self, page: Page) -> list[Finding]:
        """Every finding of every enabled page rule on ``page``; a crash becomes a finding."""
        findings: list[Finding] = []
        for setting in self._page_rules:
            if setting.applies_to(page.url):
                findings.extend(_run(setting, page, page.url))
        return findings

    def check_site(self, site: Site) -> list[Finding]:
        """Every finding of every enabled site rule, minus those on a rule's ignored URLs."""
        findings: list[Finding] = []
        where = site.pages[0].url if site.pages else ""
        for setting in self._site_rules:
            found = _run(setting, site, where)
            findings.extend(finding for finding in found if setting.applies_to(finding.url))
        return findings


def _run(setting: RuleSetting, subject: Any, url: str) -> list[Finding]:
    """Run one rule; a configured severity wins over the rule's own grading."""
    rule, override = setting.rule, setting.severity_override
    findings: list[Finding] = []
    try:
        for finding in rule.check(subject, setting.options):
            if override is not None and finding.severity is not override:
                finding = dataclasses.replace(finding, severity=override)
            findings.append(finding)
    except Exception as exc:
        log.debug("rule %s crashed on %s", rule.name, url, exc_info=True)
        findings.append(_crash_finding(rule, url, exc))
    return findings


def structured_rows(page: Page, findings: Iterable[Finding]) -> list[StructuredRow]:
    """One row per structured-data node of ``page``, plus one per JSON-LD block without nodes."""
    per_location = Counter(finding.selector for finding in findings if finding.selector)
    data = page.structured
    rows = []
    blocks_with_nodes = {node.block for node in data.nodes if node.block is not None}
    for block in data.blocks:
        if block.index in blocks_with_nodes:
            continue
        location = f"json-ld #{block.index}"
        status = f"invalid JSON: {block.error.message}" if block.error else "empty"
        rows.append(
            StructuredRow(
                url=page.url,
                syntax="json-ld",
                type="",
                id="",
                location=location,
                properties=0,
                status=status,
                findings=per_location[location],
            )
        )
    for node in data.nodes:
        rows.append(
            StructuredRow(
                url=page.url,
                syntax=node.syntax,
                type=node.label,
                id=node.id or "",
                location=node.location,
                properties=len(node.properties) + len(node.foreign),
                status="ok",
                findings=per_location[node.location],
            )
        )
    return rows


def _crash_finding(rule: Rule, url: str, exc: Exception) -> Finding:
    return Finding(
        rule=RULE_CRASHED,
        code=RULE_CRASHED_CODE,
        severity=Severity.WARNING,
        category="engine",
        url=url,
        message=f"The rule {rule.name} failed on this page: {type(exc).__name__}: {exc}"[:300],
        evidence=rule.name,
        fix="Report this as a bug in site-audit; the other rules still ran on this page.",
    )
