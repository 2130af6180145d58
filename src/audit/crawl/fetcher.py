"""The fetch layer: one ``httpx.AsyncClient`` per run, redirects, retries, caps, decoding.

The fetcher follows redirects itself so every hop (status and Location) is
recorded and each hop can be vetted (scheme, scope, robots.txt) before it is
requested. Bodies are streamed and capped both before and after
decompression. The transport is injectable: tests pass ``httpx.MockTransport``.

Every failure is classified (:class:`~audit.models.ErrorKind`) from the
exception type and from the phase it happened in, never from message text: an
exception before the response headers means no response; one while the body
streams means a partial body, which is kept and audited (``body-incomplete``).

The connect, read and total limits of ``crawl.timeout`` are enforced here, on
a :class:`LoopClock` that stands still while the event loop is stalled by
synchronous work (parsing a 10 MB page, running the rules), so one heavy page
never makes the requests in flight beside it time out.
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

from audit.config import CrawlConfig, TimeoutConfig
from audit.crawl.decoding import (
    BoundedInflater,
    decode_html,
    parse_content_type,
    sniff_mime,
)
from audit.crawl.politeness import Politeness
from audit.crawl.transport import CrawlTransport
from audit.crawl.urls import normalize_url, origin
from audit.models import HTML_TYPES, ErrorKind, FetchResult, Hop

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
# What ends a body early: the connection closed or reset mid-body, or fewer bytes than
# Content-Length (h11 says so with a RemoteProtocolError).
_BODY_BREAKS = (httpx.ReadError, httpx.RemoteProtocolError)

# Failures that suggest an overloaded server (the auto-throttle slows down on them).
_OVERLOAD = frozenset({ErrorKind.TIMEOUT, ErrorKind.CONNECTION})

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
    kind: ErrorKind | None = None
    transient: bool = False
    elapsed: float = 0.0

    def fail(self, kind: ErrorKind, error: str, *, transient: bool = False) -> None:
        self.kind, self.error, self.transient = kind, error, transient


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
        credentials: dict[str, tuple[str, str]] | None = None,
    ) -> None:
        self.config = config
        self.politeness = politeness or Politeness(
            config.per_host_concurrency, config.min_interval, adaptive=config.auto_throttle
        )
        self._backoff_base = backoff_base
        self._sleep = sleep
        self.clock = LoopClock()
        pool = config.concurrency + 4
        self._client = httpx.AsyncClient(
            transport=transport if transport is not None else CrawlTransport(pool),
            headers={
                "User-Agent": config.user_agent,
                "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
                # Only encodings we can inflate with a size cap (see decoding.BoundedInflater).
                "Accept-Encoding": "gzip, deflate",
                **config.headers,
            },
            # Enforced by _Deadline on the stall-free clock instead (see the module docstring).
            timeout=httpx.Timeout(None),
            limits=httpx.Limits(max_connections=pool, max_keepalive_connections=pool),
            follow_redirects=False,
            trust_env=False,
            auth=OriginAuth(credentials) if credentials else None,
        )

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the connection pool."""
        self.clock.stop()
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
                kind = ErrorKind.REDIRECT_NOT_HTTP
                problem = f"redirect to a URL that is not http(s): {location[:200]}"
            elif target in visited:
                kind = ErrorKind.REDIRECT_LOOP
                hops = " -> ".join([*(hop.url for hop in chain), target])
                problem = f"redirect loop: {hops}"
            elif len(chain) > self.config.max_redirects:
                kind = ErrorKind.TOO_MANY_REDIRECTS
                problem = f"too many redirects (more than {self.config.max_redirects})"
            if problem:
                response.fail(kind, problem)
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
            error_kind=response.kind,
        )

    async def _get_with_retries(
        self, url: str, want_body: BodyWanted, limit: int
    ) -> tuple[_Response, int]:
        gate = self.politeness.gate(url)
        attempt = 0
        while True:
            attempt += 1
            async with gate.slot():
                self.clock.start()
                stalled = self.clock.stalled
                response = await self._get_once(url, want_body, limit)
                # Time our own busy loop kept the answer waiting is not the server's.
                server_time = response.elapsed - (self.clock.stalled - stalled)
            gate.observe(response.status, server_time, failed=response.kind in _OVERLOAD)
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
        self.clock.start()
        deadline: _Deadline | None = None
        try:
            async with asyncio.timeout(None) as scope:
                deadline = _Deadline(self.clock, self.config.timeout, scope)
                try:
                    await self._exchange(url, want_body, limit, response, deadline)
                finally:
                    deadline.close()
        except TimeoutError:
            response.fail(ErrorKind.TIMEOUT, deadline.message() if deadline else "timed out")
        except httpx.TimeoutException as exc:  # from a transport that keeps its own timeouts
            response.fail(ErrorKind.TIMEOUT, f"{_timeout_kind(exc)} timeout")
        except (httpx.HTTPError, httpx.InvalidURL, ValueError, OSError) as exc:
            response.fail(
                _error_kind(exc),
                _describe_error(exc),
                transient=isinstance(exc, _TRANSIENT_ERRORS),
            )
        response.elapsed = time.perf_counter() - started
        return response

    async def _exchange(
        self,
        url: str,
        want_body: BodyWanted,
        limit: int,
        response: _Response,
        deadline: _Deadline,
    ) -> None:
        async with self._client.stream("GET", url, extensions={"trace": deadline.trace}) as reply:
            deadline.mark("read")
            response.status = reply.status_code
            response.headers = _flatten_headers(reply.headers)
            mime, response.charset = parse_content_type(reply.headers.get("content-type", ""))
            response.mime = mime
            if reply.status_code in REDIRECT_STATUSES:
                return
            if mime and not want_body(mime):
                response.raw_bytes = _content_length(reply.headers)
                return
            chunks: list[bytes] = []
            try:
                inflater = BoundedInflater(reply.headers.get("content-encoding", ""), limit)
                async for raw in reply.aiter_raw():
                    deadline.mark()
                    response.raw_bytes += len(raw)
                    chunks.append(inflater.feed(raw))
                    if inflater.exceeded or response.raw_bytes > limit:
                        response.truncated = True
                        response.kind = ErrorKind.BODY_TOO_LARGE
                        break
            except zlib.error as exc:
                # Corrupt compressed data: what inflated before it is not worth auditing.
                encoding = reply.headers.get("content-encoding", "")
                response.fail(ErrorKind.BODY_CORRUPT, f"corrupt {encoding} body: {exc}")
            except ValueError as exc:  # a Content-Encoding we did not ask for and cannot undo
                response.fail(ErrorKind.BODY_CORRUPT, f"unreadable body: {exc}")
            except _BODY_BREAKS:
                # The answer arrived but its body did not, entirely: audit what came (and
                # retry, in case the break was a hiccup).
                response.truncated = True
                response.kind = ErrorKind.BODY_INCOMPLETE
                response.transient = True
            finally:
                response.body = b"".join(chunks)
            if not mime:
                response.mime = sniff_mime(response.body)
                if not want_body(response.mime):
                    response.body = b""


class LoopClock:
    """Event-loop time that stands still while the loop is stalled by synchronous work.

    Page parsing and the page rules run on the crawl's event loop; a heavy page
    can keep it from running for seconds. Deadlines measured in plain loop time
    would then expire for every request in flight although their servers
    answered in time (the bytes wait in the socket buffers). A heartbeat task
    wakes every ``INTERVAL`` seconds; when it wakes up more than ``THRESHOLD``
    late, the loop was stalled for that long, and :meth:`now` leaves that time
    out, including a stall that is only just over (seen from a timer that fires
    late, before the heartbeat has run).
    """

    INTERVAL = 0.05
    THRESHOLD = 0.2

    def __init__(self) -> None:
        self._stalled = 0.0
        self._last_tick = 0.0
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start the heartbeat on the running loop (once; again after a loop was closed)."""
        if self._task is None or self._task.done():
            loop = asyncio.get_running_loop()
            self._last_tick = loop.time()
            self._task = loop.create_task(self._beat(), name="fetcher-loop-clock")

    def stop(self) -> None:
        """Stop the heartbeat."""
        if self._task is not None:
            self._task.cancel()
            self._task = None

    @property
    def stalled(self) -> float:
        """Seconds the loop has been stalled so far (a stall still being noticed included)."""
        ongoing = asyncio.get_running_loop().time() - self._last_tick - self.INTERVAL
        return self._stalled + (ongoing if ongoing > self.THRESHOLD else 0.0)

    def now(self) -> float:
        """Loop time minus every stall so far."""
        return asyncio.get_running_loop().time() - self.stalled

    async def _beat(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            self._last_tick = loop.time()
            await asyncio.sleep(self.INTERVAL)
            late = loop.time() - self._last_tick - self.INTERVAL
            if late > self.THRESHOLD:
                self._stalled += late


class _Deadline:
    """The connect, read and total limits of one request, on the stall-free clock.

    The total limit always applies. Until the answer starts, connect plus read
    applies; a transport that reports httpcore's trace events refines that into
    the connect limit while a connection is being opened and the read limit once
    the request is sent. From the response headers on, the read limit is the
    longest time without any progress. When a limit passes, the
    ``asyncio.timeout`` scope around the request is made to expire.
    """

    def __init__(self, clock: LoopClock, limits: TimeoutConfig, scope: asyncio.Timeout) -> None:
        self._clock = clock
        self._limits = limits
        self._scope = scope
        self._loop = asyncio.get_running_loop()
        self.start = self.progress = clock.now()
        self.phase = "request"
        self.expired: str | None = None
        self._handle: asyncio.TimerHandle | None = None
        self._check()

    def mark(self, phase: str | None = None) -> None:
        """Record progress (a connection, the headers, body bytes); optionally a new phase."""
        self.progress = self._clock.now()
        if phase is not None and phase != self.phase and self.expired is None:
            # A new phase may have a shorter limit than the check already scheduled.
            self.phase = phase
            self.close()
            self._check()

    async def trace(self, event: str, info: dict[str, object]) -> None:
        """httpcore's trace hook: follow the phases of the exchange."""
        if event.endswith(("connect_tcp.started", "start_tls.started")):
            self.mark("connect")
        elif event.endswith("send_request_headers.started"):
            self.mark("read")
        elif event.endswith(".complete"):
            self.mark()

    def message(self) -> str:
        """Why the request timed out, in words."""
        limits = self._limits
        if self.expired == "connect":
            return f"connect timeout: no connection within {limits.connect:g} s"
        if self.expired == "read":
            return f"read timeout: no data for {limits.read:g} s"
        if self.expired == "request":
            return f"no answer within {limits.connect + limits.read:g} s (connect + read timeout)"
        return f"timed out after {limits.total:g} s (total per-request deadline)"

    def close(self) -> None:
        """Stop watching (the request is over)."""
        if self._handle is not None:
            self._handle.cancel()
            self._handle = None

    def _left(self) -> tuple[float, str]:
        now = self._clock.now()
        left, why = self.start + self._limits.total - now, "total"
        limits = self._limits
        limit = {
            "request": limits.connect + limits.read,
            "connect": limits.connect,
            "read": limits.read,
        }.get(self.phase)
        if limit is not None:
            phase_left = self.progress + limit - now
            if phase_left < left:
                left, why = phase_left, self.phase
        return left, why

    def _check(self) -> None:
        left, why = self._left()
        if left <= 0:
            self.expired = why
            self._handle = None
            self._scope.reschedule(self._loop.time())
        else:
            # Real time runs at least as fast as the stall-free clock: never too early.
            self._handle = self._loop.call_later(left, self._check)


class OriginAuth(httpx.Auth):
    """HTTP Basic credentials for some origins only (from ``user:password@`` start URLs).

    Sent to those origins and nowhere else: a redirect or sitemap pointing at
    another host never receives them.
    """

    def __init__(self, credentials: dict[str, tuple[str, str]]) -> None:
        self._auth = {key: httpx.BasicAuth(*pair) for key, pair in credentials.items()}

    def auth_flow(self, request: httpx.Request):  # type: ignore[override]
        auth = self._auth.get(origin(str(request.url)))
        if auth is None:
            yield request
        else:
            yield from auth.auth_flow(request)


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


def _error_kind(exc: Exception) -> ErrorKind:
    """No response arrived: a broken connection or an answer that is not HTTP."""
    if isinstance(exc, httpx.NetworkError | OSError):
        return ErrorKind.CONNECTION
    return ErrorKind.PROTOCOL


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
