"""The committed docs/rules pages match what the rule modules generate."""

from __future__ import annotations

from pathlib import Path

from audit.rules import RULES
from audit.rules.docs import render_rule, rendered_pages, write_docs

DOCS = Path(__file__).parents[2] / "docs" / "rules"


def test_committed_rule_docs_are_up_to_date() -> None:
    pages = rendered_pages()
    on_disk = {path.name: path.read_text(encoding="utf-8") for path in DOCS.glob("*.md")}
    stale = sorted(name for name in pages if on_disk.get(name) != pages[name])
    extra = sorted(set(on_disk) - set(pages))
    assert not stale and not extra, (
        f"docs/rules is stale (run `audit rules docs`): changed {stale}, removed {extra}"
    )


def test_rule_page_carries_metadata_and_doc() -> None:
    rule = RULES[0]
    page = render_rule(rule)
    assert page.startswith(f"# {rule.name} ({rule.meta.code})")
    assert "## Why is this bad?" in page
    assert rule.meta.severity.value in page


def test_write_docs_removes_pages_of_deleted_rules(tmp_path: Path) -> None:
    (tmp_path / "old-rule.md").write_text("gone", encoding="utf-8")
    written = write_docs(tmp_path)
    assert not (tmp_path / "old-rule.md").exists()
    assert {path.name for path in written} == set(rendered_pages())
