"""Bare client loops: the ceiling a crawler can reach on this machine.

Modes (each prints one JSON line: pages, bytes, errors, seconds and CPU seconds of the
fetch phase):

- ``fetch``: aiohttp fetches every URL of the sitemap, no parsing (transport ceiling).
- ``httpx``: the same with ``httpx.AsyncClient``; ``--transport default`` (httpcore)
  or ``--transport aiohttp`` (the ``httpx-aiohttp`` package's ``AiohttpTransport``).
- ``extract``: aiohttp + selectolax lexbor parse + title/meta/canonical, strict
  JSON-LD (``json.loads`` per block) and links (only same-host hrefs resolved,
  with the page's base cached), following links breadth-first with a seen set:
  the "fetch + parse + extract" ceiling.

``--uvloop`` runs any mode on uvloop. Usage::

    python bench/fetch_loops.py extract http://127.0.0.1:18765/ --concurrency 32
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

_LOC = re.compile(rb"<loc>\s*([^<\s]+)\s*</loc>")
Fetch = Callable[[str], Awaitable[tuple[int, str, bytes]]]


@dataclass
class Tally:
    pages: int = 0
    bytes: int = 0
    errors: int = 0
    jsonld_blocks: int = 0
    links: int = 0
    seconds: float = 0.0
    cpu_seconds: float = 0.0


async def sitemap_urls(fetch: Fetch, base: str, limit: int | None) -> list[str]:
    """Every <loc> of /sitemap.xml, following a sitemap index one level."""
    _, _, body = await fetch(base.rstrip("/") + "/sitemap.xml")
    locs = [m.decode() for m in _LOC.findall(body)]
    if b"<sitemapindex" in body:
        urls: list[str] = []
        for child in locs:
            urls += [m.decode() for m in _LOC.findall((await fetch(child))[2])]
        locs = urls
    return locs[:limit] if limit else locs


async def run_pool(urls: list[str], fetch: Fetch, concurrency: int, tally: Tally) -> None:
    """Fetch a fixed list of URLs with ``concurrency`` workers."""
    iterator = iter(urls)

    async def worker() -> None:
        for url in iterator:
            try:
                _, _, body = await fetch(url)
            except Exception:
                tally.errors += 1
                continue
            tally.pages += 1
            tally.bytes += len(body)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


class Extractor:
    """Parse one page and pull out what an SEO crawler needs, resolving only same-host links."""

    def __init__(self, start: str) -> None:
        parts = urlsplit(start)
        self.origin = f"{parts.scheme}://{parts.netloc}"
        self.netloc_prefix = "//" + parts.netloc
        self.scheme = parts.scheme + ":"

    def links(self, tree: object, base: str) -> list[str]:
        found = []
        origin = self.origin
        for node in tree.css("a[href]"):  # type: ignore[attr-defined]
            href = (node.attributes.get("href") or "").strip()
            if href.startswith("//"):
                url = self.scheme + href if href.startswith(self.netloc_prefix) else None
            elif href.startswith("/"):
                url = origin + href
            elif href.startswith(origin):
                url = href
            elif not href or href.startswith("#") or ":" in href.split("/", 1)[0]:
                url = None  # fragment, or another scheme / host (mailto:, tel:, https://x)
            else:
                url = urljoin(base, href)  # page-relative: rare, resolved against the cached base
            if url:
                found.append(url.split("#", 1)[0])
        return found

    def extract(self, html: str, url: str, tally: Tally) -> list[str]:
        from selectolax.lexbor import LexborHTMLParser

        tree = LexborHTMLParser(html)
        title = tree.css_first("title")
        facts = {"title": title.text(strip=True) if title else None}
        for node in tree.css("meta[name], meta[property]"):
            attrs = node.attributes
            facts[attrs.get("name") or attrs.get("property") or ""] = attrs.get("content")
        canonical = tree.css_first('link[rel="canonical"]')
        facts["canonical"] = canonical.attributes.get("href") if canonical else None
        for node in tree.css('script[type="application/ld+json"]'):
            try:
                json.loads(node.text())
                tally.jsonld_blocks += 1
            except ValueError:
                tally.errors += 1
        base_node = tree.css_first("base[href]")
        base = urljoin(url, base_node.attributes.get("href") or "") if base_node else url
        links = self.links(tree, base)
        tally.links += len(links)
        return links


async def run_crawl(start: str, fetch: Fetch, concurrency: int, tally: Tally) -> None:
    """Breadth-first crawl from ``start``: fetch, parse, extract, follow same-host links."""
    extractor = Extractor(start)
    queue: asyncio.Queue[str] = asyncio.Queue()
    seen = {start}
    queue.put_nowait(start)

    async def worker() -> None:
        while True:
            url = await queue.get()
            try:
                status, content_type, body = await fetch(url)
                tally.pages += 1
                tally.bytes += len(body)
                if status == 200 and content_type.startswith("text/html"):
                    for link in extractor.extract(body.decode("utf-8", "replace"), url, tally):
                        if link not in seen:
                            seen.add(link)
                            queue.put_nowait(link)
            except Exception:
                tally.errors += 1
            finally:
                queue.task_done()

    workers = [asyncio.create_task(worker()) for _ in range(concurrency)]
    await queue.join()
    for task in workers:
        task.cancel()


async def main_async(args: argparse.Namespace) -> Tally:
    tally = Tally()
    if args.mode == "httpx":
        import httpx

        limits = httpx.Limits(
            max_connections=args.concurrency, max_keepalive_connections=args.concurrency
        )
        transport: httpx.AsyncBaseTransport | None = None
        if args.transport == "aiohttp":
            from httpx_aiohttp import AiohttpTransport

            transport = AiohttpTransport(limits=limits)
        async with httpx.AsyncClient(limits=limits, transport=transport) as client:

            async def fetch_httpx(url: str) -> tuple[int, str, bytes]:
                response = await client.get(url)
                return (
                    response.status_code,
                    response.headers.get("content-type", ""),
                    response.content,
                )

            urls = await sitemap_urls(fetch_httpx, args.base, args.limit)
            started, cpu = time.perf_counter(), time.process_time()
            await run_pool(urls, fetch_httpx, args.concurrency, tally)
            tally.seconds = round(time.perf_counter() - started, 3)
            tally.cpu_seconds = round(time.process_time() - cpu, 3)
        return tally
    import aiohttp

    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:

        async def fetch_aiohttp(url: str) -> tuple[int, str, bytes]:
            async with session.get(url) as response:
                body = await response.read()
                return response.status, response.headers.get("Content-Type", ""), body

        urls = (
            await sitemap_urls(fetch_aiohttp, args.base, args.limit) if args.mode == "fetch" else []
        )
        started, cpu = time.perf_counter(), time.process_time()
        if args.mode == "fetch":
            await run_pool(urls, fetch_aiohttp, args.concurrency, tally)
        else:
            await run_crawl(args.base, fetch_aiohttp, args.concurrency, tally)
        tally.seconds = round(time.perf_counter() - started, 3)
        tally.cpu_seconds = round(time.process_time() - cpu, 3)
    return tally


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=("fetch", "httpx", "extract"))
    parser.add_argument("base", help="the site's start URL, e.g. http://127.0.0.1:18765/")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--transport", choices=("default", "aiohttp"), default="default")
    parser.add_argument("--uvloop", action="store_true")
    parser.add_argument("--limit", type=int, default=None, help="fetch only the first N URLs")
    args = parser.parse_args()
    if args.uvloop:
        import uvloop

        tally = uvloop.run(main_async(args))
    else:
        tally = asyncio.run(main_async(args))
    print(json.dumps(tally.__dict__))
    sys.exit(0 if tally.pages else 1)


if __name__ == "__main__":
    main()
