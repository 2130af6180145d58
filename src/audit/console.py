"""Terminal rendering for people: findings grouped by severity, the rule list."""

from __future__ import annotations

from collections.abc import Iterable

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from audit.models import Finding, Severity
from audit.rules import Rule
from audit.spotcheck import CheckedTarget

SEVERITY_STYLE = {Severity.ERROR: "bold red", Severity.WARNING: "yellow", Severity.NOTICE: "cyan"}
SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTICE: 2}


def print_check_results(results: Iterable[CheckedTarget], console: Console) -> None:
    """One table per target, findings grouped by severity (errors first)."""
    for result in results:
        console.print(f"\n[bold]{escape(result.url)}[/]")
        if result.error:
            console.print(f"  [red]could not check:[/] {escape(result.error)}")
            continue
        if not result.findings:
            console.print("  [green]no findings[/]")
            continue
        table = Table(show_lines=True, expand=True)
        table.add_column("severity", no_wrap=True)
        table.add_column("rule", no_wrap=True)
        table.add_column("what is wrong", ratio=3)
        table.add_column("evidence / where", ratio=2)
        table.add_column("how to fix", ratio=2, style="dim")
        for finding in sorted(result.findings, key=_severity_key):
            style = SEVERITY_STYLE[finding.severity]
            where = escape(finding.evidence)
            if finding.selector:
                where += f"\n[dim]{escape(finding.selector)}[/]"
            table.add_row(
                f"[{style}]{finding.severity.value}[/]",
                f"{finding.rule}\n[dim]{finding.code}[/]",
                escape(finding.message),
                where,
                escape(finding.fix),
            )
        console.print(table)
    counts = dict.fromkeys(Severity, 0)
    for result in results:
        for finding in result.findings:
            counts[finding.severity] += 1
    console.print(
        ", ".join(f"[{SEVERITY_STYLE[s]}]{counts[s]} {s.value}s[/]" for s in Severity),
    )


def print_rules(rules: Iterable[Rule], console: Console) -> None:
    """The rule catalogue: code, name, severity, category, summary."""
    table = Table(title="Rules", title_justify="left")
    for column in ("code", "name", "severity", "category", "summary"):
        table.add_column(column, no_wrap=column != "summary")
    for rule in sorted(rules, key=lambda rule: rule.meta.code):
        meta = rule.meta
        style = SEVERITY_STYLE[meta.severity]
        table.add_row(
            meta.code,
            rule.name,
            f"[{style}]{meta.severity.value}[/]",
            meta.category,
            escape(rule.summary),
        )
    console.print(table)


def _severity_key(finding: Finding) -> tuple[int, str, str]:
    return SEVERITY_ORDER[finding.severity], finding.rule, finding.selector
