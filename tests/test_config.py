"""Tests for ``audit.config.load_config``: defaults, the file, CLI overrides and error messages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from audit.config import (
    DEFAULT_STRIPPED_PARAMS,
    DEFAULT_USER_AGENT,
    AuditConfig,
    CrawlConfig,
    load_config,
)
from audit.errors import AuditError, ConfigError

REPO_CONFIG = Path(__file__).parents[1] / "config.yaml"
CRAWL_KEYS = ", ".join(CrawlConfig.model_fields)  # every key, in declaration order

FULL_YAML = """\
site:
  name: clinic
  start_urls: [https://www.example.com/, https://www.example.com/en/]
  allowed_domains: [Example.COM, .example.org]
  subdomains: true
  include: ['^https://www\\.example\\.com/']
  exclude: ['/wp-admin/', '\\?replytocom=']
  sitemaps: [https://www.example.com/sitemap_index.xml]
crawl:
  max_pages: 500
  max_depth: 4
  concurrency: 8
  per_host_concurrency: 4
  delay: 0.25
  max_requests_per_second: 2
  timeout:
    connect: 3
    read: 7
    total: 30
  retries: 1
  retry_after_cap: 12
  max_redirects: 5
  user_agent: TestBot/1.0
  respect_robots: false
  follow_nofollow: true
  max_body_bytes: 2000000
  max_url_length: 1000
  max_path_repeats: 3
  max_query_variants: 10
  max_date_variants: null
  headers:
    Accept-Language: zh-TW
  strip_query_params: [utm_*, ref]
report:
  out_dir: out/reports
"""


def write(tmp_path: Path, text: str, name: str = "config.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def config_error(path: Path | None, overrides: dict[str, object] | None = None) -> str:
    """The message of the ConfigError that loading ``path`` must raise."""
    with pytest.raises(ConfigError) as info:
        load_config(path, overrides)
    return str(info.value)


# --- defaults and a full file ---------------------------------------------------------------


def test_defaults_without_a_file() -> None:
    config = load_config()
    assert config == AuditConfig()
    assert config.site.name is None
    assert config.site.start_urls == ()
    assert config.site.sitemaps == "auto"
    assert config.crawl.max_pages == 10_000
    assert config.crawl.max_depth is None
    assert config.crawl.concurrency == 16
    assert config.crawl.per_host_concurrency == 8
    assert config.crawl.timeout.connect == 10
    assert config.crawl.timeout.read == 20
    assert config.crawl.timeout.total == 60
    assert config.crawl.user_agent == DEFAULT_USER_AGENT
    assert config.crawl.respect_robots is True
    assert config.crawl.headers == {}
    assert config.crawl.strip_query_params == DEFAULT_STRIPPED_PARAMS
    assert config.report.out_dir == Path("reports")
    assert config.crawl.min_interval == 0
    assert config.crawl.max_url_length == 2048
    assert config.crawl.max_path_repeats == 2
    assert config.crawl.max_query_variants == 25
    assert config.crawl.max_date_variants == 36


def test_none_path_and_empty_overrides_are_defaults() -> None:
    assert load_config(None, {}) == AuditConfig()
    assert load_config(None, None) == AuditConfig()


def test_empty_file_is_defaults(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")) == AuditConfig()
    assert load_config(write(tmp_path, "# only a comment\n")) == AuditConfig()


def test_full_file_round_trips(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL_YAML))
    site, crawl = config.site, config.crawl
    assert site.name == "clinic"
    assert site.start_urls == ("https://www.example.com/", "https://www.example.com/en/")
    assert site.allowed_domains == ("example.com", "example.org")  # lower-cased, dot stripped
    assert site.subdomains is True
    assert site.include == (r"^https://www\.example\.com/",)
    assert site.exclude == ("/wp-admin/", r"\?replytocom=")
    assert site.sitemaps == ("https://www.example.com/sitemap_index.xml",)
    assert crawl.max_pages == 500
    assert crawl.max_depth == 4
    assert crawl.concurrency == 8
    assert crawl.per_host_concurrency == 4
    assert crawl.delay == 0.25
    assert crawl.max_requests_per_second == 2
    assert (crawl.timeout.connect, crawl.timeout.read, crawl.timeout.total) == (3, 7, 30)
    assert crawl.retries == 1
    assert crawl.retry_after_cap == 12
    assert crawl.max_redirects == 5
    assert crawl.user_agent == "TestBot/1.0"
    assert crawl.respect_robots is False
    assert crawl.follow_nofollow is True
    assert crawl.max_body_bytes == 2_000_000
    assert (crawl.max_url_length, crawl.max_path_repeats) == (1000, 3)
    assert (crawl.max_query_variants, crawl.max_date_variants) == (10, None)
    assert crawl.headers == {"Accept-Language": "zh-TW"}
    assert crawl.strip_query_params == ("utm_*", "ref")
    assert config.report.out_dir == Path("out/reports")
    assert config.site_name == "clinic"
    # Dumping and validating again gives the same configuration.
    assert AuditConfig.model_validate(config.model_dump()) == config


@pytest.mark.parametrize(
    ("section", "attribute", "value"),
    [
        (None, "site", None),
        ("site", "name", "other"),
        ("site", "start_urls", ()),
        ("crawl", "max_pages", 3),
        ("crawl", "headers", {}),
        ("report", "out_dir", Path("elsewhere")),
    ],
)
def test_config_is_frozen(
    tmp_path: Path, section: str | None, attribute: str, value: object
) -> None:
    config = load_config(write(tmp_path, FULL_YAML))
    target = config if section is None else getattr(config, section)
    before = getattr(target, attribute)
    with pytest.raises(ValidationError, match="frozen"):
        setattr(target, attribute, value)
    assert getattr(target, attribute) == before


def test_timeout_section_is_frozen() -> None:
    timeout = load_config().crawl.timeout
    with pytest.raises(ValidationError, match="frozen"):
        timeout.total = 1  # type: ignore[misc]
    assert timeout.total == 60


def test_headers_cannot_be_mutated_in_place(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL_YAML))
    with pytest.raises(TypeError):
        config.crawl.headers["Authorization"] = "injected"  # type: ignore[index]
    assert config.crawl.headers == load_config(write(tmp_path, FULL_YAML)).crawl.headers


def test_repository_config_yaml_loads() -> None:
    config = load_config(REPO_CONFIG)
    assert config.site.name == "demo-clinic"
    assert config.site_name == "demo-clinic"
    assert config.site.start_urls == ()
    assert config.report.out_dir == Path("reports")
    assert config.crawl.strip_query_params == DEFAULT_STRIPPED_PARAMS
    assert config.crawl.user_agent == DEFAULT_USER_AGENT


# --- error messages: exactly one line each --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param(
            "sitee:\n  name: x\n",
            "sitee: unknown key (did you mean 'site'? "
            "expected one of: site, crawl, report, structured, rules)",
            id="unknown-top-level",
        ),
        pytest.param(
            "crawl:\n  concurency: 3\n",
            f"crawl.concurency: unknown key (did you mean 'concurrency'? "
            f"expected one of: {CRAWL_KEYS})",
            id="unknown-nested",
        ),
        pytest.param(
            "crawl:\n  zzqqxx: 3\n",
            f"crawl.zzqqxx: unknown key (expected one of: {CRAWL_KEYS})",
            id="unknown-without-suggestion",
        ),
        pytest.param(
            "crawl:\n  timeout:\n    totl: 3\n",
            "crawl.timeout.totl: unknown key (did you mean 'total'? "
            "expected one of: connect, read, total)",
            id="unknown-two-levels-deep",
        ),
        pytest.param(
            "crawl:\n  max_pages: many\n",
            "crawl.max_pages: expected an integer, got 'many'",
            id="wrong-type",
        ),
        pytest.param(
            "crawl:\n  max_pages: 1.5\n",
            "crawl.max_pages: expected a whole number, got 1.5",
            id="fractional-integer",
        ),
        pytest.param(
            "crawl:\n  respect_robots: maybe\n",
            "crawl.respect_robots: expected true or false, got 'maybe'",
            id="wrong-bool",
        ),
        pytest.param(
            "crawl: 5\n",
            "crawl: expected a mapping, got 5",
            id="section-not-a-mapping",
        ),
        pytest.param(
            "crawl:\n  concurrency: 0\n",
            "crawl.concurrency: expected a value of at least 1, got 0",
            id="concurrency-zero",
        ),
        pytest.param(
            "crawl:\n  max_depth: -1\n",
            "crawl.max_depth: expected a value of at least 0, got -1",
            id="negative-depth",
        ),
        pytest.param(
            "crawl:\n  max_query_variants: 0\n",
            "crawl.max_query_variants: expected a value of at least 1, got 0",
            id="zero-query-variants",
        ),
        pytest.param(
            "crawl:\n  max_url_length: long\n",
            "crawl.max_url_length: expected an integer, got 'long'",
            id="url-length-not-a-number",
        ),
        pytest.param(
            "crawl:\n  max_date_variants: -3\n",
            "crawl.max_date_variants: expected a value of at least 1, got -3",
            id="negative-date-variants",
        ),
        pytest.param(
            "crawl:\n  retries: 11\n",
            "crawl.retries: expected a value of at most 10, got 11",
            id="too-many-retries",
        ),
        pytest.param(
            "crawl:\n  max_requests_per_second: 0\n",
            "crawl.max_requests_per_second: expected a value above 0, got 0",
            id="zero-rate",
        ),
        pytest.param(
            "crawl:\n  timeout:\n    read: -1\n",
            "crawl.timeout.read: expected a value above 0, got -1",
            id="negative-read-timeout",
        ),
        pytest.param(
            "crawl:\n  user_agent: ''\n",
            "crawl.user_agent: expected a non-empty string, got ''",
            id="empty-user-agent",
        ),
        pytest.param(
            "crawl:\n  headers:\n    X-Test: 5\n",
            "crawl.headers.X-Test: expected a string, got 5",
            id="header-not-a-string",
        ),
        pytest.param(
            "site:\n  start_urls: [ftp://example.com/]\n",
            "site.start_urls: expected an absolute http(s) URL, got 'ftp://example.com/'",
            id="non-http-start-url",
        ),
        pytest.param(
            "site:\n  start_urls: [/relative/]\n",
            "site.start_urls: expected an absolute http(s) URL, got '/relative/'",
            id="relative-start-url",
        ),
        pytest.param(
            "site:\n  start_urls: ['http:///no-host']\n",
            "site.start_urls: expected an absolute http(s) URL, got 'http:///no-host'",
            id="start-url-without-host",
        ),
        pytest.param(
            "site:\n  sitemaps: maybe\n",
            "site.sitemaps: expected 'auto' or 'off' or a list, got 'maybe'",
            id="sitemaps-union",
        ),
        pytest.param(
            "site:\n  sitemaps: [ftp://example.com/sitemap.xml]\n",
            "site.sitemaps: expected an absolute http(s) URL, got 'ftp://example.com/sitemap.xml'",
            id="sitemaps-non-http",
        ),
        pytest.param(
            "report:\n  out_dir: 5\n",
            "report.out_dir: expected a folder path, got 5",
            id="out-dir-not-a-path",
        ),
    ],
)
def test_error_is_one_exact_line(tmp_path: Path, text: str, line: str) -> None:
    path = write(tmp_path, text)
    message = config_error(path)
    assert message == f"{path}: {line}"
    assert "\n" not in message


def test_bad_regex_names_the_pattern(tmp_path: Path) -> None:
    path = write(tmp_path, "site:\n  include: ['([a-z']\n")
    with pytest.raises(re.error) as compile_error:
        re.compile("([a-z")
    message = config_error(path)
    assert message == (
        f"{path}: site.include: expected a regular expression, got '([a-z' ({compile_error.value})"
    )
    assert "\n" not in message


def test_bad_exclude_regex(tmp_path: Path) -> None:
    path = write(tmp_path, "site:\n  exclude: [ok, '*bad']\n")
    message = config_error(path)
    assert message.startswith(f"{path}: site.exclude: expected a regular expression, got '*bad' (")
    assert "\n" not in message


def test_each_problem_gets_its_own_line(tmp_path: Path) -> None:
    path = write(tmp_path, "crawl:\n  concurrency: 0\n  max_pages: -1\nsitee: {}\n")
    lines = config_error(path).splitlines()
    assert sorted(lines) == sorted(
        [
            f"{path}: crawl.concurrency: expected a value of at least 1, got 0",
            f"{path}: crawl.max_pages: expected a value of at least 1, got -1",
            f"{path}: sitee: unknown key (did you mean 'site'? "
            "expected one of: site, crawl, report, structured, rules)",
        ]
    )


@pytest.mark.parametrize("value", ["-1", "0"])
def test_non_positive_timeout_number_is_one_line(tmp_path: Path, value: str) -> None:
    path = write(tmp_path, f"crawl:\n  timeout: {value}\n")
    message = config_error(path)
    assert len(message.splitlines()) == 1
    assert message.startswith(f"{path}: crawl.timeout")
    assert message.endswith(f"got {value}")


def test_duplicate_keys_are_an_error(tmp_path: Path) -> None:
    path = write(tmp_path, "crawl:\n  max_pages: 5\n  max_pages: 50\n")
    assert config_error(path) == f"{path}:3:3: invalid YAML: duplicate key 'max_pages'"


def test_non_positive_timeout_part_is_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "crawl:\n  timeout: {connect: 0, total: 5}\n")
    assert config_error(path) == f"{path}: crawl.timeout.connect: expected a value above 0, got 0"


@pytest.mark.parametrize(
    ("text", "where", "problem"),
    [
        ("site:\n  name: [unclosed\ncrawl: {\n", "3:6", "expected ',' or ']', but got ':'"),
        (
            "site:\n  name: a\n bad: x\n",
            "3:2",
            "expected <block end>, but found '<block mapping start>'",
        ),
        ("site:\n\tname: a\n", "2:1", "found character '\\t' that cannot start any token"),
    ],
)
def test_invalid_yaml_names_file_line_and_column(
    tmp_path: Path, text: str, where: str, problem: str
) -> None:
    path = write(tmp_path, text)
    assert config_error(path) == f"{path}:{where}: invalid YAML: {problem}"


@pytest.mark.parametrize(
    ("text", "kind"),
    [("- site\n- crawl\n", "list"), ("hello\n", "str"), ("42\n", "int")],
)
def test_top_level_must_be_a_mapping(tmp_path: Path, text: str, kind: str) -> None:
    path = write(tmp_path, text)
    assert config_error(path) == (
        f"{path}: expected a mapping with site, crawl and report sections, got {kind}"
    )


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nope.yaml"
    assert config_error(path) == f"{path}: cannot read the config file (No such file or directory)"


def test_config_error_is_an_audit_error(tmp_path: Path) -> None:
    with pytest.raises(AuditError):
        load_config(tmp_path / "nope.yaml")


def test_override_errors_name_the_key() -> None:
    assert config_error(None, {"crawl.max_pages": 0}) == (
        "command line: crawl.max_pages: expected a value of at least 1, got 0"
    )


# --- overrides --------------------------------------------------------------------------------


def test_overrides_win_over_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, FULL_YAML)
    config = load_config(
        path,
        {
            "crawl.max_pages": 7,
            "crawl.concurrency": 3,
            "crawl.user_agent": "Override/2",
            "report.out_dir": tmp_path / "runs",
            "site.start_urls": ["http://127.0.0.1:8000/"],
        },
    )
    assert config.crawl.max_pages == 7
    assert config.crawl.concurrency == 3
    assert config.crawl.user_agent == "Override/2"
    assert config.report.out_dir == tmp_path / "runs"
    assert config.site.start_urls == ("http://127.0.0.1:8000/",)
    # Keys not overridden keep the file's values.
    assert config.crawl.per_host_concurrency == 4
    assert config.site.name == "clinic"
    assert config.crawl.headers == {"Accept-Language": "zh-TW"}


def test_none_overrides_are_ignored(tmp_path: Path) -> None:
    path = write(tmp_path, FULL_YAML)
    overrides: dict[str, object] = {
        "crawl.max_pages": None,
        "crawl.max_depth": None,
        "crawl.timeout": None,
        "report.out_dir": None,
        "site.start_urls": None,
    }
    assert load_config(path, overrides) == load_config(path)


def test_overrides_without_a_file() -> None:
    config = load_config(None, {"crawl.max_depth": 2, "site.name": "x"})
    assert config.crawl.max_depth == 2
    assert config.site.name == "x"
    assert config.crawl.max_pages == 10_000


def test_override_does_not_touch_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, FULL_YAML)
    load_config(path, {"crawl.max_pages": 1})
    assert path.read_text(encoding="utf-8") == FULL_YAML
    assert load_config(path).crawl.max_pages == 500


# --- timeout ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "connect", "read", "total"),
    [
        ("5", 5, 5, 5),
        ("15", 10, 15, 15),
        ("90", 10, 20, 90),
        ("0.5", 0.5, 0.5, 0.5),
    ],
)
def test_timeout_number_is_the_total_and_caps_the_others(
    tmp_path: Path, value: str, connect: float, read: float, total: float
) -> None:
    timeout = load_config(write(tmp_path, f"crawl:\n  timeout: {value}\n")).crawl.timeout
    assert (timeout.connect, timeout.read, timeout.total) == (connect, read, total)


def test_timeout_number_from_cli_override() -> None:
    timeout = load_config(None, {"crawl.timeout": 5.0}).crawl.timeout
    assert (timeout.connect, timeout.read, timeout.total) == (5, 5, 5)


def test_partial_timeout_mapping_caps_unset_limits_to_the_total(tmp_path: Path) -> None:
    timeout = load_config(write(tmp_path, "crawl:\n  timeout:\n    total: 5\n")).crawl.timeout
    assert (timeout.connect, timeout.read, timeout.total) == (5, 5, 5)
    timeout = load_config(write(tmp_path, "crawl:\n  timeout:\n    total: 90\n")).crawl.timeout
    assert (timeout.connect, timeout.read, timeout.total) == (10, 20, 90)


def test_timeout_override_keeps_smaller_file_values(tmp_path: Path) -> None:
    path = write(tmp_path, "crawl:\n  timeout: {connect: 2, read: 3, total: 60}\n")
    timeout = load_config(path, {"crawl.timeout.total": 5.0}).crawl.timeout
    assert (timeout.connect, timeout.read, timeout.total) == (2, 3, 5)


# --- environment expansion in headers ---------------------------------------------------------


def test_env_expansion_in_headers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUDIT_TEST_AUTH", "dXNlcjpwdw==")
    monkeypatch.setenv("AUDIT_TEST_LANG", "zh-TW")
    path = write(
        tmp_path,
        "crawl:\n"
        "  headers:\n"
        "    Authorization: 'Basic ${AUDIT_TEST_AUTH}'\n"
        "    Accept-Language: '${AUDIT_TEST_LANG},${AUDIT_TEST_LANG};q=0.9'\n"
        "    X-Literal: '$AUDIT_TEST_AUTH and plain'\n",
    )
    headers = load_config(path).crawl.headers
    assert headers == {
        "Authorization": "Basic dXNlcjpwdw==",
        "Accept-Language": "zh-TW,zh-TW;q=0.9",
        "X-Literal": "$AUDIT_TEST_AUTH and plain",
    }


def test_env_expansion_empty_value_is_allowed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIT_TEST_EMPTY", "")
    path = write(tmp_path, "crawl:\n  headers:\n    X-Token: 'a${AUDIT_TEST_EMPTY}b'\n")
    assert load_config(path).crawl.headers == {"X-Token": "ab"}


def test_env_expansion_unset_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AUDIT_TEST_UNSET", raising=False)
    path = write(tmp_path, "crawl:\n  headers:\n    X-Token: 'Bearer ${AUDIT_TEST_UNSET}'\n")
    assert config_error(path) == (
        f"{path}: crawl.headers: environment variable AUDIT_TEST_UNSET is not set"
    )


# --- masking ----------------------------------------------------------------------------------


def test_masked_hides_header_values_and_url_passwords(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AUDIT_TEST_SECRET_TOKEN", "tok-secret-123")
    path = write(
        tmp_path,
        "site:\n"
        "  start_urls: ['http://user:secret@host/', 'https://plain.example/']\n"
        "  sitemaps: ['https://bot:hunter2@host/sitemap.xml']\n"
        "crawl:\n"
        "  headers:\n"
        "    Authorization: 'Bearer ${AUDIT_TEST_SECRET_TOKEN}'\n"
        "    Cookie: session=abcdef\n",
    )
    config = load_config(path)
    masked = config.masked()
    dumped = json.dumps(masked)
    for secret in ("secret", "hunter2", "tok-secret-123", "abcdef"):
        assert secret not in dumped
    assert masked["crawl"]["headers"] == {"Authorization": "***", "Cookie": "***"}
    assert masked["site"]["start_urls"] == ["http://user:***@host/", "https://plain.example/"]
    assert masked["site"]["sitemaps"] == ["https://bot:***@host/sitemap.xml"]
    # The configuration itself keeps the real values.
    assert config.crawl.headers["Authorization"] == "Bearer tok-secret-123"
    assert config.site.start_urls[0] == "http://user:secret@host/"


def test_masked_is_plain_json_of_the_whole_config(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, FULL_YAML))
    masked = config.masked()
    assert set(masked) == {"site", "crawl", "report", "structured", "rules"}
    assert masked["crawl"]["max_pages"] == 500
    assert masked["crawl"]["timeout"] == {"connect": 3.0, "read": 7.0, "total": 30.0}
    assert masked["report"]["out_dir"] == "out/reports"
    assert masked["site"]["sitemaps"] == ["https://www.example.com/sitemap_index.xml"]
    assert json.loads(json.dumps(masked)) == masked


def test_masked_keeps_auto_sitemaps_and_passwordless_urls() -> None:
    config = load_config(
        None, {"site.start_urls": ["http://user@host:8080/", "http://host/?password=x"]}
    )
    masked = config.masked()
    assert masked["site"]["sitemaps"] == "auto"
    assert masked["site"]["start_urls"] == ["http://user@host:8080/", "http://host/?password=x"]


def test_masked_password_with_port_and_at_sign() -> None:
    config = load_config(None, {"site.start_urls": ["http://u:p@ss@host:8080/path?q=1"]})
    masked = config.masked()
    assert masked["site"]["start_urls"] == ["http://u:***@host:8080/path?q=1"]
    assert "p@ss" not in json.dumps(masked)


# --- derived values ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start_urls", "name", "expected"),
    [
        (["https://www.example.com/"], None, "www.example.com"),
        (["http://127.0.0.1:8080/"], None, "127.0.0.1_8080"),
        (["http://user:pw@host.example:81/a"], None, "host.example_81"),
        (["https://a.example/", "https://b.example/"], None, "a.example"),
        (["https://www.example.com/"], "my clinic/2024", "my_clinic_2024"),
        (["https://www.example.com/"], "clinic", "clinic"),
        ([], None, "site"),
        ([], "..", "site"),
    ],
)
def test_site_name(start_urls: list[str], name: str | None, expected: str) -> None:
    config = load_config(None, {"site.start_urls": start_urls, "site.name": name})
    assert config.site_name == expected
    assert re.fullmatch(r"[A-Za-z0-9._-]+", config.site_name)
    assert config.site_name not in (".", "..")


@pytest.mark.parametrize(
    ("delay", "rate", "expected"),
    [
        (0, None, 0.0),
        (0.5, None, 0.5),
        (0, 4, 0.25),
        (0.5, 4, 0.5),
        (0.1, 2, 0.5),
        (1.0, 1, 1.0),
    ],
)
def test_min_interval_is_the_slower(delay: float, rate: float | None, expected: float) -> None:
    config = load_config(None, {"crawl.delay": delay, "crawl.max_requests_per_second": rate})
    assert config.crawl.min_interval == pytest.approx(expected)
