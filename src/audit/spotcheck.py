"""``audit check``: run every page rule on a few URLs, local files or stdin.

A spot check fetches each URL once (no robots.txt, no crawl: the user named
it), or reads the file, and runs the engine on it. httpx is imported only
when a target is a URL, so checking a local file starts fast.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass, field
from pathlib import Path

from audit.config import AuditConfig
from audit.crawl.decoding import decode_html
from audit.engine import Engine, plan_rules
from audit.models import Finding
from audit.page import Page
from audit.structured.vocabulary import configure_vocabulary


@dataclass(frozen=True, slots=True)
class CheckedTarget:
    """The outcome for one target: its findings, or why it could not be checked."""

    target: str
    url: str
    findings: tuple[Finding, ...] = field(default_factory=tuple)
    error: str | None = None


def check_targets(targets: list[str], config: AuditConfig) -> list[CheckedTarget]:
    """Check each target in order; a target that cannot be read gets an ``error``, not a raise."""
    configure_vocabulary(config.structured.vocabulary)
    engine = Engine(plan_rules(config.rules))
    results = []
    for target in targets:
        try:
            url, html, headers = _load(target, config)
        except _TargetError as exc:
            results.append(CheckedTarget(target, target, error=str(exc)))
            continue
        page = Page(url, html, headers)
        results.append(CheckedTarget(target, url, tuple(engine.check_page(page))))
    return results


class _TargetError(Exception):
    """A target that could not be read or fetched."""


def _load(target: str, config: AuditConfig) -> tuple[str, str, dict[str, str]]:
    if target == "-":
        text, _ = decode_html(sys.stdin.buffer.read(), None)
        return "stdin:", text, {}
    if target.startswith(("http://", "https://")):
        return _fetch(target, config)
    path = Path(target)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise _TargetError(f"cannot read {target}: {exc.strerror}") from None
    text, _ = decode_html(data, None)
    return path.resolve().as_uri(), text, {}


def _fetch(url: str, config: AuditConfig) -> tuple[str, str, dict[str, str]]:
    from audit.crawl.fetcher import Fetcher
    from audit.crawl.urls import normalize_url

    normalized = normalize_url(url)
    if normalized is None:
        raise _TargetError(f"not a valid http(s) URL: {url}")

    async def fetch() -> tuple[str, str, dict[str, str]]:
        async with Fetcher(config.crawl) as fetcher:
            result = await fetcher.fetch(normalized)
        if result.error:
            raise _TargetError(f"{url}: {result.error}")
        if not result.ok:
            raise _TargetError(f"{url}: answered HTTP {result.status}")
        if not result.is_html:
            raise _TargetError(f"{url}: not an HTML page ({result.content_type or 'no type'})")
        return result.final_url, result.text, result.headers

    return asyncio.run(fetch())
