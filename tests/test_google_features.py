"""The Google features data file and the rules that read it (google-required-missing & co.)."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from audit.models import Severity
from audit.page import Page
from audit.rules.google import (
    google_feature_retired,
    google_recommended_missing,
    google_required_missing,
)
from audit.rules.google._features import (
    Feature,
    FeatureDataError,
    Path,
    Step,
    features_from_data,
    load_features,
    parse_path,
)
from audit.rules.google._match import PageGraph, candidates
from audit.rules.google._visible import Visibility, normalise
from audit.structured.vocabulary import Vocabulary

URL = "https://clinic.example/"
FEATURES = load_features()
BY_NAME = {feature.feature: feature for feature in FEATURES}


def page_with(*blocks: str, body: str = "") -> Page:
    scripts = "".join(f'<script type="application/ld+json">{block}</script>' for block in blocks)
    return Page(URL, f"<html><head><title>t</title></head><body>{body}{scripts}</body></html>")


def run(module: Any, page: Page, **options: Any) -> list[Any]:
    return list(module.check(page, module.Options(**options)))


def paths_of(feature: Feature) -> list[Path]:
    when = [feature.when] if feature.when else []
    return [*feature.required, *feature.standalone, *feature.recommended, *when]


# --- the data file ----------------------------------------------------------------------


def test_every_entry_has_a_source_and_a_check_date() -> None:
    assert len(FEATURES) >= 15
    for feature in FEATURES:
        assert feature.source.startswith("https://developers.google.com/search/"), feature
        assert feature.checked >= datetime.date(2026, 11, 21), feature.feature
        assert feature.status in {"live", "retired"}


def test_retired_entries_have_a_date_and_live_ones_do_not() -> None:
    for feature in FEATURES:
        if feature.live:
            assert feature.retired_on is None, feature.feature
        else:
            assert isinstance(feature.retired_on, datetime.date), feature.feature
            assert not feature.required and not feature.recommended


def test_feature_names_are_unique() -> None:
    assert len(BY_NAME) == len(FEATURES)


def test_every_type_exists_in_the_bundled_vocabulary() -> None:
    vocabulary = Vocabulary.bundled()
    for feature in FEATURES:
        named = {*feature.types, *feature.except_types}
        for path in paths_of(feature):
            named |= path.types()
        unknown = {name for name in named if name not in vocabulary.classes}
        assert not unknown, f"{feature.feature}: {unknown}"


def test_every_property_exists_in_the_bundled_vocabulary() -> None:
    vocabulary = Vocabulary.bundled()
    for feature in FEATURES:
        named = set(feature.nested_via)
        for path in paths_of(feature):
            named |= path.properties()
        unknown = {name for name in named if name not in vocabulary.properties}
        assert not unknown, f"{feature.feature}: {unknown}"


def test_the_features_the_issue_names_are_there() -> None:
    vocabulary = Vocabulary.bundled()
    live = {kind for feature in FEATURES if feature.live for kind in feature.types}
    for kind in ("Article", "NewsArticle", "BlogPosting", "Organization", "LocalBusiness",
                 "BreadcrumbList", "ProfilePage", "Review", "AggregateRating", "Event",
                 "Product", "WebSite"):  # fmt: skip
        assert kind in live, kind
    for subtype in ("MedicalClinic", "Physician", "Dentist"):
        assert vocabulary.is_a(subtype, "LocalBusiness")
    assert BY_NAME["FAQ"].retired_on == datetime.date(2026, 5, 7)
    assert BY_NAME["FAQ"].types == ("FAQPage",)
    assert not BY_NAME["How-to"].live
    assert BY_NAME["Sitelinks search box"].when == parse_path("potentialAction@SearchAction")


def test_required_properties_match_googles_pages() -> None:
    required = {name: [path.text for path in feature.required] for name, feature in BY_NAME.items()}
    assert required["Article"] == []
    assert required["Organization"] == []
    assert required["Local business"] == ["name", "address"]
    assert "itemListElement.position" in required["Breadcrumb"]
    assert required["Profile page"] == ["mainEntity", "mainEntity.name"]
    assert "offers|review|aggregateRating" in required["Product snippet"]
    assert required["Review snippet (AggregateRating)"] == [
        "ratingValue",
        "ratingCount|reviewCount",
    ]
    assert [path.text for path in BY_NAME["Review snippet (AggregateRating)"].standalone] == [
        "itemReviewed",
        "itemReviewed.name",
    ]
    assert {"name", "startDate", "location"} <= set(required["Event"])
    assert "name" in required["Site name"]


# --- the path syntax and validation -------------------------------------------------------


def test_parse_path() -> None:
    assert parse_path("address").alternatives == ((Step("address"),),)
    assert parse_path("author.name").alternatives == ((Step("author"), Step("name")),)
    assert parse_path("a|b|c").choices() == ["a", "b", "c"]
    typed = parse_path("location@Place.address").alternatives[0]
    assert typed == (Step("location", "Place"), Step("address"))
    assert parse_path("itemListElement[:-1].item").alternatives[0][0] == Step(
        "itemListElement", all_but_last=True
    )
    group = parse_path("itemListElement.(name|item.name)")
    assert group.choices() == ["itemListElement.(name|item.name)"]
    assert group.properties() == {"itemListElement", "name", "item"}


@pytest.mark.parametrize("bad", ["", "a..b", "a|", "(a|b).c", "a.(b", "a b", "a@", "a[-1]"])
def test_parse_path_rejects_malformed_paths(bad: str) -> None:
    with pytest.raises(ValueError):
        parse_path(bad)


def entry(**changes: Any) -> dict[str, Any]:
    base = {
        "feature": "Thing card",
        "types": ["Thing"],
        "required": ["name"],
        "recommended": [],
        "status": "live",
        "source": "https://developers.google.com/search/docs/x",
        "checked": datetime.date(2026, 11, 21),
    }
    base.update(changes)
    return {key: value for key, value in base.items() if value is not None}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"source": None}, "missing ['source']"),
        ({"checked": None}, "missing ['checked']"),
        ({"checked": "last week"}, "checked must be a date"),
        ({"status": "beta"}, "status must be live or retired"),
        ({"status": "retired"}, "retired_on (a date) goes with status retired only"),
        ({"retired_on": datetime.date(2025, 1, 1)}, "goes with status retired only"),
        ({"source": "https://example.com/"}, "Google Search Central URL"),
        ({"required": ["a..b"]}, "malformed path"),
        ({"types": []}, "types must not be empty"),
        ({"colour": "red"}, "unknown fields ['colour']"),
    ],
)
def test_malformed_entries_are_named(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(FeatureDataError) as caught:
        features_from_data([entry(**changes)])
    assert "entry 1 (Thing card)" in str(caught.value)
    assert message in str(caught.value)


def test_a_valid_entry_loads() -> None:
    (feature,) = features_from_data([entry()])
    assert feature.live and feature.required[0].text == "name"


# --- which nodes are judged ---------------------------------------------------------------


def judged(page: Page, *, live: bool = True) -> list[tuple[str, str, bool]]:
    graph = PageGraph(page.structured)
    return [(c.node.path, c.feature.feature, c.standalone) for c in candidates(graph, live=live)]


def test_nested_parts_are_not_candidates_but_subjects_are() -> None:
    page = page_with(
        '{"@context": "https://schema.org", "@type": "WebPage", "name": "p",'
        ' "publisher": {"@type": "MedicalClinic", "name": "c"},'
        ' "mainEntity": {"@type": "Product", "name": "x",'
        '   "aggregateRating": {"@type": "AggregateRating", "ratingValue": 4}},'
        ' "breadcrumb": {"@type": "BreadcrumbList", "itemListElement": []}}'
    )
    assert judged(page) == [
        ("$.mainEntity", "Product snippet", True),
        ("$.mainEntity.aggregateRating", "Review snippet (AggregateRating)", False),
        ("$.breadcrumb", "Breadcrumb", True),
    ]


def test_subtypes_count_and_except_types_hand_over() -> None:
    page = page_with(
        '[{"@context": "https://schema.org", "@type": "IndividualPhysician", "name": "a"},'
        ' {"@context": "https://schema.org", "@type": "NGO", "name": "b"},'
        ' {"@context": "https://schema.org", "@type": "Recipe", "name": "c"},'
        ' {"@context": "https://schema.org", "@type": "ClaimReview", "name": "d"}]'
    )
    assert [feature for _, feature, _ in judged(page)] == ["Local business", "Organization"]
    assert [feature for _, feature, _ in judged(page, live=False)] == ["Fact check (ClaimReview)"]


def test_nodes_sharing_an_id_are_one_entity() -> None:
    page = page_with(
        '{"@context": "https://schema.org", "@type": "Dentist", "@id": "#d", "name": "Smile"}',
        '{"@context": "https://schema.org", "@type": "Dentist", "@id": "#d",'
        ' "address": {"@type": "PostalAddress", "streetAddress": "1 Road"}}',
        body="<h1>Smile</h1>",
    )
    assert judged(page) == [("$", "Local business", True)]
    assert run(google_required_missing, page) == []


# --- google-required-missing --------------------------------------------------------------

SEED = """{"@context": "https://schema.org", "@type": "MedicalWebPage",
 "headline": "Treating Refractory Rosacea",
 "author": {"@type": "Person", "name": "Dr. Liu Ta-Ju",
            "affiliation": {"@type": "MedicalClinic", "name": "Liusmed Clinic"}},
 "publisher": {"@type": "MedicalClinic", "name": "Liusmed Clinic", "url": "https://liusmed.com"},
 "mainEntityOfPage": {"@type": "WebPage", "@id": "https://liusmed.com/articles/x"},
 "medicalAudience": {"@type": "PatientAudience", "audienceType": "Patient"}}"""


def test_the_seed_publisher_clinic_is_not_asked_for_an_address() -> None:
    page = page_with(SEED, body="<h1>Treating Refractory Rosacea</h1><p>Liusmed Clinic</p>")
    for module in (google_required_missing, google_recommended_missing, google_feature_retired):
        assert run(module, page) == [], module.__name__
    article = SEED.replace('"MedicalWebPage"', '"Article"')
    assert run(google_required_missing, page_with(article, body="<p>Liusmed Clinic</p>")) == []


def test_one_finding_per_missing_property_with_the_source_in_the_fix() -> None:
    page = page_with(
        '{"@context": "https://schema.org", "@type": "Event", "name": "Skin check day"}',
        body="<h1>Skin check day</h1>",
    )
    findings = run(google_required_missing, page)
    assert [f.message.split('"')[1] for f in findings] == ["startDate", "location"]
    for finding in findings:
        assert finding.severity is Severity.ERROR and finding.code == "D201"
        assert finding.selector == "json-ld #1 $"
        assert "Event" in finding.message and '"Event" rich result' in finding.message
        assert finding.fix.endswith(BY_NAME["Event"].source)


def test_profile_page_names_the_nested_node() -> None:
    page = page_with(
        '{"@context": "https://schema.org", "@type": "ProfilePage",'
        ' "mainEntity": {"@type": "Person", "jobTitle": "Dermatologist"}}',
        body="<h1>Our dermatologist</h1>",
    )
    (finding,) = run(google_required_missing, page)
    assert 'lacks "mainEntity.name"' in finding.message
    assert finding.selector == "json-ld #1 $.mainEntity"
    assert 'the Person at json-ld #1 $.mainEntity has no "name"' in finding.message


def test_standalone_ratings_need_the_item_reviewed() -> None:
    page = page_with(
        '{"@context": "https://schema.org", "@type": "AggregateRating",'
        ' "ratingValue": 4.8, "ratingCount": 120, "itemReviewed": {"@type": "Thing"}}',
        body="<p>4.8 from 120 ratings</p>",
    )
    (finding,) = run(google_required_missing, page)
    assert 'lacks "itemReviewed.name"' in finding.message


def test_invisible_items_are_warnings_unless_configured() -> None:
    page = page_with(
        '{"@context": "https://schema.org", "@type": "Physician", "name": "Dr. Somebody Else"}',
        body="<h1>Our team</h1>",
    )
    assert [f.severity for f in run(google_required_missing, page)] == [Severity.WARNING]
    strict = run(google_required_missing, page, grade_by_visibility=False)
    assert [f.severity for f in strict] == [Severity.ERROR]


def test_visibility_is_width_case_space_and_punctuation_insensitive() -> None:
    assert normalise("ＬＩＵ 皮膚科診所") == normalise("liu皮膚科診所") == "liu皮膚科診所"
    assert normalise("Dr. Liu Ta-Ju") == normalise("dr liu ta ju")
    page = Page(URL, "<html><body><footer>仁愛 皮膚科 診所｜台北</footer></body></html>")
    node = page_with('{"@context": "https://schema.org", "@type": "Dentist",'
                     ' "name": "仁愛皮膚科診所 | 台北市信義區"}').structured.nodes[0]  # fmt: skip
    visibility = Visibility(page)
    assert visibility.shows(PageGraph(page.structured), node)  # "仁愛皮膚科診所" part matches


# --- google-recommended-missing and google-feature-retired ---------------------------------


def test_recommended_is_one_warning_per_node_and_never_required() -> None:
    page = page_with('{"@context": "https://schema.org", "@type": "BlogPosting"}')
    assert run(google_required_missing, page) == []
    (finding,) = run(google_recommended_missing, page)
    assert finding.severity is Severity.WARNING and finding.code == "D202"
    assert finding.message.endswith("author, datePublished, dateModified, headline, image.")


def test_retired_markup_is_a_notice_with_the_date() -> None:
    page = page_with(
        '{"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": []}',
        '{"@context": "https://schema.org", "@type": "Book", "name": "b",'
        ' "potentialAction": {"@type": "BorrowAction"}}',
    )
    findings = run(google_feature_retired, page)
    assert [f.severity for f in findings] == [Severity.NOTICE, Severity.NOTICE]
    assert "no longer shows since 2026-05-07" in findings[0].message
    assert "harmless" in findings[0].message and "other consumers" in findings[0].message
    assert "Book actions" in findings[1].message
    assert run(google_required_missing, page) == []
