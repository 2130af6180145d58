"""The numbers the reports show about a run's findings, counted in one pass over the table.

The Summary sheet, the HTML report's cards, charts and top issues and the
health score need counts, not rows. Counting slice by slice means a run with
hundreds of thousands of findings is never loaded whole just to be counted.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from audit.reporting.tables import Table, column_names, frames, plain_value

SEVERITIES = ("error", "warning", "notice")
_RANK = {level: rank for rank, level in enumerate(SEVERITIES)}
_COUNTED = ("url", "rule", "code", "severity", "category", "message", "fix")


@dataclass
class RuleStats:
    """One rule's findings: how many, on which URLs, its first row's fields, its usual fix.

    ``code``, ``severity`` and ``category`` are the first finding's values as
    stored (the workbook writes them as found); the rest are plain values.
    """

    name: Any
    code: Any
    severity: Any
    category: Any
    message: Any
    count: int = 0
    levels: set[Any] = field(default_factory=set)
    urls: dict[Any, None] = field(default_factory=dict)  # distinct, in order of appearance
    fixes: Counter[Any] = field(default_factory=Counter)  # non-empty fix texts


@dataclass
class FindingStats:
    """Counts over every finding of a run, in the order values first appear."""

    rows: int = 0
    columns: frozenset[str] = frozenset()
    severities: Counter[Any] = field(default_factory=Counter)
    categories: Counter[Any] = field(default_factory=Counter)
    """By category; findings without one are counted under None."""
    rules: dict[Any, RuleStats] = field(default_factory=dict)
    """By rule, in order of first appearance (findings without a rule are left out)."""
    worst: dict[Any, int] = field(default_factory=dict)
    """Each URL's most severe finding as an index into SEVERITIES (3 and up: other values)."""

    def top_rules(self, limit: int) -> list[RuleStats]:
        """The rules with the most findings; ties in order of first appearance.

        The same order as pandas' ``value_counts`` of the rule column.
        """
        return sorted(self.rules.values(), key=lambda rule: -rule.count)[:limit]


def finding_stats(findings: Table) -> FindingStats:
    """Count ``findings`` (a frame or a Parquet table) slice by slice."""
    stats = FindingStats(columns=frozenset(column_names(findings)))
    for batch in frames(findings, columns=_COUNTED):
        rows = len(batch)
        if not rows:
            continue
        stats.rows += rows
        values = {
            name: batch[name].tolist() if name in batch else [None] * rows for name in _COUNTED
        }
        _count(stats, values)
    return stats


def _count(stats: FindingStats, values: dict[str, list[Any]]) -> None:
    columns = (values[name] for name in _COUNTED)
    for url, rule, code, severity, category, message, fix in zip(*columns, strict=True):
        level = plain_value(severity, None)
        if level is not None:
            stats.severities[severity] += 1
        stats.categories[plain_value(category, None)] += 1
        where = plain_value(url, "")
        rank = _RANK.get(level, len(_RANK)) if level is not None else len(_RANK) + 1
        stats.worst[where] = min(rank, stats.worst.get(where, rank))
        if plain_value(rule, None) is None:
            continue
        found = stats.rules.get(rule)
        if found is None:
            found = stats.rules[rule] = RuleStats(
                rule, code, severity, category, plain_value(message, "")
            )
        found.count += 1
        found.levels.add(plain_value(severity, ""))
        found.urls[where] = None
        if text := plain_value(fix, ""):
            found.fixes[text] += 1


def health_of(worst: Mapping[Any, int], pages: Table) -> int:
    """The health score (see ``run.health_score``) from each URL's worst finding and the pages."""
    requested = 0
    flagged: set[Any] = set()
    for batch in frames(pages, columns=("url", "status")):
        asked = batch[batch["status"].notna()] if "status" in batch else batch
        requested += len(asked)
        if len(asked) and worst:
            flagged.update(url for url in asked["url"].tolist() if url in worst)
    if requested == 0:
        return 100
    errors = sum(1 for url in flagged if worst[url] == _RANK["error"])
    warnings = sum(1 for url in flagged if worst[url] == _RANK["warning"])
    return round(100 * max(0.0, 1 - (errors + 0.5 * warnings) / requested))
