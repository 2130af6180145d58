"""config.yaml → a frozen, validated :class:`AuditConfig`.

Precedence is defaults < file < CLI flags. Every problem becomes a
:class:`~audit.errors.ConfigError` whose message is one line per problem naming
the key, the value found and what was expected, e.g.::

    config.yaml: crawl.concurrency: expected an integer >= 1, got 0
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit, urlunsplit

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_serializer,
    field_validator,
    model_validator,
)

from audit.errors import ConfigError

DEFAULT_USER_AGENT = "SiteAudit/0.1 (+https://pypi.org/project/site-audit/)"
DEFAULT_STRIPPED_PARAMS = (
    "utm_*",
    "gclid",
    "fbclid",
    "msclkid",
    "mc_cid",
    "mc_eid",
    "_ga",
    "yclid",
)
_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")

PositiveInt = Annotated[int, Field(ge=1)]
Seconds = Annotated[float, Field(gt=0)]


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteConfig(_Section):
    """What to crawl: start URLs and the scope around them."""

    name: str | None = None
    start_urls: tuple[str, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    subdomains: bool = False
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    sitemaps: Literal["auto", "off"] | tuple[str, ...] = "auto"

    @field_validator("start_urls", "sitemaps", mode="after")
    @classmethod
    def _http_urls(cls, urls: Any) -> Any:
        if isinstance(urls, str):
            return urls
        for url in urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"expected an absolute http(s) URL, got {url!r}")
        return urls

    @field_validator("include", "exclude", mode="after")
    @classmethod
    def _regexes(cls, patterns: tuple[str, ...]) -> tuple[str, ...]:
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(
                    f"expected a regular expression, got {pattern!r} ({exc})"
                ) from None
        return patterns

    @field_validator("allowed_domains", mode="after")
    @classmethod
    def _lower_domains(cls, domains: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(domain.strip().lower().lstrip(".") for domain in domains)


class TimeoutConfig(_Section):
    """Per-request limits: connect and read between bytes, plus a total deadline."""

    connect: Seconds = 10.0
    read: Seconds = 20.0
    total: Seconds = 60.0

    @model_validator(mode="before")
    @classmethod
    def _from_number(cls, value: Any) -> Any:
        """A bare number is the total deadline; unset connect and read never exceed it."""
        if isinstance(value, int | float) and not isinstance(value, bool):
            if value <= 0:
                raise ValueError(f"expected a number of seconds above 0, got {value!r}")
            value = {"total": value}
        if isinstance(value, dict):
            total = value.get("total")
            if isinstance(total, int | float) and not isinstance(total, bool) and total > 0:
                value = {"connect": min(10.0, total), "read": min(20.0, total), **value}
        return value


def _environment_value(match: re.Match[str]) -> str:
    name = match.group(1)
    if name not in os.environ:
        raise ValueError(f"environment variable {name} is not set")
    return os.environ[name]


class CrawlConfig(_Section):
    """How to crawl: limits, politeness and the HTTP identity."""

    max_pages: PositiveInt = 10_000
    max_depth: Annotated[int, Field(ge=0)] | None = None
    concurrency: PositiveInt = 16
    per_host_concurrency: PositiveInt = 8
    delay: Annotated[float, Field(ge=0)] = 0.0
    max_requests_per_second: Annotated[float, Field(gt=0)] | None = None
    timeout: TimeoutConfig = Field(default_factory=TimeoutConfig)
    retries: Annotated[int, Field(ge=0, le=10)] = 2
    retry_after_cap: Annotated[float, Field(ge=0)] = 30.0
    max_redirects: Annotated[int, Field(ge=0, le=50)] = 10
    user_agent: Annotated[str, Field(min_length=1)] = DEFAULT_USER_AGENT
    respect_robots: bool = True
    follow_nofollow: bool = False
    max_body_bytes: PositiveInt = 10_000_000
    # Crawl-trap limits (see audit.crawl.traps); None switches one off.
    max_url_length: PositiveInt | None = 2048
    """Links to longer URLs are not followed."""
    max_path_repeats: PositiveInt | None = 2
    """Links whose path repeats one segment more often are not followed."""
    max_query_variants: PositiveInt | None = 25
    """Distinct query strings followed per path."""
    max_date_variants: PositiveInt | None = 36
    """URLs followed per pattern that differs only in a date (a calendar)."""
    headers: Mapping[str, str] = Field(default_factory=lambda: MappingProxyType({}))
    strip_query_params: tuple[str, ...] = DEFAULT_STRIPPED_PARAMS
    auto_throttle: bool = True
    """Halve a host's concurrency when it answers 429/503, times out or slows down."""
    max_error_ratio: Annotated[float, Field(gt=0, le=1)] | None = 0.5
    """Stop the crawl (keeping what was collected) when more than this share of the
    last ``ERROR_WINDOW`` requests failed at the network level or answered 5xx/429."""
    parse_workers: Literal["auto"] | Annotated[int, Field(ge=0, le=64)] = "auto"
    """Processes that parse pages and run the page rules: 0 = in the crawler's own
    process; ``auto`` = one per CPU core (at most 4), started once the crawl passes
    ``PARSE_WORKERS_AFTER`` HTML pages, so small sites and tests never pay the start-up."""

    @field_validator("headers", mode="after")
    @classmethod
    def _expand_env(cls, headers: Mapping[str, str]) -> Mapping[str, str]:
        """Replace ``${NAME}`` with the environment variable, so secrets stay out of the file."""

        expanded = {
            name: _ENV_REF.sub(_environment_value, value) for name, value in headers.items()
        }
        return MappingProxyType(expanded)

    @field_serializer("headers")
    def _plain_headers(self, headers: Mapping[str, str]) -> dict[str, str]:
        return dict(headers)

    @property
    def min_interval(self) -> float:
        """Seconds between two requests to one host: the slower of delay and the rate cap."""
        rate_interval = 1.0 / self.max_requests_per_second if self.max_requests_per_second else 0.0
        return max(self.delay, rate_interval)


class ReportConfig(_Section):
    """Where the run folders go, and what a scheduled run acts on."""

    out_dir: Path = Path("reports")
    fail_on: Literal["error", "warning", "new-error", "new-warning"] | None = None
    """Exit 1 when any finding (or any new finding) of this severity or worse exists."""
    keep_runs: Annotated[int, Field(ge=1)] | None = None
    """Keep only this many newest runs of the site (None keeps all)."""
    webhook_url: str | None = None
    """POST a JSON summary here after each run (Slack-compatible ``text`` field included)."""

    @field_validator("webhook_url", mode="after")
    @classmethod
    def _http_webhook(cls, url: str | None) -> str | None:
        """``${NAME}`` is read from the environment: webhook URLs are secrets."""
        if url is None:
            return None
        url = _ENV_REF.sub(_environment_value, url)
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"expected an absolute http(s) URL, got {url!r}")
        return url


class StructuredConfig(_Section):
    """Structured-data validation settings."""

    vocabulary: Path | None = None
    """An official schema.org release file (JSON-LD); None uses the bundled release (30.0)."""


class AuditConfig(_Section):
    """The whole, validated configuration of one audit."""

    site: SiteConfig = Field(default_factory=SiteConfig)
    crawl: CrawlConfig = Field(default_factory=CrawlConfig)
    report: ReportConfig = Field(default_factory=ReportConfig)
    structured: StructuredConfig = Field(default_factory=StructuredConfig)
    rules: dict[str, Any] = Field(default_factory=dict)
    """Per-rule settings, validated against the rule registry by :func:`load_config`."""

    @property
    def site_name(self) -> str:
        """A filesystem-safe name for the run folder: ``site.name`` or the first host."""
        raw = self.site.name
        if not raw and self.site.start_urls:
            parts = urlsplit(self.site.start_urls[0])
            raw = parts.netloc.rsplit("@", 1)[-1]
        return re.sub(r"[^A-Za-z0-9._-]+", "_", raw or "site").strip("._") or "site"

    def masked(self) -> dict[str, Any]:
        """The effective configuration as plain data with every secret replaced by ``***``.

        All header values are masked (they are where credentials live), and so is
        the password part of any URL.
        """
        data = self.model_dump(mode="json")
        data["crawl"]["headers"] = dict.fromkeys(data["crawl"]["headers"], "***")
        if data["report"]["webhook_url"]:
            data["report"]["webhook_url"] = "***"
        site = data["site"]
        site["start_urls"] = [mask_url_password(url) for url in site["start_urls"]]
        if isinstance(site["sitemaps"], list):
            site["sitemaps"] = [mask_url_password(url) for url in site["sitemaps"]]
        return data


def mask_url_password(url: str) -> str:
    """Return ``url`` with the password of its userinfo, if any, replaced by ``***``."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"{parts.username}:***@{host}"))


def load_config(
    path: Path | None = None,
    overrides: dict[str, Any] | None = None,
) -> AuditConfig:
    """Load and validate a config file, then apply CLI overrides.

    Args:
        path: config.yaml to read; ``None`` means defaults only.
        overrides: dotted keys (``"crawl.max_pages"``) to values from CLI flags;
            ``None`` values are ignored so unset flags never mask the file.

    Raises:
        ConfigError: one line per problem, naming the key, the value and the expectation.
    """
    raw = _read_yaml(path) if path else {}
    flags = {dotted: value for dotted, value in (overrides or {}).items() if value is not None}
    for dotted, value in flags.items():
        _set_dotted(raw, dotted, value)
    try:
        config = AuditConfig.model_validate(raw)
    except ValidationError as exc:
        file_label = str(path) if path else "defaults"

        def source(key: str) -> str:
            from_flag = any(key == flag or key.startswith(flag + ".") for flag in flags)
            return "command line" if from_flag else file_label

        raise ConfigError(format_validation_error(exc, source)) from None
    from audit.engine import plan_rules  # the registry imports the page model: load it late

    plan_rules(config.rules, source=str(path) if path else "defaults")
    return config


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the config file ({exc.strerror})") from None
    try:
        data = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}{where}: invalid YAML: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: expected a mapping with site, crawl and report sections, "
            f"got {type(data).__name__}"
        )
    return data


class _StrictLoader(yaml.SafeLoader):
    """A SafeLoader that rejects a key given twice in one mapping (YAML says it is an error)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value_node in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"duplicate key {key!r}", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _set_dotted(data: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    node = data
    for key in parents:
        child = node.get(key)
        if not isinstance(child, dict):
            child = node[key] = {}
        node = child
    node[leaf] = value


def format_validation_error(exc: ValidationError, source: Callable[[str], str]) -> str:
    """One line per offending key, ``SOURCE: KEY: problem``; union branches share one line."""
    expectations: dict[str, list[str]] = {}
    values: dict[str, Any] = {}
    lines: dict[str, str] = {}
    for error in exc.errors():
        # pydantic names the union member it tried ("literal['auto','off']"); drop it.
        loc = [part for part in error["loc"] if not (isinstance(part, str) and "[" in part)]
        key = ".".join(str(part) for part in loc) or "(top level)"
        kind = error["type"]
        if kind == "extra_forbidden":
            lines[key] = f"unknown key{_suggestion(error['loc'])}"
        elif kind == "value_error":
            lines[key] = error["msg"].removeprefix("Value error, ")
        else:
            expected = _EXPECTED.get(kind)
            if expected is None:
                expected = error["msg"][0].lower() + error["msg"][1:]
            else:
                ctx = {name: _plain(value) for name, value in error.get("ctx", {}).items()}
                expected = expected.format(**ctx)
            expectations.setdefault(key, []).append(expected)
            values[key] = error.get("input")
    for key, expected in expectations.items():
        lines.setdefault(key, f"expected {' or '.join(expected)}, got {values[key]!r}")
    return "\n".join(
        f"{source(key)}: {key}: {line}".removeprefix(": ") for key, line in lines.items()
    )


def _plain(value: Any) -> Any:
    return f"{value:g}" if isinstance(value, float) else value


_EXPECTED = {
    "int_type": "an integer",
    "int_parsing": "an integer",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true or false",
    "bool_parsing": "true or false",
    "string_type": "a string",
    "tuple_type": "a list",
    "list_type": "a list",
    "dict_type": "a mapping",
    "model_type": "a mapping",
    "model_attributes_type": "a mapping",
    "greater_than_equal": "a value of at least {ge}",
    "greater_than": "a value above {gt}",
    "less_than_equal": "a value of at most {le}",
    "string_too_short": "a non-empty string",
    "literal_error": "{expected}",
    "path_type": "a folder path",
}


def _suggestion(loc: tuple[Any, ...]) -> str:
    *parents, unknown = loc
    model: type[BaseModel] = AuditConfig
    for part in parents:
        annotation = model.model_fields[str(part)].annotation
        if not (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
            return ""
        model = annotation
    known = list(model.model_fields)
    close = difflib.get_close_matches(str(unknown), known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f" ({hint}expected one of: {', '.join(known)})"
