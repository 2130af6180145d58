"""A hostile HTTP/1.1 site on 127.0.0.1: one misbehaviour per URL, for crawler tests.

The server is a raw asyncio TCP server running its own event loop in a
background thread, because most faults live below what an HTTP framework lets
a handler do: a response that never starts, a body that trickles forever, a
connection reset, a Content-Length that lies. ``ROUTES`` maps each path to a
handler coroutine; ``/`` links to every one of them, so a crawl started at
``/`` meets them all. Every request line the server receives is recorded
(method, target, Host header), so a test can assert what was and was not
requested. A second server on another port (``other``) stands for "another
host": it answers everything and records every request, so a test can assert
that the crawler never contacted it.

Usage::

    with serve_hostile() as site:
        ...  # crawl site.origin + "/"
        assert not site.other.requests
"""

from __future__ import annotations

import asyncio
import html
import itertools
import json
import random
import socket
import struct
import threading
import zlib
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http import HTTPStatus
from urllib.parse import parse_qsl, urlencode, urlsplit

HTML = "text/html; charset=utf-8"
MB = 1 << 20
HUGE_BODY_BYTES = 500_000_000
BOMB_INFLATED_MB = 1024  # the gzip bomb inflates to 1 GiB (~1 MB on the wire)
NESTED_DIVS = 50_000
JSONLD_BYTES = 5 * MB
HUGE_HEADERS = 40
HUGE_HEADER_BYTES = 8 * 1024
SHORT_BODY_DECLARED, SHORT_BODY_SENT = 20_000, 600
LONG_BODY_DECLARED = 300
LONG_URL_LENGTHS = (3_000, 20_000)
CALENDAR_START = "/calendar/2026/11"
LISTING = "/listing"


@dataclass(frozen=True, slots=True)
class Request:
    """One request line the server received, with its Host header."""

    method: str
    target: str
    host: str

    @property
    def path(self) -> str:
        """The path of the target, without the query string."""
        return urlsplit(self.target).path


class Exchange:
    """One request on one connection, with the means to answer it well or badly."""

    def __init__(
        self,
        site: HostileSite,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        request: Request,
    ) -> None:
        self.site = site
        self.reader = reader
        self.writer = writer
        self.request = request

    async def head(self, status: int, headers: list[tuple[str, str]]) -> None:
        """Send the status line and headers (no body yet)."""
        phrase = HTTPStatus(status).phrase
        lines = [f"HTTP/1.1 {status} {phrase}", *(f"{name}: {value}" for name, value in headers)]
        await self.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))

    async def write(self, data: bytes) -> None:
        """Send bytes and wait until the socket buffer drains."""
        self.writer.write(data)
        await self.writer.drain()

    async def respond(
        self, status: int, body: bytes = b"", content_type: str = HTML, **extra: str
    ) -> bool:
        """A well-formed response with a Content-Length; returns True (keep-alive)."""
        headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
        headers += [(name.replace("_", "-"), value) for name, value in extra.items()]
        await self.head(status, headers)
        await self.write(body)
        return True

    def reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0) instead of a clean close."""
        sock = self.writer.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.writer.transport.abort()


Handler = Callable[[Exchange], Awaitable[bool]]
"""Answers one request; returns True to keep the connection open for the next one."""


def page(title: str, body: str = "", head: str = "") -> bytes:
    """A small valid HTML page."""
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>{head}</head><body><h1>{html.escape(title)}</h1>"
        f"{body}</body></html>"
    ).encode()


def links(*hrefs: str) -> str:
    """``<a>`` elements for ``hrefs`` (escaped), one per line."""
    return "\n".join(
        f'<p><a href="{html.escape(href)}">{html.escape(href[:80])}</a></p>' for href in hrefs
    )


# --- handlers: one misbehaviour each ---------------------------------------------------------


async def index(ex: Exchange) -> bool:
    hrefs = [path for path in ROUTES if path not in ("/", "/robots.txt")]
    return await ex.respond(200, page("Hostile site", links(*hrefs, CALENDAR_START, LISTING)))


async def robots_txt(ex: Exchange) -> bool:
    return await ex.respond(200, b"User-agent: *\nAllow: /\n", "text/plain")


async def never_starts(ex: Exchange) -> bool:
    """Read the request, then never send a byte."""
    await asyncio.Event().wait()
    return False


async def trickle(ex: Exchange) -> bool:
    """Headers at once, then one byte a second, forever (no read timeout ever fires)."""
    await ex.head(200, [("Content-Type", HTML), ("Connection", "close")])
    await ex.write(b"<!doctype html><html><head><title>Trickle</title></head><body>")
    while True:
        await asyncio.sleep(1)
        await ex.write(b".")


async def huge_body(ex: Exchange) -> bool:
    """A 500 MB HTML body, generated chunk by chunk (never held in memory)."""
    await ex.head(200, [("Content-Type", HTML), ("Content-Length", str(HUGE_BODY_BYTES))])
    opening = b"<!doctype html><html><head><title>Huge</title></head><body>"
    await ex.write(opening)
    chunk = b"<p>" + b"skin clinic laser care notes " * 2_200 + b"</p>\n"
    sent = len(opening)
    while sent < HUGE_BODY_BYTES:
        piece = chunk[: HUGE_BODY_BYTES - sent]
        await ex.write(piece)
        sent += len(piece)
    return False


async def gzip_bomb(ex: Exchange) -> bool:
    """~1 MB of gzip that inflates to 1 GiB of spaces, streamed block by block."""
    parts = bomb_parts()
    size = 10 + len(parts.head) + len(parts.block) * BOMB_INFLATED_MB + len(parts.tail) + 8
    headers = [
        ("Content-Type", HTML),
        ("Content-Encoding", "gzip"),
        ("Content-Length", str(size)),
    ]
    await ex.head(200, headers)
    await ex.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + parts.head)
    for _ in range(BOMB_INFLATED_MB):
        await ex.write(parts.block)
    await ex.write(parts.tail + parts.trailer())
    return True


async def redirect_loop_a(ex: Exchange) -> bool:
    return await ex.respond(302, Location="/redirect-loop-b")


async def redirect_loop_b(ex: Exchange) -> bool:
    return await ex.respond(301, Location="/redirect-loop")


async def redirect_file(ex: Exchange) -> bool:
    return await ex.respond(302, Location="file:///etc/passwd")


async def redirect_other_host(ex: Exchange) -> bool:
    return await ex.respond(302, Location=f"http://localhost:{ex.site.other.port}/via-redirect")


async def redirect_unreachable(ex: Exchange) -> bool:
    return await ex.respond(302, Location=f"http://127.0.0.1:{ex.site.dead_port}/")


async def reset_before_response(ex: Exchange) -> bool:
    """Start the status line, then abort the connection (RST): no response ever arrives."""
    await ex.write(b"HTTP/1.1 200 O")
    ex.reset()
    return False


async def reset_mid_body(ex: Exchange) -> bool:
    """Headers and part of the body, then a connection reset."""
    await ex.head(200, [("Content-Type", HTML), ("Content-Length", str(SHORT_BODY_DECLARED))])
    await ex.write(page("Reset mid-body", "<p>" + "partial " * 60)[:SHORT_BODY_SENT])
    await asyncio.sleep(0.05)
    ex.reset()
    return False


async def short_body(ex: Exchange) -> bool:
    """Content-Length promises more than is sent; then the connection closes cleanly."""
    await ex.head(200, [("Content-Type", HTML), ("Content-Length", str(SHORT_BODY_DECLARED))])
    await ex.write(page("Short body", "<p>" + "partial " * 60)[:SHORT_BODY_SENT])
    return False


async def long_body(ex: Exchange) -> bool:
    """Content-Length promises less than is sent (the rest is garbage for the next response)."""
    body = page("Long body", "<p>" + "overflow " * 500 + "</p>")
    await ex.head(200, [("Content-Type", HTML), ("Content-Length", str(LONG_BODY_DECLARED))])
    await ex.write(body)
    return False


async def empty(ex: Exchange) -> bool:
    return await ex.respond(200, b"")


async def binary(ex: Exchange) -> bool:
    """Random bytes (NULs and all) served as text/html."""
    return await ex.respond(200, random.Random(8).randbytes(200_000), "text/html")


async def latin1(ex: Exchange) -> bool:
    """A Latin-1 page whose only charset declaration is a ``<meta charset>``."""
    body = (
        '<!doctype html><html lang="fr"><head><meta charset="iso-8859-1">'
        "<title>Café crème à la carte</title></head>"
        "<body><h1>Café crème</h1><p>Déjà vu, naïve façade.</p></body></html>"
    ).encode("latin-1")
    return await ex.respond(200, body, "text/html")


async def too_many_requests(ex: Exchange) -> bool:
    if ex.site.hit(ex.request.path) == 1:
        return await ex.respond(429, b"slow down", "text/plain", Retry_After="1")
    return await ex.respond(200, page("Recovered from 429"))


async def unavailable(ex: Exchange) -> bool:
    if ex.site.hit(ex.request.path) == 1:
        return await ex.respond(503, b"back soon", "text/plain", Retry_After="1")
    return await ex.respond(200, page("Recovered from 503"))


async def server_error(ex: Exchange) -> bool:
    return await ex.respond(500, page("Internal Server Error"))


async def deep_nesting(ex: Exchange) -> bool:
    body = "<div>" * NESTED_DIVS + "<p>deep inside</p>" + "</div>" * NESTED_DIVS
    return await ex.respond(200, page("Deep nesting", body))


async def huge_jsonld(ex: Exchange) -> bool:
    return await ex.respond(200, huge_jsonld_page())


async def huge_headers(ex: Exchange) -> bool:
    filler = "x" * HUGE_HEADER_BYTES
    body = page("Huge headers")
    headers = [(f"X-Filler-{index}", filler) for index in range(HUGE_HEADERS)]
    await ex.head(200, [("Content-Type", HTML), ("Content-Length", str(len(body))), *headers])
    await ex.write(body)
    return True


async def bad_links(ex: Exchange) -> bool:
    """Links a crawler must never request: other schemes, malformed URLs, other hosts."""
    site = ex.site
    hrefs = [
        "mailto:clinic@example.com",
        "javascript:alert(1)",
        "tel:+886-2-1234-5678",
        "data:text/html,<h1>hi</h1>",
        "file:///etc/passwd",
        f"ftp://127.0.0.1:{site.port}/prices.pdf",
        "http://[::1",
        "http://exa mple.com/",
        "https:///x",
        f"http://localhost:{site.other.port}/via-link",
        f"http://127.0.0.1:{site.other.port}/via-link",
        f"//localhost:{site.other.port}/protocol-relative",
        *(f"/long/{'a' * length}" for length in LONG_URL_LENGTHS),
    ]
    return await ex.respond(200, page("Bad links", links(*hrefs)))


async def calendar(ex: Exchange) -> bool:
    """An endless calendar: every month links to the previous and the next one."""
    parts = ex.request.path.strip("/").split("/")
    try:
        year, month = int(parts[1]), int(parts[2])
    except (IndexError, ValueError):
        return await ex.respond(404, page("Not found"))
    before = (year, month - 1) if month > 1 else (year - 1, 12)
    after = (year, month + 1) if month < 12 else (year + 1, 1)
    hrefs = [f"/calendar/{y}/{m:02d}" for y, m in (before, after)]
    return await ex.respond(200, page(f"Events {year}-{month:02d}", links(*hrefs)))


async def listing(ex: Exchange) -> bool:
    """A listing that links to itself in ever more sort/page/session permutations."""
    query = dict(parse_qsl(urlsplit(ex.request.target).query))
    number = query.get("page", "1")
    page_number = int(number) if number.isdigit() else 1
    variants = [(sort, page_number) for sort in "abc"]
    variants.append((query.get("sort", "a"), page_number + 1))
    hrefs = [
        f"{LISTING}?{urlencode({'sort': s, 'page': n, 'sessionid': ex.site.session()})}"
        for s, n in variants
    ]
    return await ex.respond(200, page(f"Listing page {page_number}", links(*hrefs)))


async def not_found(ex: Exchange) -> bool:
    return await ex.respond(404, page("Not found"))


ROUTES: dict[str, Handler] = {
    "/": index,
    "/robots.txt": robots_txt,
    "/never-starts": never_starts,
    "/trickle": trickle,
    "/huge-body": huge_body,
    "/gzip-bomb": gzip_bomb,
    "/redirect-loop": redirect_loop_a,
    "/redirect-loop-b": redirect_loop_b,
    "/redirect-file": redirect_file,
    "/redirect-other-host": redirect_other_host,
    "/redirect-unreachable": redirect_unreachable,
    "/reset": reset_before_response,
    "/reset-mid-body": reset_mid_body,
    "/short-body": short_body,
    "/long-body": long_body,
    "/empty": empty,
    "/binary": binary,
    "/latin1": latin1,
    "/too-many-requests": too_many_requests,
    "/unavailable": unavailable,
    "/server-error": server_error,
    "/deep-nesting": deep_nesting,
    "/huge-jsonld": huge_jsonld,
    "/huge-headers": huge_headers,
    "/bad-links": bad_links,
}
PREFIX_ROUTES: dict[str, Handler] = {"/calendar/": calendar, LISTING: listing}


def route(path: str) -> Handler:
    """The handler for a request path (exact routes first, then prefixes, else a 404)."""
    if path in ROUTES:
        return ROUTES[path]
    for prefix, handler in PREFIX_ROUTES.items():
        if path.startswith(prefix):
            return handler
    return not_found


# --- payloads built once ---------------------------------------------------------------------


@dataclass(frozen=True)
class BombParts:
    """A gzip member cut into pieces: header block, one repeatable 1 MiB block, the end."""

    prefix: bytes
    head: bytes
    block: bytes
    tail: bytes

    def trailer(self) -> bytes:
        """CRC-32 and size of the whole inflated payload (computed only if a client gets here)."""
        crc = zlib.crc32(self.prefix)
        spaces = b" " * MB
        for _ in range(BOMB_INFLATED_MB):
            crc = zlib.crc32(spaces, crc)
        size = len(self.prefix) + BOMB_INFLATED_MB * MB
        return struct.pack("<II", crc, size & 0xFFFFFFFF)


_BOMB: list[BombParts] = []


def bomb_parts() -> BombParts:
    """Deflate 1 MiB of spaces once; after a full flush every 1 MiB block compresses the same."""
    if not _BOMB:
        prefix = b"<!doctype html><html><head><title>Bomb</title></head><body>"
        deflate = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
        head = deflate.compress(prefix) + deflate.flush(zlib.Z_FULL_FLUSH)
        block = deflate.compress(b" " * MB) + deflate.flush(zlib.Z_FULL_FLUSH)
        _BOMB.append(BombParts(prefix, head, block, deflate.flush(zlib.Z_FINISH)))
    return _BOMB[0]


def huge_jsonld_page() -> bytes:
    """A page whose one JSON-LD block is an ItemList of about 5 MB."""
    item = "Laser toning, pico laser and acne scar care " * 8
    elements = []
    size = 0
    for position in itertools.count(1):
        element = {
            "@type": "ListItem",
            "position": position,
            "name": f"Treatment {position}",
            "description": item,
        }
        elements.append(element)
        size += len(item) + 80
        if size >= JSONLD_BYTES:
            break
    data = {"@context": "https://schema.org", "@type": "ItemList", "itemListElement": elements}
    script = f'<script type="application/ld+json">{json.dumps(data)}</script>'
    return page("Huge JSON-LD", "<p>A very long list.</p>", head=script)


# --- the servers -----------------------------------------------------------------------------


@dataclass
class RecordingServer:
    """Another host: answers 200 to anything and records every request it gets."""

    port: int = 0
    requests: list[Request] = field(default_factory=list)

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request = await read_request(reader)
            if request is not None:
                self.requests.append(request)
                body = b"you should never see this"
                writer.write(
                    b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n"
                    + f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass
        finally:
            writer.close()


class HostileSite:
    """The hostile server and its recording neighbour, on one event loop in a thread."""

    def __init__(self) -> None:
        self.requests: list[Request] = []
        self.other = RecordingServer()
        self.port = 0
        self.dead_port = _free_port()  # nothing listens there
        self._hits: dict[str, int] = {}
        self._sessions = itertools.count(1)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="hostile", daemon=True)
        self._servers: list[asyncio.Server] = []
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def origin(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://127.0.0.1:{self.port}"

    def paths(self) -> list[str]:
        """Every request target received, in order (path and query)."""
        return [request.target for request in list(self.requests)]

    def hit(self, path: str) -> int:
        """Count a request to ``path``; return how many it has had (this one included)."""
        self._hits[path] = self._hits.get(path, 0) + 1
        return self._hits[path]

    def session(self) -> str:
        """A new session id for the listing trap."""
        return f"s{next(self._sessions):06d}"

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()

    async def _start(self) -> None:
        main = await asyncio.start_server(self._serve, "127.0.0.1", 0, limit=MB)
        other = await asyncio.start_server(self.other.serve, "127.0.0.1", 0)
        self._servers = [main, other]
        self.port = main.sockets[0].getsockname()[1]
        self.other.port = other.sockets[0].getsockname()[1]

    async def _stop(self) -> None:
        for server in self._servers:
            server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        for server in self._servers:
            await server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)  # type: ignore[arg-type]
        try:
            while True:
                request = await read_request(reader)
                if request is None:
                    break
                self.requests.append(request)
                exchange = Exchange(self, reader, writer, request)
                if not await route(request.path)(exchange):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
            pass  # the client went away, which is what clients of this server should do
        except asyncio.CancelledError:
            pass  # stop(): end quietly (asyncio logs a traceback for a cancelled handler)
        finally:
            self._tasks.discard(task)  # type: ignore[arg-type]
            if not writer.transport.is_closing():
                writer.close()


async def read_request(reader: asyncio.StreamReader) -> Request | None:
    """Read one request head (no request bodies: the crawler only sends GET); None at EOF."""
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    lines = head.decode("latin-1").split("\r\n")
    method, _, rest = lines[0].partition(" ")
    target = rest.rpartition(" ")[0] or rest
    host = ""
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "host":
            host = value.strip()
    return Request(method, target, host)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serve_hostile() -> Iterator[HostileSite]:
    """Run the hostile site (and its recording neighbour) for the duration of the block."""
    site = HostileSite()
    site.start()
    try:
        yield site
    finally:
        site.stop()
