"""Download an official schema.org release file once and keep it in a cache folder.

``download_release(url, cache_dir)`` fetches a release file in the official format
(for example ``https://schema.org/version/latest/schemaorg-current-https.jsonld``),
checks that it is a JSON-LD ``@graph`` of ``rdfs:Class`` / ``rdf:Property`` entries,
and stores it as ``cache_dir/<file name>``. Later calls return the cached file
without touching the network (``refresh=True`` fetches again). Load the result
with ``Vocabulary.from_file(path)``.

Nothing is written unless the whole file arrived and passed the checks, so a
failed download never leaves a half file that a later run would trust.
"""

from __future__ import annotations

import json
import logging
import os
import re
import tempfile
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import httpx

from audit.errors import VocabularyDownloadError

log = logging.getLogger(__name__)

MAX_BYTES = 50 * 1024 * 1024
TIMEOUT = httpx.Timeout(60.0, connect=10.0)
DEFAULT_NAME = "schemaorg-release.jsonld"
_CLASS_TYPES = frozenset({"rdfs:Class", "http://www.w3.org/2000/01/rdf-schema#Class"})
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def cache_path(url: str, cache_dir: Path) -> Path:
    """Where the release at ``url`` is cached: ``cache_dir`` / the URL's file name."""
    name = _UNSAFE.sub("-", unquote(Path(urlsplit(url).path).name)).strip(".-")
    return cache_dir / (name or DEFAULT_NAME)


def download_release(
    url: str,
    cache_dir: Path,
    *,
    transport: httpx.BaseTransport | None = None,
    refresh: bool = False,
) -> Path:
    """Fetch the release file at ``url`` once and return the path of the cached copy.

    Args:
        url: an http(s) URL of an official release file (JSON-LD).
        cache_dir: the folder to keep it in (created when missing).
        transport: an httpx transport (tests pass ``httpx.MockTransport``).
        refresh: download again even when a cached copy exists.

    Raises:
        VocabularyDownloadError: the request failed, the response was not 200, the
            file exceeds 50 MB, or it is not a JSON-LD graph of schema.org classes.
    """
    target = cache_path(url, cache_dir)
    if target.is_file() and not refresh:
        log.debug("schema.org release %s cached at %s", url, target)
        return target
    if urlsplit(url).scheme not in ("http", "https"):
        raise VocabularyDownloadError(f"cannot download {url!r}: only http(s) URLs are supported")
    body = _fetch(url, transport)
    _validate(url, body)
    cache_dir.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=cache_dir, prefix=".download-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(body)
        Path(temporary).replace(target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    log.info("downloaded schema.org release %s to %s (%d bytes)", url, target, len(body))
    return target


def _fetch(url: str, transport: httpx.BaseTransport | None) -> bytes:
    try:
        with (
            httpx.Client(transport=transport, timeout=TIMEOUT, follow_redirects=True) as client,
            client.stream("GET", url, headers={"Accept": "application/ld+json"}) as response,
        ):
            if response.status_code != 200:
                raise VocabularyDownloadError(
                    f"cannot download the schema.org release {url}: "
                    f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
                )
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > MAX_BYTES:
                raise VocabularyDownloadError(_too_large(url))
            chunks, size = [], 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > MAX_BYTES:
                    raise VocabularyDownloadError(_too_large(url))
                chunks.append(chunk)
            return b"".join(chunks)
    except httpx.HTTPError as exc:
        raise VocabularyDownloadError(
            f"cannot download the schema.org release {url}: {type(exc).__name__}: {exc}"
        ) from exc


def _too_large(url: str) -> str:
    return f"the schema.org release {url} is larger than {MAX_BYTES // (1024 * 1024)} MB"


def _validate(url: str, body: bytes) -> None:
    try:
        document: Any = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise VocabularyDownloadError(
            f"{url} is not a schema.org release file: it is not valid JSON ({exc})"
        ) from exc
    graph = document.get("@graph") if isinstance(document, dict) else None
    if not isinstance(graph, list):
        raise VocabularyDownloadError(
            f"{url} is not a schema.org release file: it has no JSON-LD @graph list"
        )
    for entry in graph:
        kinds = entry.get("@type") if isinstance(entry, dict) else None
        names = [kind for kind in (kinds if isinstance(kinds, list) else [kinds]) if kind]
        if _CLASS_TYPES.intersection(name for name in names if isinstance(name, str)):
            return
    raise VocabularyDownloadError(
        f"{url} is not a schema.org release file: its @graph has no rdfs:Class entries"
    )
