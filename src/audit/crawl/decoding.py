"""Turning response bytes into text safely: bounded decompression and charset detection.

Decompression is done here rather than by httpx so that a gzip bomb can never
inflate past the configured cap: every ``decompress`` call is given a
``max_length``.
"""

from __future__ import annotations

import codecs
import re
import zlib

from charset_normalizer import from_bytes

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""",
    re.IGNORECASE,
)
# The HTML standard maps these labels to windows-1252, which browsers actually use.
_WHATWG_ALIASES = {
    "iso-8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "l1": "cp1252",
}
_PRESCAN_BYTES = 4096
_DETECT_BYTES = 64 * 1024


class BoundedInflater:
    """Undo a Content-Encoding chunk by chunk without ever producing more than ``limit`` bytes.

    Supports ``gzip``, ``deflate`` (zlib-wrapped or raw) and ``identity``.
    """

    def __init__(self, encoding: str, limit: int) -> None:
        self.encoding = encoding.strip().lower()
        self.limit = limit
        self.produced = 0
        self.exceeded = False
        self._zlib: zlib._Decompress | None = None
        if self.encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif self.encoding == "deflate":
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS)
            self._raw_deflate_checked = False
        elif self.encoding not in ("", "identity", "none"):
            raise ValueError(f"unsupported Content-Encoding {encoding!r}")

    def feed(self, chunk: bytes) -> bytes:
        """Return the decoded bytes of ``chunk``; sets ``exceeded`` when the cap was hit."""
        room = self.limit - self.produced
        if room <= 0:
            self.exceeded = self.exceeded or bool(chunk)
            return b""
        out = chunk[:room] if self._zlib is None else self._inflate(chunk, room)
        self.produced += len(out)
        if len(out) == room and self._has_more(chunk, room):
            self.exceeded = True
        return out

    def _inflate(self, chunk: bytes, room: int) -> bytes:
        assert self._zlib is not None
        if self.encoding == "deflate" and not self._raw_deflate_checked:
            self._raw_deflate_checked = True
            try:
                return self._zlib.decompress(chunk, room)
            except zlib.error:
                # Some servers send raw deflate without the zlib header.
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
        return self._zlib.decompress(chunk, room)

    def _has_more(self, chunk: bytes, room: int) -> bool:
        if self._zlib is None:
            return len(chunk) > room
        return bool(self._zlib.unconsumed_tail)


def inflate_gzip(data: bytes, limit: int) -> tuple[bytes, bool]:
    """Gunzip a whole payload (a ``.xml.gz`` sitemap); returns the bytes and a truncation flag."""
    inflater = BoundedInflater("gzip", limit)
    out = inflater.feed(data)
    return out, inflater.exceeded


def parse_content_type(header: str) -> tuple[str, str | None]:
    """``'text/html; charset=UTF-8'`` → ``('text/html', 'UTF-8')``."""
    mime, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return mime.strip().lower(), charset


def sniff_mime(body: bytes) -> str:
    """Guess a MIME type for a response that sent none (HTML, XML or unknown)."""
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")) or b"<html" in head or b"<body" in head:
        return "text/html"
    if head.startswith(b"<?xml") or head.startswith((b"<urlset", b"<sitemapindex")):
        return "application/xml"
    return "application/octet-stream"


def decode_html(body: bytes, header_charset: str | None) -> tuple[str, str]:
    """Decode an HTML body; never raises.

    The encoding comes from, in order: a byte-order mark (which the HTML standard
    lets override the header), the Content-Type charset, a ``<meta charset>`` in
    the first 4 KB, strict UTF-8, then charset-normalizer's detection. Bytes
    that do not decode are replaced with U+FFFD.

    Returns:
        The text and the Python codec name used.
    """
    for bom, encoding in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(encoding, errors="replace"), encoding
    for label in (header_charset, _meta_charset(body)):
        encoding = _codec(label)
        if encoding and (text := _decode(body, encoding)) is not None:
            return text, encoding
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(body[:_DETECT_BYTES]).best()
    encoding = _codec(best.encoding if best else None) or "cp1252"
    return body.decode(encoding, errors="replace"), encoding


def _decode(body: bytes, encoding: str) -> str | None:
    """``body`` decoded with ``encoding``; None when the label names no usable text codec.

    A page controls its own charset label, and Python's codec registry answers to
    more than text encodings: ``<meta charset="hex">`` (or rot13, base64, zlib)
    raises LookupError, and idna or ``undefined`` raise UnicodeError even with
    ``errors="replace"``. Such a label is ignored, as a browser ignores an unknown one.
    """
    try:
        return body.decode(encoding, errors="replace")
    except (LookupError, ValueError):  # UnicodeError is a ValueError
        return None


def _meta_charset(body: bytes) -> str | None:
    match = _META_CHARSET.search(body[:_PRESCAN_BYTES])
    return match.group(1).decode("ascii", "replace") if match else None


def _codec(label: str | None) -> str | None:
    if not label:
        return None
    label = label.strip().lower()
    label = _WHATWG_ALIASES.get(label, label)
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # A UTF-16 label on a BOM-less body is almost always a lie (HTML standard).
    return "utf-8" if name.startswith("utf-16") else name
