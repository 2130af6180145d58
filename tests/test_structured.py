"""The structured-data core: strict JSON-LD blocks, node normalisation, extraction."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from audit.errors import ConfigError
from audit.page import Page
from audit.structured import extract as extract_module
from audit.structured.jsonld import parse_block
from audit.structured.nodes import Node, Ref, nodes_from_jsonld
from audit.structured.vocabulary import active_vocabulary, configure_vocabulary

# --- strict parsing ----------------------------------------------------------------------


def test_valid_block() -> None:
    block = parse_block(1, '{"@context": "https://schema.org", "@type": "Thing"}', "script")
    assert block.data == {"@context": "https://schema.org", "@type": "Thing"}
    assert block.error is None and block.wrapper is None and not block.empty


def test_trailing_comma_is_an_error_with_line_and_column() -> None:
    raw = '{\n  "@type": "MedicalClinic",\n  "name": "港光皮膚科診所",\n}'
    block = parse_block(2, raw, "head > script")
    assert block.data is None
    assert block.error is not None
    assert (block.error.line, block.error.column) == (4, 1)
    assert "⟨here⟩" in block.error.snippet and "港光皮膚科診所" in block.error.snippet


@pytest.mark.parametrize(
    ("raw", "wrapper"),
    [
        ('<!-- {"@type": "Thing"} -->', "html-comment"),
        ('//<![CDATA[\n{"@type": "Thing"}\n//]]>', "cdata"),
        ('<![CDATA[{"@type": "Thing"}]]>', "cdata"),
    ],
)
def test_wrappers_are_unwrapped_and_named(raw: str, wrapper: str) -> None:
    block = parse_block(1, raw, "script")
    assert block.wrapper == wrapper
    assert block.data == {"@type": "Thing"}


def test_empty_block() -> None:
    block = parse_block(1, "  \n ", "script")
    assert block.empty and block.error is None


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    block = parse_block(1, "[" * 100_000 + "]" * 100_000, "script")
    assert block.error is not None


def test_an_integer_longer_than_pythons_digit_limit_parses_as_a_float() -> None:
    # json.loads raised ValueError ("Exceeds the limit (4300 digits) for integer string
    # conversion") out of parse_block, and out of the visible-text parser too.
    raw = '{"@context": "https://schema.org", "@type": "Offer", "price": ' + "9" * 5000 + "}"
    block = parse_block(1, raw, "script")
    assert block.error is None and block.data is not None
    assert block.data["price"] == float("inf")
    assert parse_block(1, '{"n": -' + "1" * 4301 + "}", "script").data == {"n": float("-inf")}
    assert parse_block(1, '{"n": 12}', "script").data == {"n": 12}
    page = Page("https://clinic.example/", f'<script type="application/ld+json">{raw}</script>')
    assert [node.types for node in page.structured.nodes] == [("Offer",)]
    visible = Page("https://clinic.example/", f"<p>{raw}</p>").visible_jsonld
    assert len(visible) == 1 and visible[0].value["@type"] == "Offer"


# --- normalisation -----------------------------------------------------------------------


def nodes(data: Any) -> list[Node]:
    return nodes_from_jsonld(data, block=1)


def test_graph_arrays_and_nested_nodes_are_flattened() -> None:
    data = {
        "@context": "https://schema.org",
        "@graph": [
            {"@type": "WebSite", "@id": "#site", "name": "Harbor Light"},
            {
                "@type": ["MedicalWebPage", "Article"],
                "headline": "酒糟肌",
                "publisher": {"@type": "MedicalClinic", "name": "Harbor Light"},
                "isPartOf": {"@id": "#site"},
            },
        ],
    }
    found = nodes(data)
    assert [node.label for node in found] == ["WebSite", "MedicalWebPage/Article", "MedicalClinic"]
    page, clinic = found[1], found[2]
    assert page.types == ("MedicalWebPage", "Article")
    assert clinic.parent is page and clinic.via == "publisher"
    assert clinic.path == "$.@graph[1].publisher"
    assert clinic.location == "json-ld #1 $.@graph[1].publisher"
    assert page.values("isPartOf") == [Ref("#site")]
    assert page.first_text("headline") == "酒糟肌"
    assert [(prop, child) for prop, child in page.children()] == [("publisher", clinic)]


def test_top_level_arrays() -> None:
    data = [
        {"@context": "https://schema.org", "@type": "Person", "name": "A"},
        {"@context": "https://schema.org", "@type": "Person", "name": "B"},
    ]
    assert [node.first_text("name") for node in nodes(data)] == ["A", "B"]


@pytest.mark.parametrize(
    "context",
    [
        "https://schema.org",
        "http://schema.org",
        "https://schema.org/",
        {"@vocab": "http://schema.org/"},
        ["https://schema.org", {"gs1": "https://ref.gs1.org/voc/"}],
    ],
)
def test_schema_contexts_reduce_terms_to_short_names(context: Any) -> None:
    (node,) = nodes({"@context": context, "@type": "Dentist", "name": "Smile"})
    assert node.types == ("Dentist",) and node.properties == {"name": ["Smile"]}
    assert node.has_schema_context


def test_prefixed_and_full_iri_terms() -> None:
    data = {
        "@context": {"schema": "https://schema.org/", "gs1": "https://ref.gs1.org/voc/"},
        "@type": "schema:Product",
        "schema:name": "Serum",
        "https://schema.org/sku": "A1",
        "gs1:netContent": "30 ml",
    }
    (node,) = nodes(data)
    assert node.types == ("Product",)
    assert node.properties == {"name": ["Serum"], "sku": ["A1"]}
    assert node.foreign == {"gs1:netContent": ["30 ml"]}


def test_other_vocabularies_are_foreign() -> None:
    (node,) = nodes({"@context": "http://xmlns.com/foaf/0.1/", "@type": "Person", "name": "A"})
    assert node.types == () and node.foreign_types == ("Person",)
    assert node.properties == {} and node.foreign == {"name": ["A"]}
    assert not node.has_schema_context


def test_value_objects_and_lists() -> None:
    data = {
        "@context": "https://schema.org",
        "@type": "Recipe",
        "name": {"@value": "Congee", "@language": "en"},
        "recipeIngredient": {"@list": ["rice", "water"]},
    }
    (node,) = nodes(data)
    assert node.values("name") == ["Congee"]
    assert node.values("recipeIngredient") == ["rice", "water"]


def test_untyped_nested_objects_are_nodes_without_types() -> None:
    data = {"@context": "https://schema.org", "@type": "Place", "geo": {"latitude": 25.03}}
    _place, geo = nodes(data)
    assert (
        geo.types == () and geo.label == "untyped node" and geo.properties == {"latitude": [25.03]}
    )


# --- extraction --------------------------------------------------------------------------


def page_with(body: str, head: str = "") -> Page:
    return Page("https://c.example/a/", f"<html><head>{head}</head><body>{body}</body></html>")


def test_page_structured_combines_blocks_and_microdata() -> None:
    script = (
        '<script type="application/ld+json">'
        '{"@context":"https://schema.org","@type":"WebPage"}</script>'
    )
    broken = '<script type="application/ld+json">{"@type": "Thing",}</script>'
    micro = (
        '<div itemscope itemtype="https://schema.org/Physician">'
        '<span itemprop="name">Dr Lin</span></div>'
    )
    data = page_with(micro, head=script + broken).structured
    assert [block.index for block in data.blocks] == [1, 2]
    assert data.blocks[1].error is not None
    assert [(node.syntax, node.label) for node in data.nodes] == [
        ("json-ld", "WebPage"),
        ("microdata", "Physician"),
    ]
    assert data.of_type("Physician")[0].first_text("name") == "Dr Lin"


def test_extruct_runs_only_for_syntaxes_present(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def spy(page: Page, syntax: str) -> list[object]:
        calls.append(syntax)
        return []

    monkeypatch.setattr(extract_module, "_extruct", spy)
    og = '<meta property="og:title" content="Hi">'
    page_with("<p>plain</p>", head=og).structured  # noqa: B018 - computing the view is the act
    assert calls == []
    page_with('<div vocab="https://schema.org/" typeof="Person"></div>').structured  # noqa: B018
    assert calls == ["rdfa"]


def test_an_extraction_crash_is_recorded_and_json_ld_survives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def crash(page: Page, syntax: str) -> list[object]:
        raise ValueError("bad RDFa")

    monkeypatch.setattr(extract_module, "_extruct", crash)
    script = (
        '<script type="application/ld+json">'
        '{"@context":"https://schema.org","@type":"WebPage"}</script>'
    )
    data = page_with('<div typeof="Person"></div>', head=script).structured
    assert [(problem.syntax, problem.message) for problem in data.problems] == [
        ("rdfa", "ValueError: bad RDFa")
    ]
    assert [node.label for node in data.nodes] == ["WebPage"]


# --- vocabulary configuration ------------------------------------------------------------


def test_configure_vocabulary_from_a_release_file(tmp_path: Path) -> None:
    release = {
        "@graph": [
            {"@id": "schema:Thing", "@type": "rdfs:Class"},
            {
                "@id": "schema:Clinic",
                "@type": "rdfs:Class",
                "rdfs:subClassOf": {"@id": "schema:Thing"},
            },
        ]
    }
    path = tmp_path / "schemaorg-99.0.jsonld"
    path.write_text(json.dumps(release), encoding="utf-8")
    try:
        configure_vocabulary(path)
        vocabulary = active_vocabulary()
        assert vocabulary.release == "schemaorg-99.0"
        assert vocabulary.is_a("Clinic", "Thing")
    finally:
        configure_vocabulary(None)
    assert active_vocabulary().release == "30.0"


@pytest.mark.parametrize("content", [None, "not json", '{"@graph": []}'])
def test_a_bad_release_file_is_a_config_error(tmp_path: Path, content: str | None) -> None:
    path = tmp_path / "release.jsonld"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        configure_vocabulary(path)
    assert str(info.value).startswith("structured.vocabulary:")
    assert active_vocabulary().release == "30.0"


def test_rdfa_vocab_without_a_trailing_slash_still_means_schema_org() -> None:
    data = [
        {"@type": ["https://schema.orgPaymentCard"], "https://schema.orgname": [{"@value": "V"}]}
    ]
    (node,) = nodes_from_jsonld(data, syntax="rdfa")
    assert node.types == ("PaymentCard",) and node.properties == {"name": ["V"]}


def test_schema_org_context_aliases_type_and_id() -> None:
    data = {"@context": "https://schema.org", "type": "Person", "id": "#me", "name": "A"}
    (node,) = nodes_from_jsonld(data)
    assert node.types == ("Person",) and node.id == "#me" and node.properties == {"name": ["A"]}


def test_explicit_type_keyword_wins_over_the_alias() -> None:
    data = {"@context": "https://schema.org", "@type": "Recommendation", "type": "Review"}
    (node,) = nodes_from_jsonld(data)
    assert node.types == ("Recommendation",)


def test_schema_prefix_is_known_under_the_plain_schema_context() -> None:
    data = {"@context": "https://schema.org/docs/jsonldcontext.jsonld", "@type": "schema:Person"}
    (node,) = nodes_from_jsonld(data)
    assert node.types == ("Person",)
