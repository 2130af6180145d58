"""Interrupt and resume: a stopped crawl continues from its journal and ends like a full one.

The crawls run against a real loopback server (the riverside test site), the
interruption is a real SIGINT delivered to this process while the crawl runs
(the CLI's signal handling), and the resumed crawl must not request again any
page the first part recorded.
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from audit.config import load_config
from audit.crawl.crawler import CrawlStats
from audit.demo.server import serve_site
from audit.errors import ConfigError
from audit.runner import STATE_FILE, run_audit

SITE = Path(__file__).parent / "sites" / "riverside"
STOP_AFTER = 6


def config(origin: str, out: Path, **overrides: object):
    settings = {
        "site.start_urls": [f"{origin}/"],
        "site.name": "riverside",
        "report.out_dir": out,
        "crawl.concurrency": 2,
        **overrides,
    }
    return load_config(None, settings)


def table(run_dir: Path, name: str) -> list[dict[str, str]]:
    with (run_dir / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def pages(run_dir: Path, origin: str) -> dict[str, str]:
    return {
        row["url"].replace(origin, ""): row["status"] or row["error"]
        for row in table(run_dir, "pages")
    }


def findings(run_dir: Path, origin: str) -> set[tuple[str, str, str]]:
    return {
        (row["rule"], row["url"].replace(origin, ""), row["selector"])
        for row in table(run_dir, "findings")
    }


def interrupt_after(count: int):
    def progress(stats: CrawlStats) -> None:
        if stats.done == count:
            os.kill(os.getpid(), signal.SIGINT)  # handled by the runner: a graceful stop

    return progress


def test_an_interrupted_crawl_resumes_and_ends_with_the_same_pages_and_findings(
    tmp_path: Path,
) -> None:
    with serve_site(SITE) as (origin, requested):
        full = run_audit(config(origin, tmp_path / "full"))
        requested.clear()

        settings = config(origin, tmp_path / "parts")
        first = run_audit(settings, progress=interrupt_after(STOP_AFTER), handle_signals=True)
        first_requests = list(requested)
        requested.clear()
        assert first.interrupted
        assert (first.run_dir / STATE_FILE).is_file()
        meta = json.loads((first.run_dir / "run.json").read_text())
        assert meta["status"] == "interrupted"
        partial = pages(first.run_dir, origin)
        assert STOP_AFTER <= len(partial) < len(pages(full.run_dir, origin))

        second = run_audit(settings, resume=first.run_dir)
        second_requests = list(requested)

    assert second.run_dir == first.run_dir and not second.interrupted
    assert not (second.run_dir / STATE_FILE).exists()
    assert json.loads((second.run_dir / "run.json").read_text())["status"] == "complete"
    assert pages(second.run_dir, origin) == pages(full.run_dir, origin)
    assert findings(second.run_dir, origin) == findings(full.run_dir, origin)
    # Nothing recorded before the interruption was fetched again (robots.txt and
    # sitemaps are read again: they are not pages).
    fetched_again = {path for path in partial if path in second_requests}
    assert not fetched_again, fetched_again
    assert len(first_requests) + len(second_requests) < 2 * len(pages(full.run_dir, origin))


def test_resuming_a_finished_run_is_a_clear_error(tmp_path: Path) -> None:
    with serve_site(SITE) as (origin, _):
        done = run_audit(config(origin, tmp_path))
        with pytest.raises(ConfigError, match="no crawl state to resume"):
            run_audit(config(origin, tmp_path), resume=done.run_dir)


def test_cli_sigterm_then_resume(tmp_path: Path) -> None:
    """The real command line: SIGTERM mid-crawl (exit 130, a hint), then --resume (exit 0)."""
    with serve_site(SITE) as (origin, requested):
        settings = tmp_path / "config.yaml"
        settings.write_text(
            f"site:\n  start_urls: ['{origin}/']\n  name: riverside\n"
            f"crawl:\n  delay: 0.2\nreport:\n  out_dir: '{tmp_path}'\n"
        )
        command = [sys.executable, "-m", "audit", "crawl", "--config", str(settings)]
        process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while len(requested) < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
        assert process.returncode == 130, stderr
        assert "--resume" in stderr and "Traceback" not in stderr
        run_dir = tmp_path / "riverside" / os.readlink(tmp_path / "riverside" / "latest")
        assert (run_dir / STATE_FILE).is_file()
        resumed = subprocess.run(
            [*command, "--resume", str(run_dir)], capture_output=True, text=True, timeout=120
        )
    assert resumed.returncode == 0, resumed.stderr
    assert json.loads((run_dir / "run.json").read_text())["status"] == "complete"
    assert not (run_dir / STATE_FILE).exists()
