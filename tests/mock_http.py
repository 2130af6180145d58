"""Shared helpers for tests that serve sites through httpx.MockTransport (no sockets)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx


class ChunkedBody(httpx.AsyncByteStream):
    """A response body streamed in chunks, as from a real socket (httpx does not pre-read it)."""

    def __init__(self, data: bytes, chunk_size: int = 65_536) -> None:
        self.data = data
        self.chunk_size = chunk_size

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for start in range(0, len(self.data), self.chunk_size):
            yield self.data[start : start + self.chunk_size]


def respond(
    status: int, headers: dict[str, str] | None = None, body: bytes = b""
) -> httpx.Response:
    """A streamed response, so the fetcher's own size caps and decoding are exercised."""
    return httpx.Response(status, headers=headers, stream=ChunkedBody(body))
