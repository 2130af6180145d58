"""Clean reference pages: every page rule at once must leave them alone.

One page checked against the whole catalogue replaces copies of it in each
rule's case folder, and catches a rule that starts firing on good markup.
The only finding allowed is the notice that FAQ rich results are retired.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from audit.engine import Engine
from audit.page import Page

CLEAN = Path(__file__).parent / "clean"
EXPECTED_NOTICES = {"google-feature-retired"}


@pytest.mark.parametrize("path", sorted(CLEAN.glob("*.html")), ids=lambda path: path.stem)
def test_no_rule_fires_on_a_clean_page(path: Path) -> None:
    page = Page("https://clinic.example/articles/rosacea/", path.read_text(encoding="utf-8"))
    findings = Engine().check_page(page)
    unexpected = [f"{f.rule}: {f.message}" for f in findings if f.rule not in EXPECTED_NOTICES]
    assert unexpected == []
    assert {finding.rule for finding in findings} == EXPECTED_NOTICES
