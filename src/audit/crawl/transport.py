"""The network transport under the fetcher's ``httpx.AsyncClient``: aiohttp.

httpx stays the fetcher's API (tests inject ``httpx.MockTransport``), but its
own connection pool costs ~4 ms of CPU per request at a crawl's concurrency,
more than parsing the page, while aiohttp's costs ~0.5 ms (bench/RESULTS.md).
So requests go through the ``httpx-aiohttp`` transport with a session set up
for crawling: no cookie jar of its own (httpx keeps cookies), no automatic
decompression (the fetcher inflates with a size cap), no proxy variables.

aiohttp's exceptions are mapped to the httpx exception a user would expect,
with the original message kept: a server that closes the connection is a
protocol error, a body shorter than its Content-Length a read error, an
over-long header line a protocol error.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import aiohttp
import httpx
from aiohttp import client_exceptions as aio
from httpx_aiohttp import AiohttpTransport

# Most specific first: the first match wins.
_MAPPING: tuple[tuple[type[BaseException], type[httpx.TransportError]], ...] = (
    (aio.ConnectionTimeoutError, httpx.ConnectTimeout),
    (aio.ServerTimeoutError, httpx.ReadTimeout),
    (aio.ClientConnectorError, httpx.ConnectError),
    (aio.ServerDisconnectedError, httpx.RemoteProtocolError),
    (aio.ClientPayloadError, httpx.ReadError),
    (aio.ClientResponseError, httpx.RemoteProtocolError),
    (aio.InvalidURL, httpx.UnsupportedProtocol),
    (aio.NonHttpUrlClientError, httpx.UnsupportedProtocol),
    (aio.ClientOSError, httpx.ReadError),
    (aio.ClientConnectionError, httpx.ReadError),
    (aio.ClientError, httpx.RemoteProtocolError),
)


@contextlib.contextmanager
def _mapped() -> Iterator[None]:
    try:
        yield
    except httpx.HTTPError as exc:
        cause = exc.__cause__
        if isinstance(cause, aio.ClientError):
            raise _translate(cause) from cause
        raise
    except aio.ClientError as exc:
        raise _translate(exc) from exc


def _translate(exc: aio.ClientError) -> httpx.TransportError:
    message = str(exc).strip() or type(exc).__name__
    for source, target in _MAPPING:
        if isinstance(exc, source):
            return target(message)
    return httpx.RemoteProtocolError(message)


class _MappedStream(httpx.AsyncByteStream):
    def __init__(self, stream: httpx.AsyncByteStream) -> None:
        self._stream = stream

    async def __aiter__(self):  # type: ignore[override]
        with _mapped():
            async for chunk in self._stream:
                yield chunk

    async def aclose(self) -> None:
        with _mapped():
            await self._stream.aclose()


class CrawlTransport(AiohttpTransport):
    """``AiohttpTransport`` with a crawler's session and precise exception mapping."""

    def __init__(self, max_connections: int) -> None:
        super().__init__(limits=httpx.Limits(max_connections=max_connections), trust_env=False)
        self.client = self._session  # built lazily: a ClientSession wants a running loop

    def _session(self) -> aiohttp.ClientSession:
        connector = aiohttp.TCPConnector(
            limit=self.limits.max_connections or 0,
            keepalive_timeout=15,
            ssl=self.ssl_context,
            ttl_dns_cache=300,
        )
        return aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=False,
            trust_env=False,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        with _mapped():
            response = await super().handle_async_request(request)
        assert isinstance(response.stream, httpx.AsyncByteStream)
        response.stream = _MappedStream(response.stream)
        return response
