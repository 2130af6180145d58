"""Tests for URL normalisation and the crawl scope (``audit.crawl.urls``)."""

from __future__ import annotations

import pytest

from audit.crawl.urls import Scope, normalize_url, origin

STRIP = ("utm_*", "gclid", "fbclid")

# (input, expected) pairs for normalize_url without a base; idempotence is checked on each.
NORMALIZE_CASES = [
    # scheme and host case
    ("HTTP://Example.COM/Path", "http://example.com/Path"),
    ("HtTpS://WWW.EXAMPLE.com/A?B=C", "https://www.example.com/A?B=C"),
    ("http://example.com./", "http://example.com/"),
    # ports
    ("http://example.com:80/", "http://example.com/"),
    ("https://example.com:443/a", "https://example.com/a"),
    ("http://example.com:443/", "http://example.com:443/"),
    ("https://example.com:80/", "https://example.com:80/"),
    ("http://example.com:8080/", "http://example.com:8080/"),
    ("http://example.com:/", "http://example.com/"),
    ("http://[::1]:8080/", "http://[::1]:8080/"),
    ("http://[::1]:80/", "http://[::1]/"),
    # fragments
    ("http://example.com/a#frag", "http://example.com/a"),
    ("http://example.com/#", "http://example.com/"),
    ("http://example.com/?a=1#x", "http://example.com/?a=1"),
    # dot segments
    ("http://example.com/a/./b/../c", "http://example.com/a/c"),
    ("http://example.com/..", "http://example.com/"),
    ("http://example.com/../../x", "http://example.com/x"),
    ("http://example.com/a/b/.", "http://example.com/a/b/"),
    ("http://example.com/a/b/..", "http://example.com/a/"),
    ("http://example.com/a/./", "http://example.com/a/"),
    ("http://example.com/a.b/c..d/.e", "http://example.com/a.b/c..d/.e"),
    ("http://example.com/a//b", "http://example.com/a//b"),
    # percent-encoding
    ("http://example.com/%7e", "http://example.com/~"),
    ("http://example.com/%7Euser", "http://example.com/~user"),
    ("http://example.com/%41%62", "http://example.com/Ab"),
    ("http://example.com/a%2fb", "http://example.com/a%2Fb"),
    ("http://example.com/a%2Fb", "http://example.com/a%2Fb"),
    ("http://example.com/%e2%82%ac", "http://example.com/%E2%82%AC"),
    ("http://example.com/a b", "http://example.com/a%20b"),
    ("http://example.com/a%20b", "http://example.com/a%20b"),
    ("http://example.com/café", "http://example.com/caf%C3%A9"),
    ("http://example.com/港光", "http://example.com/%E6%B8%AF%E5%85%89"),
    ("http://example.com/%zz", "http://example.com/%25zz"),
    ("http://example.com/%", "http://example.com/%25"),
    ("http://example.com/%25zz", "http://example.com/%25zz"),
    ("http://example.com/%252F", "http://example.com/%252F"),
    ("http://example.com/a+b", "http://example.com/a+b"),
    ("http://example.com/?q=a b", "http://example.com/?q=a%20b"),
    ("http://example.com/?q=%7e&r=%2f", "http://example.com/?q=~&r=%2F"),
    ("http://example.com/?q=é", "http://example.com/?q=%C3%A9"),
    ("http://example.com/?a=%26&b=%3D", "http://example.com/?a=%26&b=%3D"),
    ("http://example.com/?%zz", "http://example.com/?%25zz"),
    # IDNA hosts
    ("http://münchen.de/", "http://xn--mnchen-3ya.de/"),
    ("http://MÜNCHEN.de/", "http://xn--mnchen-3ya.de/"),
    ("http://例え.jp/", "http://xn--r8jz45g.jp/"),
    ("http://exämple.com:8080/", "http://xn--exmple-cua.com:8080/"),
    ("http://xn--mnchen-3ya.de/", "http://xn--mnchen-3ya.de/"),
    # empty path, empty query, whitespace around the URL
    ("http://example.com", "http://example.com/"),
    ("http://example.com?q=1", "http://example.com/?q=1"),
    ("http://example.com/a?", "http://example.com/a"),
    ("   http://example.com/  ", "http://example.com/"),
    # userinfo is kept, host still lower-cased
    ("http://user:Pw@Example.com/", "http://example.com/"),  # credentials never kept
]

REJECTED = [
    "mailto:someone@example.com",
    "javascript:void(0)",
    "JavaScript:alert(1)",
    "tel:+886212345678",
    "data:text/html,<p>hi</p>",
    "file:///etc/passwd",
    "ftp://example.com/file",
    "http://h:99999/",
    "http://h:abc/",
    "http://[::1",
    "http://[zz]/",
    "http://exa mple.com/",
    "http://exa<mple.com/",
    "http://",
    "http:///path",
    "",
    "   ",
    "//example.com/no-scheme-no-base",
    "/relative/without/base",
]


@pytest.mark.parametrize(("url", "expected"), NORMALIZE_CASES)
def test_normalize(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


@pytest.mark.parametrize(("url", "expected"), NORMALIZE_CASES)
def test_normalize_is_idempotent(url: str, expected: str) -> None:
    once = normalize_url(url)
    assert once is not None
    assert normalize_url(once) == once


@pytest.mark.parametrize("url", REJECTED)
def test_rejected_urls_give_none_without_raising(url: str) -> None:
    assert normalize_url(url) is None
    assert normalize_url(url, strip_params=STRIP) is None


@pytest.mark.parametrize(
    "url",
    ["mailto:a@b.c", "javascript:void(0)", "tel:123", "data:,x", "ftp://h/", "http://h:99999/"],
)
def test_rejected_urls_with_a_base(url: str) -> None:
    assert normalize_url(url, base="http://example.com/dir/") is None


BASE = "http://example.com/dir/page.html?x=1"


@pytest.mark.parametrize(
    ("relative", "expected"),
    [
        ("other", "http://example.com/dir/other"),
        ("../up", "http://example.com/up"),
        ("../../../../up", "http://example.com/up"),
        ("/abs", "http://example.com/abs"),
        ("./a/../b", "http://example.com/dir/b"),
        (".", "http://example.com/dir/"),
        ("..", "http://example.com/"),
        ("?q=2", "http://example.com/dir/page.html?q=2"),
        ("#section", "http://example.com/dir/page.html?x=1"),
        ("", "http://example.com/dir/page.html?x=1"),
        ("//cdn.example.org/x", "http://cdn.example.org/x"),
        ("https://Other.com:443/", "https://other.com/"),
        ("café latte", "http://example.com/dir/caf%C3%A9%20latte"),
        ("  spaced  ", "http://example.com/dir/spaced"),
    ],
)
def test_relative_resolution(relative: str, expected: str) -> None:
    result = normalize_url(relative, base=BASE)
    assert result == expected
    assert normalize_url(result) == result


def test_relative_resolution_against_an_https_base_with_port() -> None:
    base = "https://example.com:8443/a/b/"
    assert normalize_url("../c", base=base) == "https://example.com:8443/a/c"
    assert normalize_url("//example.com/x", base=base) == "https://example.com/x"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://e.com/?utm_source=a&b=2&gclid=x&a=1", "http://e.com/?b=2&a=1"),
        ("http://e.com/?z=1&utm_medium=b&a=2&utm_campaign=c&m=3", "http://e.com/?z=1&a=2&m=3"),
        ("http://e.com/?utm_source=a", "http://e.com/"),
        ("http://e.com/p?utm_source=a&utm_medium=b&fbclid=q", "http://e.com/p"),
        ("http://e.com/?b=2&a=1&utm_x", "http://e.com/?b=2&a=1"),
        ("http://e.com/?a=1&utm_a=2#frag", "http://e.com/?a=1"),
        ("http://e.com/?a=1&&b=2", "http://e.com/?a=1&b=2"),
        ("http://e.com/?a&b=", "http://e.com/?a&b="),
        ("http://e.com/?UTM_source=a", "http://e.com/?UTM_source=a"),  # case-sensitive
        ("http://e.com/?xutm_source=a&gclidx=1", "http://e.com/?xutm_source=a&gclidx=1"),
        ("http://e.com/?q=utm_source", "http://e.com/?q=utm_source"),
    ],
)
def test_strip_params(url: str, expected: str) -> None:
    result = normalize_url(url, strip_params=STRIP)
    assert result == expected
    assert normalize_url(result, strip_params=STRIP) == result


def test_no_strip_params_keeps_tracking_params() -> None:
    url = "http://e.com/?utm_source=a&b=2"
    assert normalize_url(url) == url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://e.com/a/%2e%2e/b", "http://e.com/b"),
        ("http://e.com/a/%2E/b", "http://e.com/a/b"),
        ("http://e.com/a/.%2e/b", "http://e.com/b"),
    ],
)
def test_encoded_dot_segments(url: str, expected: str) -> None:
    once = normalize_url(url)
    assert once == expected
    assert normalize_url(once) == once


def test_strip_params_after_unescaping() -> None:
    once = normalize_url("http://e.com/?%75tm_source=x&a=1", strip_params=STRIP)
    assert once == "http://e.com/?a=1"
    assert normalize_url(once, strip_params=STRIP) == once


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://example.com/a/b?q=1", "http://example.com"),
        ("https://example.com:8443/", "https://example.com:8443"),
        ("http://user:pw@example.com/", "http://example.com"),
    ],
)
def test_origin(url: str, expected: str) -> None:
    assert origin(url) == expected


# --- Scope ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://example.com/", True),
        ("http://example.com/x", True),
        ("https://example.com/x", True),
        ("http://example.com:8080/x", False),
        ("https://example.com:8443/x", False),
        ("http://www.example.com/", False),
        ("http://other.com/", False),
        ("http://badexample.com/", False),
        ("http://example.com.evil.com/", False),
    ],
)
def test_scope_same_host_by_default(url: str, allowed: bool) -> None:
    scope = Scope.build(("http://example.com/",))
    assert scope.allows(url) is allowed


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://127.0.0.1:8080/x", True),
        ("https://127.0.0.1:8080/x", True),
        ("http://127.0.0.1/x", False),
        ("http://127.0.0.1:8081/x", False),
        ("http://localhost:8080/x", False),
    ],
)
def test_scope_start_url_with_port(url: str, allowed: bool) -> None:
    scope = Scope.build(("http://127.0.0.1:8080/",))
    assert scope.allows(url) is allowed


@pytest.mark.parametrize(
    ("url", "without", "with_subdomains"),
    [
        ("http://example.com/", True, True),
        ("http://www.example.com/", False, True),
        ("https://a.b.example.com:81/", False, True),
        ("http://badexample.com/", False, False),
        ("http://example.com.evil.com/", False, False),
        ("http://example.org/", False, False),
    ],
)
def test_scope_subdomains(url: str, without: bool, with_subdomains: bool) -> None:
    start = ("http://example.com/",)
    assert Scope.build(start, subdomains=False).allows(url) is without
    assert Scope.build(start, subdomains=True).allows(url) is with_subdomains


@pytest.mark.parametrize(
    ("url", "allowed", "allowed_with_subdomains"),
    [
        ("http://example.com/", True, True),
        ("http://example.com:8080/", True, True),
        ("https://example.com:8443/x", True, True),
        ("http://other.org/", True, True),
        ("http://www.example.com/other", False, True),
        ("http://cdn.example.com:9000/", False, True),
        ("http://notexample.com/", False, False),
        ("http://www.other.org/", False, True),
        ("http://third.net/", False, False),
    ],
)
def test_scope_allowed_domains_any_port(
    url: str, allowed: bool, allowed_with_subdomains: bool
) -> None:
    start = ("http://www.example.com/",)
    domains = ("example.com", "other.org")
    assert Scope.build(start, domains).allows(url) is allowed
    assert Scope.build(start, domains, subdomains=True).allows(url) is allowed_with_subdomains


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("http://e.com/blog/a", True),
        ("http://e.com/blog/", True),
        ("http://e.com/other", False),
        ("http://e.com/blog/private/a", False),
        ("http://e.com/blog/?replytocom=1", False),
        ("http://f.com/blog/", False),  # the host check comes first
    ],
)
def test_scope_include_exclude(url: str, allowed: bool) -> None:
    scope = Scope.build(
        ("http://e.com/start",), include=(r"/blog/",), exclude=(r"/private/", r"\?replytocom=")
    )
    assert scope.allows(url) is allowed


def test_scope_exclude_only() -> None:
    scope = Scope.build(("http://e.com/",), exclude=(r"\.pdf$",))
    assert scope.allows("http://e.com/page")
    assert not scope.allows("http://e.com/file.pdf")


@pytest.mark.parametrize(
    "start",
    ["http://e.com/start?x=1", "http://e.com/private/", "http://e.com/other"],
)
def test_start_urls_are_always_allowed(start: str) -> None:
    scope = Scope.build(
        ("http://e.com/start?x=1", "http://e.com/private/", "http://e.com/other"),
        include=(r"/blog/",),
        exclude=(r"/private/", r"/start", r"/other"),
    )
    assert scope.allows(start)
    assert not scope.allows(start + "child")


def test_start_url_outside_allowed_domains_is_allowed() -> None:
    scope = Scope.build(("http://start.example.net/",), ("example.com",))
    assert scope.allows("http://start.example.net/")
    assert not scope.allows("http://start.example.net/page")
    assert scope.allows("http://example.com/page")


def test_scope_host_allowed_ignores_paths() -> None:
    scope = Scope.build(("http://e.com/",), exclude=(r"/x",))
    assert scope.host_allowed("http://e.com/x")
    assert not scope.allows("http://e.com/x")
    assert not scope.host_allowed("http://f.com/")
