"""A tiny static site server for the demo and for end-to-end tests (127.0.0.1 only).

Conventions of a served folder:

- ``/dir/`` serves ``dir/index.html``; a missing file is a 404.
- ``__ORIGIN__`` in any text file is replaced by ``http://127.0.0.1:PORT``, so
  sitemaps, robots.txt and canonical links can be absolute on a random port.
- ``_redirects`` (not served) holds ``FROM_PATH TO_PATH STATUS`` lines.
"""

from __future__ import annotations

import mimetypes
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

ORIGIN_PLACEHOLDER = b"__ORIGIN__"
_TEXT_TYPES = ("text/", "application/xml", "application/json", "image/svg+xml")
_HIDDEN = frozenset({"_redirects"})


def read_redirects(root: Path) -> dict[str, tuple[str, int]]:
    """Parse ``root/_redirects`` into ``{from_path: (to_path, status)}``."""
    path = root / "_redirects"
    if not path.is_file():
        return {}
    redirects = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) == 3:
            redirects[fields[0]] = (fields[1], int(fields[2]))
    return redirects


class _SiteHandler(BaseHTTPRequestHandler):
    root: Path
    redirects: dict[str, tuple[str, int]]
    origin: bytes
    requested: list[str]
    server_version = "DemoSite/1.0"
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self.requested.append(self.path)
        path = urlsplit(self.path).path
        if path in self.redirects:
            target, status = self.redirects[path]
            self.send_response(status)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        file = self._resolve(unquote(path))
        if file is None:
            self._send(
                HTTPStatus.NOT_FOUND, b"<!doctype html><title>Not found</title>", "text/html"
            )
            return
        body = file.read_bytes()
        mime = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
        if mime.startswith(_TEXT_TYPES):
            body = body.replace(ORIGIN_PLACEHOLDER, self.origin)
            mime += "; charset=utf-8"
        self._send(HTTPStatus.OK, body, mime)

    def _resolve(self, path: str) -> Path | None:
        relative = path.lstrip("/")
        if path.endswith("/"):
            relative += "index.html"
        candidate = (self.root / relative).resolve()
        inside = candidate.is_relative_to(self.root)
        if not inside or candidate.name in _HIDDEN or not candidate.is_file():
            return None
        return candidate

    def _send(self, status: HTTPStatus, body: bytes, mime: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", mime)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Silence the default access log on stderr."""


@contextmanager
def serve_site(root: Path) -> Iterator[tuple[str, list[str]]]:
    """Serve ``root`` on a free 127.0.0.1 port in a background thread.

    Yields:
        The origin (``http://127.0.0.1:PORT``) and the live list of request
        paths the server received, in order.
    """
    requested: list[str] = []
    root = root.resolve()
    handler = type(
        "SiteHandler",
        (_SiteHandler,),
        {"root": root, "redirects": read_redirects(root), "requested": requested},
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    handler.origin = origin.encode()
    thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
    thread.start()
    try:
        yield origin, requested
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
