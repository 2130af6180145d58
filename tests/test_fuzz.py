"""Property tests (hypothesis): URL normalisation, the page model and every rule.

Arbitrary text, tag soup and bytes must never make the auditor raise: URLs
normalise to an http(s) URL or ``None``, every cached view of a :class:`Page`
can be read, and no PAGE or SITE rule ends in a ``rule-crashed`` finding.

Profiles (``HYPOTHESIS_PROFILE``):

- ``ci`` (the default): derandomized, so every run tries the same examples, and
  sized to keep this module well under a minute on two cores;
- ``dev``: 2,000 random examples per test, for a longer hunt before a release.
"""

from __future__ import annotations

import codecs
import json
import os
import string
from collections.abc import Iterable
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from audit.crawl.decoding import decode_html
from audit.crawl.urls import normalize_url
from audit.engine import RULE_CRASHED, Engine
from audit.models import ROBOTS_BLOCKED, FetchResult, Finding, Hop, PageSummary
from audit.page import Page
from audit.rules import RULES, find_rule
from audit.site import EntityMention, LinkRow, LinkStore, PageFacts, Site, summarize

settings.register_profile(
    "ci",
    max_examples=int(os.environ.get("FUZZ_MAX_EXAMPLES", "150")),
    deadline=None,
    derandomize=True,
    database=None,
    print_blob=True,
)
settings.register_profile("dev", max_examples=2000, deadline=None, print_blob=True)
PROFILE = settings.get_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
# Generated pages are large by design (tag soup plus JSON-LD): that is the input we want.
PAGES = settings(PROFILE, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

ENGINE = Engine()

# --- URLs -------------------------------------------------------------------------------

GOOD_SCHEMES = ("http", "https", "HTTP", "HtTpS")
ODD_SCHEMES = ("ftp", "file", "mailto", "javascript", "data", "", "http ", "ht%74p")
GOOD_HOSTS = (
    "example.com",
    "Example.COM",
    "example.com.",
    "münchen.de",
    "例え.jp",
    "xn--mnchen-3ya.de",
    "127.0.0.1",
    "[::1]",
    "[2001:db8::1]",
    "a_b.example",
    "ａｂｃ.com",
)
ODD_HOSTS = (
    "[v1.x]",
    "[::1",
    "ex%41mple.com",
    "exa mple.com",
    "",
    "..",
    "xn--",
    "a" * 64 + ".com",
    "host\\x",
    "[::ffff:1.2.3.4]",
)
PATH_CHARS = string.ascii_letters + string.digits + "-._~!$&'()*+,;=:@/%?#[] \t\\é港\x00\u3000"
PARAM_NAMES = ("utm_source", "utm_medium", "gclid", "fbclid", "id", "q", "sort", "UTM_x", "")


def mostly(good: tuple[str, ...], odd: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Three draws in four from ``good``: odd parts are worth trying, not in every URL."""
    return st.one_of(st.sampled_from(good), st.sampled_from(good), st.sampled_from(good), odd)


@st.composite
def url_like(draw: st.DrawFn) -> str:
    """URL-shaped text: a scheme, userinfo, host, port, path, query and fragment, some odd."""
    scheme = draw(mostly(GOOD_SCHEMES, st.sampled_from(ODD_SCHEMES)))
    separator = draw(mostly(("://",), st.sampled_from((":", ":/", ":///", "//", ":\\\\"))))
    userinfo = draw(mostly(("",), st.sampled_from(("user@", "user:Pw@", "u:p:q@", "@", "ü:é@"))))
    host = draw(mostly(GOOD_HOSTS, st.sampled_from(ODD_HOSTS) | st.text(max_size=12)))
    port = draw(
        mostly(("", ":80", ":443", ":8080"), st.sampled_from((":", ":0", ":65535", ":99999", ":x")))
    )
    segments = draw(
        st.lists(
            st.sampled_from((".", "..", "%2e", "%2E%2e", "a", "b c", "%7e", "%zz", "%", "港"))
            | st.text(PATH_CHARS, max_size=6),
            max_size=5,
        )
    )
    pairs = draw(
        st.lists(
            st.tuples(st.sampled_from(PARAM_NAMES), st.text(PATH_CHARS, max_size=4)), max_size=4
        )
    )
    query = "&".join(f"{name}={value}" for name, value in pairs)
    fragment = draw(st.sampled_from(("", "#", "#top", "#a?b=c")))
    path = "/" + "/".join(segments) if segments else draw(st.sampled_from(("", "/")))
    return (
        f"{scheme}{separator}{userinfo}{host}{port}{path}{'?' + query if pairs else ''}{fragment}"
    )


URLS = url_like() | st.text(max_size=40)
STRIP = ("utm_*", "gclid", "fbclid")


def test_url_strategy_reaches_valid_urls() -> None:
    """Guards the strategy itself: the idempotence checks below must see real URLs."""
    found = []

    @given(url_like())
    @settings(PROFILE, max_examples=200, derandomize=True, database=None)
    def collect(url: str) -> None:
        if normalize_url(url):
            found.append(url)

    collect()
    assert len(found) > 60, found


@given(URLS, st.one_of(st.none(), URLS))
@example("http://example.com/a?utm_source=x&id=1#frag", None)
@example("a/../../%2e%2e/b", "https://example.com/x/y")
@example("http://[::1", None)
@PROFILE
def test_normalize_url_never_raises_and_returns_an_http_url(url: str, base: str | None) -> None:
    result = normalize_url(url, base, strip_params=STRIP)
    assert result is None or isinstance(result, str)
    if result is None:
        return
    parts = urlsplit(result)
    assert parts.scheme in ("http", "https")
    assert parts.hostname
    assert not parts.fragment and "#" not in result
    assert parts.path.startswith("/")
    # Host, path and query are ASCII with no raw spaces: what goes on the wire and into tables.
    assert parts.hostname.isascii() and parts.path.isascii() and parts.query.isascii()
    assert not any(char.isspace() for char in parts.path + parts.query)
    assert "/./" not in parts.path and "/../" not in parts.path


@given(URLS, st.one_of(st.none(), URLS))
@example("http://example.com/%2541", None)
@example("http://EXAMPLE.com:80/a/./b/../c?%7e=%2f", None)
@PROFILE
def test_normalize_url_is_idempotent(url: str, base: str | None) -> None:
    once = normalize_url(url, base)
    if once is not None:
        assert normalize_url(once) == once
        assert normalize_url(once, base) == once
    stripped = normalize_url(url, base, strip_params=STRIP)
    if stripped is not None:
        assert normalize_url(stripped, strip_params=STRIP) == stripped


@given(
    url_like(),
    st.lists(
        st.tuples(st.sampled_from(PARAM_NAMES), st.text(string.ascii_letters + "%=", max_size=4)),
        max_size=5,
    ),
)
@PROFILE
def test_strip_params_removes_exactly_the_matching_names(
    url: str, extra: list[tuple[str, str]]
) -> None:
    base = normalize_url(url.split("?")[0].split("#")[0])
    if base is None:
        return
    query = "&".join(f"{name}={value}" for name, value in extra)
    result = normalize_url(f"{base}?{query}", strip_params=STRIP)
    assert result is not None
    kept = [pair.split("=", 1)[0] for pair in urlsplit(result).query.split("&") if pair]
    assert not any(name.startswith("utm_") or name in ("gclid", "fbclid") for name in kept)
    # The other parameters stay, in order ("=x" too; names here need no escaping).
    expected = [
        name for name, _ in extra if not name.startswith("utm_") and name not in ("gclid", "fbclid")
    ]
    assert kept == expected
    # Stripping commutes with normalisation: strip then normalise == normalise with strip.
    plain = normalize_url(f"{base}?{query}")
    assert plain is not None
    assert normalize_url(plain, strip_params=STRIP) == result


@given(url_like(), st.sampled_from(("", "#", "#x", "#a/../b")))
@PROFILE
def test_case_of_scheme_and_host_default_port_and_fragment_do_not_matter(
    url: str, fragment: str
) -> None:
    normal = normalize_url(url)
    if normal is None:
        return
    parts = urlsplit(normal)
    # userinfo stays as written; rebuild without it to compare hosts only.
    netloc = parts.netloc.rsplit("@", 1)[-1]
    userinfo = parts.netloc[: -len(netloc)]
    shouted = f"{parts.scheme.upper()}://{userinfo}{netloc.upper()}{parts.path}"
    query = f"?{parts.query}" if parts.query else ""
    assert normalize_url(shouted + query + fragment) == normal
    if parts.port is None:
        default = {"http": 80, "https": 443}[parts.scheme]
        explicit = f"{parts.scheme}://{userinfo}{netloc}:{default}{parts.path}{query}"
        assert normalize_url(explicit) == normal


@given(st.text(string.ascii_letters + string.digits + "-._~", min_size=1, max_size=8))
@PROFILE
def test_escaped_unreserved_characters_equal_the_characters(segment: str) -> None:
    escaped = "".join(f"%{ord(char):02x}" for char in segment)
    assert normalize_url(f"http://example.com/{escaped}") == normalize_url(
        f"http://example.com/{segment}"
    )


# --- pages ------------------------------------------------------------------------------

TAGS = (
    "html",
    "head",
    "body",
    "title",
    "meta",
    "link",
    "base",
    "a",
    "area",
    "img",
    "h1",
    "h2",
    "h3",
    "h6",
    "p",
    "div",
    "span",
    "br",
    "section",
    "article",
    "main",
    "nav",
    "header",
    "footer",
    "aside",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "td",
    "details",
    "summary",
    "button",
    "pre",
    "code",
    "noscript",
    "template",
    "iframe",
    "svg",
    "math",
    "style",
    "textarea",
    "select",
    "option",
    "form",
    "figure",
    "time",
    "x-widget",
    "source",
    "video",
    "audio",
    "track",
    "embed",
    "object",
    "input",
    "frame",
    "frameset",
    "picture",
)
ATTRIBUTES = (
    "href",
    "src",
    "alt",
    "rel",
    "name",
    "content",
    "property",
    "charset",
    "http-equiv",
    "id",
    "class",
    "style",
    "hidden",
    "lang",
    "hreflang",
    "type",
    "itemscope",
    "itemtype",
    "itemprop",
    "itemid",
    "vocab",
    "typeof",
    "resource",
    "about",
    "prefix",
    "datetime",
    "aria-label",
    "aria-labelledby",
    "aria-hidden",
    "role",
    "srcset",
    "poster",
    "data",
    "action",
    "formaction",
    "title",
)
SCHEMA_TYPES = (
    "Organization",
    "MedicalClinic",
    "MedicalBusiness",
    "Dentist",
    "Physician",
    "Person",
    "FAQPage",
    "Question",
    "Answer",
    "Article",
    "NewsArticle",
    "BlogPosting",
    "MedicalWebPage",
    "MedicalCondition",
    "MedicalProcedure",
    "WebPage",
    "WebSite",
    "BreadcrumbList",
    "ListItem",
    "Product",
    "Offer",
    "AggregateRating",
    "Review",
    "Event",
    "LocalBusiness",
    "PostalAddress",
    "OpeningHoursSpecification",
    "ImageObject",
    "VideoObject",
    "HowTo",
    "HowToStep",
    "Recipe",
    "SearchAction",
    "JobPosting",
    "Course",
    "SpecialAnnouncement",
    "ClaimReview",
    "DataFeed",
    "Thing",
    "schema:Thing",
    "http://schema.org/Person",
    "https://schema.org/Organization",
    "gs1:Product",
    "Foo",
    "",
)
SCHEMA_KEYS = (
    "@context",
    "@type",
    "@id",
    "@graph",
    "@value",
    "@language",
    "@list",
    "@set",
    "@reverse",
    "@vocab",
    "name",
    "legalName",
    "url",
    "logo",
    "image",
    "sameAs",
    "publisher",
    "author",
    "datePublished",
    "dateModified",
    "startDate",
    "endDate",
    "mainEntity",
    "mainEntityOfPage",
    "acceptedAnswer",
    "suggestedAnswer",
    "text",
    "headline",
    "description",
    "address",
    "telephone",
    "openingHours",
    "openingHoursSpecification",
    "dayOfWeek",
    "opens",
    "offers",
    "price",
    "priceCurrency",
    "availability",
    "aggregateRating",
    "ratingValue",
    "reviewCount",
    "review",
    "itemListElement",
    "position",
    "item",
    "medicalSpecialty",
    "about",
    "lastReviewed",
    "reviewedBy",
    "contentUrl",
    "thumbnailUrl",
    "uploadDate",
    "duration",
    "step",
    "location",
    "eventStatus",
    "potentialAction",
    "target",
    "query-input",
    "supersededBy",
    "schema:name",
    "http://schema.org/name",
    "unknownProperty",
    "",
)
CONTEXTS = (
    "https://schema.org",
    "http://schema.org/",
    "https://schema.org/docs/jsonldcontext.json",
    "http://example.com/vocab",
    "",
)
TEXT_ALPHABET = st.characters(
    codec="utf-8",
    categories=("L", "N", "P", "S", "Z", "Cc", "Cf", "Co", "M"),
)
WORDS = st.sampled_from(
    (
        "Loading...",
        "Lorem ipsum",
        "{{ title }}",
        "{% if %}",
        "${name}",
        "[[placeholder]]",
        "TODO",
        "-->",
        "<!--",
        "--!>",
        "click here",
        "read more",
        "玫瑰斑治療",
        "常見問題",
        "問：",
        "答：",
        "Q:",
        "A:",
        "Frequently asked questions",
        "目錄",
        "Table of Contents",
        "2024-02-30",
        "2024-13-01T25:61",
        "\x00",
        "\ufeff",
        "\u200b",
        "\U0010ffff",
        "\ufffd",
        "&amp;",
        "&nbsp;",
        "&#0;",
        "&#x110000;",
        "&#xD800;",
        "&#9999999999;",
        "&bogus;",
        "&lt;script&gt;",
        "http://",
        "https://clinic.example/",
        "mailto:x@y",
        "javascript:void(0)",
        "//cdn.example/x.png",
        "#",
        "?",
        "..",
        "@",
        "\\",
        "\r\n",
        " ",
    )
)
SHORT_TEXT = WORDS | st.text(TEXT_ALPHABET, max_size=12)


VALUE_WORDS = st.sampled_from(
    (
        "2024-01-31",
        "2024-02-30",
        "2024-01-01T09:00:00+08:00",
        "31/01/2024",
        "P1D",
        "PT1H30M",
        "Mo-Fr 09:00-18:00",
        "https://schema.org/InStock",
        "InStock",
        "EventScheduled",
        "https://clinic.example/#org",
        "_:b0",
        "+886-2-1234-5678",
        "TWD",
        "4.5",
        "-1",
        "Dermatology",
    )
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.sampled_from(SCHEMA_TYPES),
    st.sampled_from(CONTEXTS),
    VALUE_WORDS,
    SHORT_TEXT,
    url_like(),
)
KEYS = st.sampled_from(SCHEMA_KEYS)
TYPES = st.sampled_from(SCHEMA_TYPES) | st.lists(st.sampled_from(SCHEMA_TYPES), max_size=3)


def typed_nodes(children: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """A node with ``@type`` (and sometimes ``@id``) whose values are ``children``."""
    return st.builds(
        lambda kind, node_id, props: {"@type": kind, **node_id, **props},
        TYPES,
        st.just({}) | st.builds(lambda value: {"@id": value}, VALUE_WORDS | url_like()),
        st.dictionaries(KEYS, children, max_size=5),
    )


def json_level(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """One more level of JSON nesting over ``children``."""
    return st.one_of(
        SCALARS,
        st.lists(children, max_size=3),
        st.dictionaries(KEYS, children, max_size=4),
        typed_nodes(children),
    )


# Nesting is spelled out rather than st.recursive: drawing stays cheap (no max_leaves retries).
JSON_VALUES = json_level(json_level(json_level(SCALARS)))
CONTEXT_VALUES = (
    st.sampled_from(CONTEXTS)
    | st.just({"@vocab": "https://schema.org/"})
    | st.just(["https://schema.org", {"gs1": "http://gs1.org/voc/"}])
    | JSON_VALUES
)


@st.composite
def schema_objects(draw: st.DrawFn) -> Any:
    """A JSON-LD document that looks like real markup: context, typed nodes, @graph."""
    node: dict[str, Any] = draw(typed_nodes(JSON_VALUES))
    if draw(st.integers(0, 4)):
        node = {"@context": draw(CONTEXT_VALUES), **node}
    shape = draw(st.integers(0, 5))
    if shape == 0:
        others = draw(st.lists(typed_nodes(JSON_VALUES), max_size=3))
        return {"@context": node.get("@context", "https://schema.org"), "@graph": [node, *others]}
    if shape == 1:
        return [node, draw(JSON_VALUES)]
    return node


@st.composite
def jsonld_text(draw: st.DrawFn) -> str:
    """The text of an ld+json script: valid JSON, or JSON broken the ways people break it."""
    value = draw(schema_objects() | JSON_VALUES)
    text = json.dumps(
        value, ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from((None, 2)))
    )
    damage = draw(st.integers(0, 10))
    if damage == 1 and text:
        text = text[: draw(st.integers(0, len(text) - 1))]
    elif damage == 2:
        at = draw(st.integers(0, len(text)))
        insert = draw(st.sampled_from((",", "'", "“", "//", "/*", "<!--", "\n", "\\", "NaN", "}")))
        text = text[:at] + insert + text[at:]
    elif damage == 3:
        text = f"<![CDATA[{text}]]>" if draw(st.booleans()) else f"<!-- {text} -->"
    elif damage == 4:
        text = draw(st.text(TEXT_ALPHABET, max_size=30))
    elif damage == 5:
        text = text + text
    elif damage == 6:
        # Past Python's 4,300-digit int conversion limit: valid JSON all the same.
        digits = "9" * draw(st.sampled_from((4300, 4301, 6000)))
        text = f'{{"@type": "Offer", "price": -{digits}, "x": {text}}}'
    return text


@st.composite
def attribute(draw: st.DrawFn) -> str:
    name = draw(st.sampled_from(ATTRIBUTES))
    if draw(st.integers(0, 5)) == 0:
        return name
    value = draw(SHORT_TEXT | url_like() | st.sampled_from(SCHEMA_TYPES))
    if name == "itemtype":
        value = draw(st.sampled_from(("https://schema.org/", "http://schema.org/", ""))) + value
    quote = draw(st.sampled_from(('"', "'", "")))
    value = value.replace(quote, "") if quote else value.replace(" ", "")
    return f"{name}={quote}{value}{quote}"


@st.composite
def tag_soup_token(draw: st.DrawFn) -> str:
    kind = draw(st.integers(0, 11))
    if kind <= 2:
        tag = draw(st.sampled_from(TAGS))
        attrs = draw(st.lists(attribute(), max_size=4))
        close = draw(st.sampled_from((">", "/>", "", " >")))
        return f"<{tag}{''.join(' ' + a for a in attrs)}{close}"
    if kind <= 4:
        return f"</{draw(st.sampled_from(TAGS))}>"
    if kind <= 6:
        return draw(SHORT_TEXT)
    if kind == 7:
        body = draw(SHORT_TEXT | jsonld_text())
        return draw(
            st.sampled_from(("<!--{}-->", "<!--{}", "<!-{}->", "<!--{}--!>", "<!{}>"))
        ).format(body)
    if kind == 8:
        script_type = draw(
            st.sampled_from(
                (
                    "application/ld+json",
                    "application/LD+JSON; charset=utf-8",
                    " application/ld+json ",
                    "application/json",
                    "text/javascript",
                )
            )
        )
        return f'<script type="{script_type}">{draw(jsonld_text())}</script>'
    if kind == 9:
        return f"<p>{draw(jsonld_text())}</p>" if draw(st.booleans()) else draw(jsonld_text())
    if kind == 10:
        return draw(
            st.sampled_from(
                (
                    "<!doctype html>",
                    '<?xml version="1.0" encoding="utf-8"?>',
                    "<![CDATA[x]]>",
                    '<html lang="zh-Hant">',
                    '<meta charset="utf-8">',
                    '<meta name="robots" content="noindex, nofollow">',
                    '<link rel="canonical" href="">',
                    '<link rel="alternate" hreflang="x-default" href="/">',
                    '<base href="http://[x">',
                    '<base href="../up/">',
                    '<meta property="og:title" content="">',
                    '<meta name="twitter:card" content="summary">',
                    "<h1></h1>",
                    '<a href="#toc">目錄</a>',
                    "<dl><dt>問：</dt><dd>答：</dd></dl>",
                    '<div style="display:none">{"@context": "https://schema.org"}</div>',
                    '<img src="" alt="">',
                    '<a href="http://insecure.example/x.js">',
                    "<script>",
                    "<style>",
                    "<textarea>",
                    "<plaintext>",
                )
            )
        )
    return "<" + draw(st.sampled_from(TAGS))


def quoted(value: str) -> str:
    """An attribute value in double quotes, escaped as a template engine would."""
    return '"' + escape(value, quote=True) + '"'


TEXT = SHORT_TEXT | VALUE_WORDS
LANGS = st.sampled_from(("en", "zh-Hant", "zh-TW", "zh_TW", "x-default", "EN-us", "", "123"))
SCRIPT_TYPES = st.sampled_from(
    (
        "application/ld+json",
        "application/LD+JSON; charset=utf-8",
        " application/ld+json ",
        "application/json",
        "text/javascript",
    )
)
JSONLD_SCRIPT = st.builds(
    lambda kind, text: f"<script type={quoted(kind)}>{text}</script>", SCRIPT_TYPES, jsonld_text()
)
HEAD_TOKEN = st.one_of(
    st.builds("<title>{}</title>".format, TEXT),
    st.builds('<meta name="description" content={}>'.format, TEXT.map(quoted)),
    st.builds(
        "<meta name={} content={}>".format,
        st.sampled_from(("robots", "googlebot", "ROBOTS")).map(quoted),
        st.sampled_from(
            ("noindex", "nofollow", "none", "index, follow", "noindex,nofollow", "")
        ).map(quoted),
    ),
    st.just('<meta name="viewport" content="width=device-width, initial-scale=1">'),
    st.builds("<meta charset={}>".format, st.sampled_from(("utf-8", "big5", "", "bogus"))),
    st.builds(
        "<link rel={} href={}>".format,
        st.sampled_from(("canonical", "CANONICAL", "canonical alternate")).map(quoted),
        (url_like() | TEXT).map(quoted),
    ),
    st.builds(
        '<link rel="alternate" hreflang={} href={}>'.format,
        LANGS.map(quoted),
        (url_like() | TEXT).map(quoted),
    ),
    st.builds(
        "<meta property={} content={}>".format,
        st.sampled_from(("og:title", "og:description", "og:image", "og:url", "og:type")).map(
            quoted
        ),
        (TEXT | url_like()).map(quoted),
    ),
    st.builds(
        "<meta name={} content={}>".format,
        st.sampled_from(("twitter:card", "twitter:title", "twitter:image")).map(quoted),
        TEXT.map(quoted),
    ),
    st.builds("<base href={}>".format, (url_like() | TEXT).map(quoted)),
    JSONLD_SCRIPT,
    tag_soup_token(),
)


@st.composite
def microdata(draw: st.DrawFn, children: st.SearchStrategy[str]) -> str:
    """An ``itemscope`` with ``itemprop`` children (text, meta, link, nested items)."""
    kind = draw(st.sampled_from(SCHEMA_TYPES))
    prefix = draw(st.sampled_from(("https://schema.org/", "http://schema.org/", "", "gs1:")))
    itemid = draw(st.sampled_from(("", ' itemid="#org"', ' itemid="https://clinic.example/"')))
    prop = draw(st.sampled_from(("", ' itemprop="publisher"', ' itemprop="mainEntity"')))
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        name = quoted(draw(KEYS))
        parts.append(
            draw(
                st.sampled_from(
                    (
                        f"<span itemprop={name}>{draw(TEXT)}</span>",
                        f"<meta itemprop={name} content={quoted(draw(TEXT))}>",
                        f"<link itemprop={name} href={quoted(draw(url_like()))}>",
                        f"<time itemprop={name} datetime={quoted(draw(VALUE_WORDS))}>x</time>",
                        f"<div itemprop={name}>{draw(children)}</div>",
                    )
                )
            )
        )
    tag = f'<div itemscope itemtype="{prefix}{kind}"{itemid}{prop}>'
    return tag + "".join(parts) + "</div>"


@st.composite
def rdfa(draw: st.DrawFn, children: st.SearchStrategy[str]) -> str:
    """A ``vocab``/``typeof`` element with ``property`` children."""
    vocab = draw(
        st.sampled_from(('vocab="https://schema.org/"', 'prefix="s: http://schema.org/"', ""))
    )
    kind = draw(st.sampled_from(SCHEMA_TYPES))
    resource = draw(st.sampled_from(("", ' resource="#clinic"', ' about="/"')))
    parts = [
        f"<span property={quoted(draw(KEYS))}>{draw(TEXT | children)}</span>"
        for _ in range(draw(st.integers(0, 4)))
    ]
    return f"<div {vocab} typeof={quoted(kind)}{resource}>{''.join(parts)}</div>"


BODY_TEMPLATES = st.one_of(
    st.builds("<h{0}>{1}</h{0}>".format, st.integers(1, 6), TEXT),
    st.builds("<p>{}</p>".format, TEXT),
    st.builds(
        "<a href={}{}>{}</a>".format,
        (url_like() | TEXT).map(quoted),
        st.sampled_from(("", ' rel="nofollow"', ' rel="sponsored ugc"', ' target="_blank"')),
        TEXT
        | st.just("")
        | st.builds("<img src={} alt={}>".format, TEXT.map(quoted), TEXT.map(quoted)),
    ),
    st.builds(
        "<img src={}{}>".format,
        (url_like() | TEXT).map(quoted),
        st.just("") | TEXT.map(lambda alt: f" alt={quoted(alt)}"),
    ),
    st.builds(
        (
            "<section><h2>{}</h2><h3>Q: {}?</h3><p>A: {}</p>"
            "<h3>問：{}？</h3><p>答：{}</p></section>"
        ).format,
        st.sampled_from(("Frequently asked questions", "常見問題", "FAQ")),
        TEXT,
        TEXT,
        TEXT,
        TEXT,
    ),
    st.builds("<details><summary>{}?</summary><p>{}</p></details>".format, TEXT, TEXT),
    st.builds(
        '<nav><h2>{}</h2><ol><li>{}</li><li><a href="#{}">x</a></li></ol></nav>'.format,
        st.sampled_from(("Table of Contents", "目錄", "Contents")),
        TEXT,
        TEXT.map(lambda text: escape(text, quote=True)),
    ),
    st.builds(
        "<section><h2>{}</h2>{}</section>".format, TEXT, st.sampled_from(("", " ", "<p></p>"))
    ),
    st.builds("<pre><code>{}</code></pre>".format, jsonld_text()),
    st.builds("<div>{}</div>".format, jsonld_text()),
    st.builds("<script src={}></script>".format, url_like().map(quoted)),
    st.builds("<iframe src={}></iframe>".format, url_like().map(quoted)),
    JSONLD_SCRIPT,
)


def _element(tag: str, attrs: list[str], children: list[str], close: bool) -> str:
    start = f"<{tag}{''.join(' ' + attr for attr in attrs)}>"
    return start + "".join(children) + (f"</{tag}>" if close else "")


def element_level(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """Elements whose content is drawn from ``children``, or a leaf."""
    return st.one_of(
        BODY_TEMPLATES,
        tag_soup_token(),
        st.builds(
            _element,
            st.sampled_from(TAGS),
            st.lists(attribute(), max_size=3),
            st.lists(children, max_size=3),
            st.integers(0, 5).map(bool),
        ),
        microdata(children),
        rdfa(children),
    )


ELEMENTS = element_level(element_level(element_level(BODY_TEMPLATES | tag_soup_token())))


@st.composite
def documents(draw: st.DrawFn) -> str:
    """A page with a head and a body, as a CMS would write it (mostly well-formed)."""
    doctype = draw(st.sampled_from(("<!doctype html>\n", "", '<?xml version="1.0"?>\n')))
    lang = draw(st.just("") | LANGS.map(lambda value: f" lang={quoted(value)}"))
    head = "".join(draw(st.lists(HEAD_TOKEN, max_size=8)))
    body = "".join(draw(st.lists(ELEMENTS, max_size=6)))
    trailer = draw(st.sampled_from(("", "<!-- cached -->", "-->", "</html>")))
    return f"{doctype}<html{lang}><head>{head}</head><body>{body}</body></html>{trailer}"


def seed_pages() -> dict[str, tuple[str, ...]]:
    """Real trigger material per rule: its documented examples and its case pages."""
    cases = Path(__file__).parent / "rules" / "cases"
    seeds = {}
    for rule in RULES:
        pages = [html for html in rule.examples if html]
        pages += [
            path.read_text(encoding="utf-8") for path in sorted(cases.glob(f"{rule.name}/*.html"))
        ]
        if pages:
            seeds[rule.name] = tuple(pages)
    clean = Path(__file__).parent / "rules" / "clean"
    seeds["clean"] = tuple(
        path.read_text(encoding="utf-8") for path in sorted(clean.glob("*.html"))
    )
    return seeds


SEEDS = seed_pages()
# A rule first, then one of its pages: rules with many cases do not crowd out the others.
SEED_PAGE = st.sampled_from(sorted(SEEDS)).flatmap(lambda name: st.sampled_from(SEEDS[name]))


@st.composite
def mutated_seeds(draw: st.DrawFn) -> str:
    """A seed page with a few edits: tokens spliced in, slices cut out, doubled or cut off."""
    page = draw(SEED_PAGE)
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, len(page)))
        end = draw(st.integers(start, min(len(page), start + 200)))
        edit = draw(st.integers(0, 4))
        if edit <= 1:
            page = page[:start] + draw(tag_soup_token() | BODY_TEMPLATES) + page[start:]
        elif edit == 2:
            page = page[:start] + page[end:]
        elif edit == 3:
            page = page[:end] + page[start:end] + page[end:]
        else:
            page = page[:end]
    return page


FLAT_SOUP = st.lists(tag_soup_token(), max_size=40).map("".join)
TAG_SOUP = st.one_of(
    documents(),
    FLAT_SOUP,
    st.lists(ELEMENTS, max_size=4).map("".join),
)
PAGE_URLS = st.sampled_from(
    (
        "https://clinic.example/articles/rosacea/",
        "http://clinic.example",
        "https://clinic.example/a?b=c#d",
        "http://[::1]:8080/x/",
        "file:///tmp/page.html",
        "stdin:",
        "https://xn--mnchen-3ya.de/%E6%B8%AF/",
    )
)
HEADERS = st.dictionaries(
    st.sampled_from(("x-robots-tag", "content-type", "link", "content-language")),
    SHORT_TEXT
    | st.sampled_from(
        (
            "googlebot: noindex",
            "noindex, nofollow",
            "unavailable_after: 2020-01-01",
            "text/html; charset=",
            '<https://clinic.example/>; rel="canonical"',
        )
    ),
    max_size=3,
)


def read_every_view(page: Page) -> None:
    """Touch every cached view and helper a rule or the crawler may read."""
    assert isinstance(page.base_url, str)
    assert all(isinstance(title, str) for title in page.titles)
    assert page.title is None or isinstance(page.title, str)
    for name in ("description", "robots", "viewport", "googlebot", ""):
        page.meta(name)
    _ = page.meta_description, page.robots_directives, page.lang, page.viewport, page.charset
    _ = page.open_graph, page.twitter, page.canonicals, page.hreflang_alternates
    for heading in page.headings:
        assert 1 <= heading.level <= 6
        page.selector(heading.node)
    for link in page.links:
        assert isinstance(link.url, str)
        _ = link.nofollow
        normalize_url(link.url)
    for image in page.images:
        page.selector(image.node)
    for block in page.text_blocks:
        assert block.text
        _ = block.tag, block.selector
    for comment in page.comments:
        _ = comment.selector
    data = page.structured
    _ = data.typed_nodes, data.by_id, data.of_type("Organization", "Person")
    for node in data.nodes:
        _ = node.label, node.location, list(node.children())
    for block in data.blocks:
        _ = block.empty
    for found in page.visible_jsonld:
        _ = found.value
    for script in page.jsonld_scripts:
        page.selector(script.node)


def assert_no_rule_crashed(findings: Iterable[Finding], subject: Any) -> None:
    """Fail with the crashing rule's own traceback, not only the engine's summary."""
    crashed = [finding for finding in findings if finding.rule == RULE_CRASHED]
    for finding in crashed:
        rule = find_rule(finding.evidence)
        assert rule is not None, finding.message
        print(f"rule-crashed: {finding.message}")
        list(rule.check(subject, rule.default_options))  # re-raise for the traceback
    assert not crashed, [finding.message for finding in crashed]


def test_every_rule_on_every_seed_page() -> None:
    """Each rule's examples and case pages through every rule, not only their own."""
    crashed = []
    for url in ("https://clinic.example/articles/rosacea/", "stdin:"):
        for pages in SEEDS.values():
            for html in pages:
                page = Page(url, html)
                read_every_view(page)
                crashed += [f for f in ENGINE.check_page(page) if f.rule == RULE_CRASHED]
    assert not crashed, [finding.message for finding in crashed]


def audit_whole_page(html: str, url: str, headers: dict[str, str]) -> None:
    """Every view, the summary and every page rule, none of which may raise or crash."""
    page = Page(url, html, headers)
    read_every_view(page)
    summarize(page)
    assert_no_rule_crashed(ENGINE.check_page(page), page)


@given(mutated_seeds(), PAGE_URLS, HEADERS)
@PAGES
def test_mutated_seed_pages_never_raise_and_no_rule_crashes(
    html: str, url: str, headers: dict[str, str]
) -> None:
    audit_whole_page(html, url, headers)


@given(TAG_SOUP, PAGE_URLS, HEADERS)
@example('<script type="application/ld+json">{"@type": "FAQPage"}</script>', "stdin:", {})
@example("<a href='http://[x'>x</a><base href='http://[::1'>", "file:///tmp/x.html", {})
@example('\x00<h1>\x00</h1>&#0;<p>{"@context": "https://schema.org"}</p>', "stdin:", {})
@PAGES
def test_tag_soup_pages_never_raise_and_no_rule_crashes(
    html: str, url: str, headers: dict[str, str]
) -> None:
    audit_whole_page(html, url, headers)


@given(st.text(TEXT_ALPHABET | st.sampled_from("<>/=\"'&;!-{}[]:,"), max_size=300), PAGE_URLS)
@PAGES
def test_arbitrary_text_pages_never_raise(html: str, url: str) -> None:
    page = Page(url, html)
    read_every_view(page)
    assert_no_rule_crashed(ENGINE.check_page(page), page)


CHARSET_LABELS = st.sampled_from(
    (
        "utf-8",
        "UTF-8",
        "utf-16",
        "utf-16le",
        "utf-32",
        "big5",
        "gb2312",
        "shift_jis",
        "euc-kr",
        "iso-8859-1",
        "windows-1252",
        "utf-7",
        "x-user-defined",
        "rot13",
        "hex",
        "base64",
        "zlib",
        "bz2",
        "uu",
        "quopri",
        "idna",
        "punycode",
        "undefined",
        "unicode_escape",
        "raw_unicode_escape",
        "string_escape",
        "mbcs",
        "",
        "bogus",
    )
)


@st.composite
def html_bytes(draw: st.DrawFn) -> tuple[bytes, str | None]:
    """Response bytes and a Content-Type charset: BOMs, meta charsets, mixed encodings."""
    prefix = draw(
        st.sampled_from(
            (b"", codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_LE)
        )
    )
    meta = b""
    if draw(st.booleans()):
        label = draw(CHARSET_LABELS).encode()
        meta = draw(
            st.sampled_from(
                (
                    b'<meta charset="%s">' % label,
                    b"<meta http-equiv='Content-Type' content='text/html; charset=%s'>" % label,
                )
            )
        )
    text = draw(FLAT_SOUP | documents())
    encoding = draw(st.sampled_from(("utf-8", "big5", "cp1252", "utf-16-le", "shift_jis")))
    body = text.encode(encoding, errors="replace")
    noise = draw(st.binary(max_size=64))
    at = draw(st.integers(0, len(body)))
    header = draw(st.none() | CHARSET_LABELS)
    return prefix + meta + body[:at] + noise + body[at:], header


@given(html_bytes() | st.tuples(st.binary(max_size=512), st.none() | CHARSET_LABELS))
@example((b'<meta charset="hex"><h1>x</h1>', None))
@example((b"\xff\xfe<\x00h\x001\x00", "utf-8"))
@PAGES
def test_arbitrary_bytes_decode_and_parse_without_raising(
    payload: tuple[bytes, str | None],
) -> None:
    body, header_charset = payload
    text, encoding = decode_html(body, header_charset)
    assert isinstance(text, str)
    codecs.lookup(encoding)
    result = FetchResult(
        url="https://clinic.example/",
        final_url="https://clinic.example/",
        status=200,
        headers={"content-type": f"text/html; charset={header_charset}"},
        body=body,
        text=text,
        encoding=encoding,
        content_type="text/html",
    )
    page = Page.from_fetch(result)
    read_every_view(page)
    assert_no_rule_crashed(ENGINE.check_page(page), page)


# --- site -------------------------------------------------------------------------------

SITE_URLS = (
    "https://clinic.test/",
    "https://clinic.test/a/",
    "https://clinic.test/b/",
    "https://clinic.test/c/?x=1",
    "https://clinic.test/zh-hant/",
    "https://clinic.test/%E6%B8%AF/",
    "http://clinic.test/",
    "https://other.test/",
    "https://clinic.test:8443/",
    "mailto:x@clinic.test",
    "not a url",
    "",
)
SITE_URL = st.sampled_from(SITE_URLS)
OPTIONAL_TEXT = st.none() | SHORT_TEXT


@st.composite
def summaries(draw: st.DrawFn) -> PageSummary:
    url = draw(SITE_URL)
    chain = tuple(
        Hop(draw(SITE_URL), draw(st.sampled_from((301, 302, 307, 308))), draw(SITE_URL))
        for _ in range(draw(st.integers(0, 3)))
    )
    return PageSummary(
        url=url,
        final_url=chain[-1].location if chain and draw(st.booleans()) else draw(SITE_URL),
        status=draw(st.sampled_from((None, 200, 200, 200, 204, 301, 404, 410, 500, 503, 999))),
        content_type=draw(st.sampled_from(("text/html", "application/pdf", "", "text/xml"))),
        depth=draw(st.none() | st.integers(0, 20)),
        found_on=draw(st.none() | SITE_URL),
        source=draw(st.sampled_from(("start", "link", "sitemap", "redirect", "canonical", ""))),
        redirect_chain=chain,
        fetch_ms=draw(st.floats(0, 1e5)),
        bytes=draw(st.integers(0, 10**7)),
        error=draw(st.sampled_from((None, None, None, ROBOTS_BLOCKED, "timeout", ""))),
        title=draw(OPTIONAL_TEXT),
        encoding=draw(st.sampled_from((None, "utf-8", "cp1252"))),
        truncated=draw(st.booleans()),
        in_sitemap=draw(st.booleans()),
        outlinks=draw(st.integers(0, 50)),
    )


@st.composite
def entity_mentions(draw: st.DrawFn) -> EntityMention:
    return EntityMention(
        key=draw(st.sampled_from(("name harbor light", "@id https://clinic.test/#org", ""))),
        name=draw(SHORT_TEXT),
        types=tuple(draw(st.lists(st.sampled_from(SCHEMA_TYPES), max_size=2))),
        url=draw(st.none() | SITE_URL),
        logo=draw(st.none() | SITE_URL),
        same_as=tuple(draw(st.lists(SITE_URL, max_size=2))),
        where=draw(st.sampled_from(("top level (json-ld)", "publisher (microdata)", ""))),
    )


@st.composite
def page_facts(draw: st.DrawFn, url: str) -> PageFacts:
    return PageFacts(
        url=url,
        title=draw(OPTIONAL_TEXT),
        meta_description=draw(OPTIONAL_TEXT),
        h1=draw(OPTIONAL_TEXT),
        indexable=draw(st.booleans()),
        canonical=draw(st.none() | SITE_URL),
        hreflang=tuple(
            draw(st.lists(st.tuples(st.sampled_from(("en", "zh-hant", "x-default", "")), SITE_URL)))
        ),
        text_hash=draw(st.none() | st.sampled_from(("aa", "bb"))),
        simhash=draw(st.none() | st.integers(0, 2**64 - 1)),
        words=draw(st.integers(0, 2000)),
        entities=tuple(draw(st.lists(entity_mentions(), max_size=2))),
    )


@st.composite
def sites(draw: st.DrawFn) -> tuple[list[PageSummary], dict[str, PageFacts], list[LinkRow], Any]:
    pages = draw(st.lists(summaries(), max_size=12))
    facts = {
        page.url: draw(page_facts(page.url))
        for page in pages
        if page.status == 200 and draw(st.booleans())
    }
    links = [
        LinkRow(
            draw(SITE_URL),
            draw(SITE_URL),
            draw(SHORT_TEXT),
            draw(st.sampled_from(("", "nofollow", "sponsored"))),
            draw(st.booleans()),
        )
        for _ in range(draw(st.integers(0, 20)))
    ]
    sitemap_urls = draw(st.dictionaries(SITE_URL, SITE_URL, max_size=4))
    return pages, facts, links, sitemap_urls


@given(sites())
@PAGES
def test_site_rules_never_crash_on_random_crawls(
    generated: tuple[list[PageSummary], dict[str, PageFacts], list[LinkRow], Any],
) -> None:
    pages, facts, links, sitemap_urls = generated
    store = LinkStore()
    try:
        store.add(links)
        site = Site(pages, facts, store, sitemap_urls)
        assert_no_rule_crashed(ENGINE.check_site(site), site)
    finally:
        store.close()


@given(st.lists(st.tuples(documents(), st.sampled_from(SITE_URLS[:6])), min_size=1, max_size=3))
@PAGES
def test_site_rules_never_crash_on_summarised_tag_soup(pages: list[tuple[str, str]]) -> None:
    """Facts as the runner makes them: summarize() over fuzzed pages, then every SITE rule."""
    rows, facts, store = [], {}, LinkStore()
    try:
        for html, url in pages:
            page = Page(url, html)
            facts[url] = summarize(page)
            rows.append(
                PageSummary(url, url, 200, "text/html", 0, None, "start", (), 1.0, len(html), None)
            )
            store.add(
                LinkRow(url, target, link.text, " ".join(sorted(link.rel)), link.nofollow)
                for link in page.links
                if (target := normalize_url(link.url))
            )
        site = Site(
            rows, facts, store, {url: "https://clinic.test/sitemap.xml" for _, url in pages}
        )
        assert_no_rule_crashed(ENGINE.check_site(site), site)
    finally:
        store.close()
