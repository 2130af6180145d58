"""Run every structured-data rule over a folder of HTML pages and print the counts.

Usage::

    python scripts/validate_structured.py FOLDER [--json] [--base-url URL] [--select D1 ...]

Every ``*.html`` file under FOLDER (recursively) is read as a page whose URL is
``--base-url`` plus its path in the folder (relative URLs in the markup resolve
against it). Every rule of the category ``structured-data`` runs on it, as the
engine runs them (a crash becomes a ``rule-crashed`` finding); ``--select`` keeps
the rules named, or whose code starts with the given prefix (``--select D1`` runs
the schema.org vocabulary rules only). The report gives
the number of pages, the findings per rule and severity, and the first error
findings; ``--json`` prints the same as one JSON object. The exit status is 1
when there is any error-severity finding, else 0.

Made for schema.org's own examples (``../shared/corpora/schemaorg-examples/``),
which must give zero errors.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from audit.engine import Engine, plan_rules
from audit.models import Finding, Severity
from audit.page import Page

CATEGORY = "structured-data"
SHOWN_ERRORS = 20


@dataclass
class Report:
    """What one run over a folder found."""

    folder: str
    pages: int = 0
    seconds: float = 0.0
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    """rule name → severity → number of findings."""
    errors: list[dict[str, str]] = field(default_factory=list)
    """The first error findings (url, rule, message, evidence, selector)."""
    error_total: int = 0

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        return asdict(self)


def structured_engine(select: Sequence[str] = ()) -> Engine:
    """An engine running the structured-data rules (all, or those ``select`` names)."""
    wanted = [item.strip() for item in select if item.strip()]

    def chosen(name: str, code: str) -> bool:
        return not wanted or any(
            item == name or code.upper().startswith(item.upper()) for item in wanted
        )

    return Engine(
        setting
        for setting in plan_rules(None)
        if setting.rule.meta.category == CATEGORY
        and chosen(setting.rule.name, setting.rule.meta.code)
    )


def validate_folder(
    folder: Path,
    *,
    base_url: str = "https://example.org/",
    shown: int = SHOWN_ERRORS,
    select: Sequence[str] = (),
) -> Report:
    """Run the structured-data rules over every ``*.html`` file under ``folder``."""
    engine = structured_engine(select)
    report = Report(folder=str(folder))
    counts: Counter[tuple[str, str]] = Counter()
    started = time.perf_counter()
    for path in sorted(folder.rglob("*.html")):
        url = base_url.rstrip("/") + "/" + path.relative_to(folder).as_posix()
        html = path.read_text(encoding="utf-8", errors="replace")
        findings = engine.check_page(Page(url, html))
        report.pages += 1
        for finding in findings:
            counts[finding.rule, str(finding.severity)] += 1
            if finding.severity is Severity.ERROR:
                report.error_total += 1
                if len(report.errors) < shown:
                    report.errors.append(_brief(finding))
    report.seconds = round(time.perf_counter() - started, 2)
    for (rule, severity), number in sorted(counts.items()):
        report.counts.setdefault(rule, {})[severity] = number
    return report


def _brief(finding: Finding) -> dict[str, str]:
    return {
        "url": finding.url,
        "rule": finding.rule,
        "message": finding.message,
        "evidence": finding.evidence,
        "selector": finding.selector,
    }


def format_report(report: Report) -> str:
    """The report as plain text."""
    lines = [f"{report.pages} pages in {report.folder} ({report.seconds} s)", ""]
    severities = [str(severity) for severity in Severity]
    width = max([len(rule) for rule in report.counts] + [4])
    lines.append(f"{'rule':<{width}}  " + "  ".join(f"{name:>7}" for name in severities))
    for rule, per_severity in report.counts.items():
        cells = "  ".join(f"{per_severity.get(name, 0):>7}" for name in severities)
        lines.append(f"{rule:<{width}}  {cells}")
    if not report.counts:
        lines.append("(no findings)")
    lines.append("")
    lines.append(f"{report.error_total} error findings")
    for error in report.errors:
        lines.append(f"- {error['url']} [{error['rule']}] {error['message']}")
        lines.append(f"    at {error['selector']}: {error['evidence']}")
    if report.error_total > len(report.errors):
        lines.append(f"  … and {report.error_total - len(report.errors)} more")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="folder with *.html pages (searched recursively)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument("--base-url", default="https://example.org/", help="URL of the folder")
    parser.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="RULE",
        help="run only this rule (name, code or code prefix such as D1); repeatable",
    )
    args = parser.parse_args(argv)
    if not args.folder.is_dir():
        parser.error(f"{args.folder} is not a folder")
    if args.select and not structured_engine(args.select).settings:
        parser.error(f"--select {' '.join(args.select)} matches no structured-data rule")
    report = validate_folder(args.folder, base_url=args.base_url, select=args.select)
    if args.json:
        print(json.dumps(report.as_dict(), indent=2, ensure_ascii=False))
    else:
        print(format_report(report))
    return 1 if report.error_total else 0


if __name__ == "__main__":
    sys.exit(main())
