"""scripts/check_corpus.py: the `audit check` path over a corpus, crashes and timings."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from audit.page import Page

SCRIPT = Path(__file__).parents[1] / "scripts" / "check_corpus.py"
EXAMPLES = """TYPES: #eg-0001 Person

PRE-MARKUP:

<p>Jane Doe</p>

MICRODATA:

<div itemscope itemtype="https://schema.org/Person"><span itemprop="name">Jane</span></div>

RDFA:

TODO.

JSON:

<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Person"}</script>

TYPES: #eg-0002 Thing

PRE-MARKUP:

MICRODATA:

<div itemscope itemtype="https://schema.org/Thing"></div>
"""


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("check_corpus", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up by name
    spec.loader.exec_module(module)
    return module


def corpus(root: Path) -> Path:
    (root / "pages").mkdir(parents=True)
    (root / "pages" / "a.html").write_text("<title>A</title><h1>A</h1>", encoding="utf-8")
    (root / "pages" / "a.jsonld").write_text('{"@type": "Thing"}', encoding="utf-8")
    (root / "pages" / "robots.txt").write_text("User-agent: *\n", encoding="utf-8")
    (root / "pages" / "examples.txt").write_text(EXAMPLES, encoding="utf-8")
    (root / "pages" / "seed.txt").write_text("Loading...\nPlain text of a page.", encoding="utf-8")
    return root / "pages"


def test_schema_org_examples_split_into_non_empty_sections(script: ModuleType) -> None:
    sections = [(eg, section) for eg, section, _ in script.schemaorg_sections(EXAMPLES)]
    assert sections == [
        ("eg-0001", "PRE-MARKUP"),
        ("eg-0001", "MICRODATA"),
        ("eg-0001", "JSON"),
        ("eg-0002", "MICRODATA"),
    ]


def test_a_clean_corpus_exits_0_with_a_line_per_page(
    script: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert script.main([str(corpus(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "pages/a.html" in out and "pages/a.jsonld" in out and "pages/seed.txt" in out
    assert "pages/examples.txt#eg-0001/microdata" in out and "robots.txt" not in out
    assert "files: 7 checked, 1 skipped" in out and "crashes: 0" in out
    assert "p50" in out and "p95" in out and "max" in out


def test_a_crashing_rule_is_reported_and_exits_1(
    script: ModuleType,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(page: Page) -> None:
        raise ZeroDivisionError("planted")

    monkeypatch.setattr(Page, "headings", property(broken))
    assert script.main([str(corpus(tmp_path)), "--quiet"]) == 1
    out = capsys.readouterr().out
    assert "CRASH" in out and "h1-missing" in out
    assert "ZeroDivisionError: planted" in out
    assert "test_check_corpus_script.py" in out and "h1_missing.py" in out
