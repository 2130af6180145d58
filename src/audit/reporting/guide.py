"""The plain-language guide the reports show next to findings, taken from the rule docs.

One source for the workbook and the HTML report: a rule's "Why is this bad?"
section without Markdown, and the health score's definition.
"""

from __future__ import annotations

import inspect
import re
from functools import lru_cache

from audit.reporting.run import health_score
from audit.rules import find_rule

RULE_CRASHED_WHY = (
    "One rule failed on this page, so the page was not fully checked for what that rule "
    "looks for; the other rules still ran. The message names the rule and the error."
)
_MD_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")
_MD_MARKS = re.compile(r"\*\*|__|`")
_LIST_ITEM = re.compile(r"[-*] |\d+\. ")


def markdown_paragraphs(markdown: str) -> list[str]:
    """Markdown prose as plain paragraphs: links become their text, marks go, lines rejoin.

    List items stay on lines of their own within their paragraph.
    """
    paragraphs = []
    for block in re.split(r"\n\s*\n", markdown.strip()):
        lines: list[str] = []
        for raw in block.splitlines():
            line = _MD_MARKS.sub("", _MD_LINK.sub(r"\1", raw)).strip()
            if lines and line and not _LIST_ITEM.match(line):
                lines[-1] = f"{lines[-1]} {line}"
            elif line:
                lines.append(line)
        if lines:
            paragraphs.append("\n".join(lines))
    return paragraphs


@lru_cache(maxsize=512)
def why_it_matters(rule_name: str) -> str:
    """The rule's "Why is this bad?" section as plain text ("" for an unknown rule)."""
    rule = find_rule(rule_name) if rule_name else None
    if rule is None:
        return RULE_CRASHED_WHY if rule_name == "rule-crashed" else ""
    return "\n\n".join(markdown_paragraphs(rule.section("Why is this bad?")))


def health_definition() -> str:
    """The health score's definition, from :func:`audit.reporting.run.health_score`'s docstring."""
    return " ".join((inspect.getdoc(health_score) or "").split())
