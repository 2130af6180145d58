"""The fetch layer: one ``httpx.AsyncClient`` per run, redirects, retries, caps, decoding.

The fetcher follows redirects itself so every hop (status and Location) is
recorded and each hop can be vetted (scheme, scope, robots.txt) before it is
requested. Bodies are streamed and capped both before and after
decompression. The transport is injectable: tests pass ``httpx.MockTransport``.
"""

from __future__ import annotations

import asyncio
import email.utils
import logging
import random
import time
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

import httpx

from audit.config import CrawlConfig
from audit.crawl.decoding import (
    BoundedInflater,
    decode_html,
    parse_content_type,
    sniff_mime,
)
from audit.crawl.politeness import Politeness
from audit.crawl.urls import normalize_url
from audit.models import HTML_TYPES, FetchResult, Hop

log = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRY_STATUSES = frozenset({429, 503})
# Network failures worth another try; timeouts are not retried (a slow page stays slow).
_TRANSIENT_ERRORS = (
    httpx.ConnectError,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
    httpx.PoolTimeout,
)

HopCheck = Callable[[str], Awaitable[str | None]]
"""Given the next URL of a redirect chain, return why it must not be requested, or None."""

BodyWanted = Callable[[str], bool]
"""Given a response's MIME type, say whether its body should be downloaded."""


def html_only(mime: str) -> bool:
    """The default body policy: download HTML documents only."""
    return mime in HTML_TYPES


def any_body(mime: str) -> bool:
    """Body policy for robots.txt and sitemaps: always download."""
    return True


@dataclass(slots=True)
class _Response:
    """One HTTP exchange (no redirect following, no retry)."""

    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    mime: str = ""
    charset: str | None = None
    raw_bytes: int = 0
    truncated: bool = False
    error: str | None = None
    transient: bool = False
    elapsed: float = 0.0


class Fetcher:
    """Fetches URLs politely with one shared client; use as an async context manager."""

    def __init__(
        self,
        config: CrawlConfig,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        politeness: Politeness | None = None,
        backoff_base: float = 0.5,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.config = config
        self.politeness = politeness or Politeness(config.per_host_concurrency, config.min_interval)
        self._backoff_base = backoff_base
        self._sleep = sleep
        timeout = config.timeout
        pool = config.concurrency + 4
        self._client = httpx.AsyncClient(
            transport=transport,
            headers={
                "User-Agent": config.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                # Only encodings we can inflate with a size cap (see decoding.BoundedInflater).
                "Accept-Encoding": "gzip, deflate",
                **config.headers,
            },
            timeout=httpx.Timeout(
                connect=timeout.connect, read=timeout.read, write=timeout.read, pool=None
            ),
            limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
            follow_redirects=False,
            trust_env=False,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        check_hop: HopCheck | None = None,
        want_body: BodyWanted = html_only,
        max_bytes: int | None = None,
    ) -> FetchResult:
        """Fetch ``url``, following redirects, retrying transient failures; never raises.

        Args:
            url: a normalised http(s) URL.
            check_hop: vets each redirect target before it is requested; a
                returned reason stops the chain there: the target is recorded
                as ``final_url`` but not requested, and ``redirect_stop`` says why.
            want_body: which MIME types to download.
            max_bytes: body cap for this call (default ``crawl.max_body_bytes``).
        """
        limit = max_bytes or self.config.max_body_bytes
        chain: list[Hop] = []
        visited = {url}
        current = url
        attempts = 0
        elapsed = 0.0
        while True:
            response, tries = await self._get_with_retries(current, want_body, limit)
            attempts += tries
            elapsed += response.elapsed
            location = response.headers.get("location")
            if response.error or response.status not in REDIRECT_STATUSES or not location:
                return self._result(url, current, response, chain, attempts, elapsed, None)
            target = normalize_url(location, base=current)
            chain.append(Hop(current, response.status, target or location))
            problem = None
            if target is None:
                problem = f"redirect to a URL that is not http(s): {location[:200]}"
            elif target in visited:
                hops = " -> ".join([*(hop.url for hop in chain), target])
                problem = f"redirect loop: {hops}"
            elif len(chain) > self.config.max_redirects:
                problem = f"too many redirects (more than {self.config.max_redirects})"
            if problem:
                response.error = problem
                return self._result(
                    url, target or location, response, chain, attempts, elapsed, problem
                )
            assert target is not None
            refusal = await check_hop(target) if check_hop else None
            if refusal:
                return self._result(url, target, response, chain, attempts, elapsed, refusal)
            visited.add(target)
            current = target

    def _result(
        self,
        url: str,
        final_url: str,
        response: _Response,
        chain: list[Hop],
        attempts: int,
        elapsed: float,
        redirect_stop: str | None,
    ) -> FetchResult:
        text, encoding = "", None
        if response.body and response.mime in HTML_TYPES:
            text, encoding = decode_html(response.body, response.charset)
        return FetchResult(
            url=url,
            final_url=final_url,
            status=response.status,
            headers=response.headers,
            body=response.body,
            text=text,
            encoding=encoding,
            content_type=response.mime,
            redirect_chain=tuple(chain),
            redirect_stop=redirect_stop,
            fetch_ms=round(elapsed * 1000, 1),
            bytes_downloaded=response.raw_bytes,
            truncated=response.truncated,
            attempts=attempts,
            error=response.error,
        )

    async def _get_with_retries(
        self, url: str, want_body: BodyWanted, limit: int
    ) -> tuple[_Response, int]:
        gate = self.politeness.gate(url)
        attempt = 0
        while True:
            attempt += 1
            async with gate.slot():
                response = await self._get_once(url, want_body, limit)
            retryable = response.transient or response.status in RETRY_STATUSES
            if not retryable or attempt > self.config.retries:
                return response, attempt
            delay = self._retry_delay(attempt, response.headers.get("retry-after"))
            log.info("retrying %s in %.1fs (%s)", url, delay, response.error or response.status)
            await self._sleep(delay)

    def _retry_delay(self, attempt: int, retry_after: str | None) -> float:
        cap = self.config.retry_after_cap
        if retry_after:
            seconds = parse_retry_after(retry_after)
            if seconds is not None:
                return min(seconds, cap)
        backoff = self._backoff_base * 2 ** (attempt - 1)
        # "Equal jitter": half fixed, half random, so each wait is longer than the last.
        return min(backoff / 2 + random.random() * backoff / 2, cap)

    async def _get_once(self, url: str, want_body: BodyWanted, limit: int) -> _Response:
        response = _Response()
        started = time.perf_counter()
        try:
            async with asyncio.timeout(self.config.timeout.total):
                await self._exchange(url, want_body, limit, response)
        except TimeoutError:
            response.error = (
                f"timed out after {self.config.timeout.total:g} s (total per-request deadline)"
            )
        except httpx.TimeoutException as exc:
            response.error = f"{_timeout_kind(exc)} timeout"
        except _TRANSIENT_ERRORS as exc:
            response.error = _describe_error(exc)
            response.transient = True
        except (httpx.HTTPError, httpx.InvalidURL, ValueError, OSError) as exc:
            response.error = _describe_error(exc)
        response.elapsed = time.perf_counter() - started
        return response

    async def _exchange(
        self, url: str, want_body: BodyWanted, limit: int, response: _Response
    ) -> None:
        async with self._client.stream("GET", url) as reply:
            response.status = reply.status_code
            response.headers = _flatten_headers(reply.headers)
            mime, response.charset = parse_content_type(reply.headers.get("content-type", ""))
            response.mime = mime
            if reply.status_code in REDIRECT_STATUSES:
                return
            if mime and not want_body(mime):
                response.raw_bytes = _content_length(reply.headers)
                return
            inflater = BoundedInflater(reply.headers.get("content-encoding", ""), limit)
            chunks: list[bytes] = []
            try:
                async for raw in reply.aiter_raw():
                    response.raw_bytes += len(raw)
                    chunks.append(inflater.feed(raw))
                    if inflater.exceeded or response.raw_bytes > limit:
                        response.truncated = True
                        break
            except zlib.error as exc:
                # Keep what inflated cleanly; the page is still audited.
                response.error = f"corrupt {inflater.encoding} body: {exc}"
            finally:
                response.body = b"".join(chunks)
            if not mime:
                response.mime = sniff_mime(response.body)
                if not want_body(response.mime):
                    response.body = b""


def parse_retry_after(value: str) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _flatten_headers(headers: httpx.Headers) -> dict[str, str]:
    flat: dict[str, str] = {}
    for name, value in headers.multi_items():
        key = name.lower()
        flat[key] = f"{flat[key]}, {value}" if key in flat else value
    return flat


def _content_length(headers: httpx.Headers) -> int:
    value = headers.get("content-length", "")
    return int(value) if value.isdigit() else 0


def _timeout_kind(exc: httpx.TimeoutException) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return "connect"
    if isinstance(exc, httpx.ReadTimeout):
        return "read"
    return "request"


def _describe_error(exc: Exception) -> str:
    detail = str(exc).strip() or type(exc).__name__
    kind = {
        httpx.ConnectError: "connection failed",
        httpx.ReadError: "connection broken while reading",
        httpx.WriteError: "connection broken while sending",
        httpx.RemoteProtocolError: "protocol error",
        httpx.UnsupportedProtocol: "unsupported protocol",
    }.get(type(exc), "request failed")
    return f"{kind}: {detail[:300]}"
