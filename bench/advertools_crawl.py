"""Run advertools' crawl (Scrapy) on the bench site; runs inside bench/.venv-peers.

advertools starts ``scrapy runspider`` in a subprocess and waits for it, so the
parent's wait4 rusage covers both. Prints one JSON line: pages, seconds.

Usage (run.py does this)::

    bench/.venv-peers/bin/python bench/advertools_crawl.py http://127.0.0.1:18765/ OUT.jsonl
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from urllib.parse import urlsplit

import advertools as adv


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("output", help="a .jsonl file")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--max-pages", type=int, default=0)
    args = parser.parse_args()
    settings = {
        "LOG_LEVEL": "WARNING",
        "CONCURRENT_REQUESTS": args.concurrency,
        "CONCURRENT_REQUESTS_PER_DOMAIN": args.concurrency,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "RETRY_ENABLED": False,  # like the auditor's crawl.retries: 0
        "CLOSESPIDER_PAGECOUNT": args.max_pages,
    }
    started = time.perf_counter()
    adv.crawl(
        args.url,
        args.output,
        follow_links=True,
        # the host without its port: Scrapy's offsite filter matches host names
        allowed_domains=[urlsplit(args.url).hostname or ""],
        custom_settings=settings,
    )
    seconds = time.perf_counter() - started
    with Path(args.output).open(encoding="utf-8") as lines:
        pages = sum(1 for line in lines if line.strip())
    print(json.dumps({"pages": pages, "seconds": round(seconds, 3)}))


if __name__ == "__main__":
    main()
