"""The ``audit`` command as a user meets it: real subprocesses, exit codes, stderr, run folders."""

from __future__ import annotations

import csv
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import audit
from audit.demo import DEMO_SITE, serve_site
from audit.reporting import FINDING_COLUMNS, PAGE_COLUMNS

RUN_DIR_NAME = re.compile(r"\d{8}T\d{6}Z(-\d+)?")
COMMAND_TIMEOUT = 60


@dataclass(frozen=True)
class Finished:
    """A finished ``audit`` command."""

    cwd: Path
    returncode: int
    stdout: str
    stderr: str


def start_audit_cli(cwd: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "audit", *args],
        cwd=cwd,
        env=dict(os.environ),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_audit_cli(cwd: Path, *args: str) -> Finished:
    process = start_audit_cli(cwd, *args)
    try:
        stdout, stderr = process.communicate(timeout=COMMAND_TIMEOUT)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return Finished(cwd, process.returncode, stdout, stderr)


def assert_one_line_error(result: Finished) -> str:
    """Exit 2, exactly one ``audit: `` line on stderr, no traceback anywhere; return the line."""
    assert result.returncode == 2, result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("audit: ")
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    return lines[0]


def run_dirs(out: Path, site: str) -> list[Path]:
    site_dir = out / site
    if not site_dir.is_dir():
        return []
    return sorted(path for path in site_dir.iterdir() if RUN_DIR_NAME.fullmatch(path.name))


def read_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        rows = list(reader)
        return list(reader.fieldnames or []), rows


def read_run_json(run_dir: Path) -> dict[str, object]:
    return json.loads((run_dir / "run.json").read_text(encoding="utf-8"))


# --- usage and config errors ------------------------------------------------------------------

# name -> (files to create in the working folder, command-line arguments). These commands are
# quick, so they all run at once in one module-scoped fixture to keep the suite fast.
QUICK_COMMANDS: dict[str, tuple[dict[str, str], tuple[str, ...]]] = {
    "unknown-key": (
        {"bad.yaml": "crawl:\n  concurency: 3\n"},
        ("crawl", "--config", "bad.yaml"),
    ),
    "invalid-yaml": (
        {"bad.yaml": "site:\n  name: [unclosed\ncrawl: {\n"},
        ("crawl", "--config", "bad.yaml"),
    ),
    "missing-config": ({}, ("crawl", "--config", "missing.yaml")),
    "bad-flag": ({}, ("crawl", "http://127.0.0.1:9/", "--max-pages", "0")),
    "non-http-url": ({}, ("crawl", "ftp://example.com/")),
    "no-start-url": ({}, ("crawl",)),
    "cwd-config": ({"config.yaml": "crawl:\n  max_pagez: 3\n"}, ("crawl",)),
    "version": ({}, ("version",)),
}


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Finished]:
    started: dict[str, tuple[Path, subprocess.Popen[str]]] = {}
    try:
        for name, (files, args) in QUICK_COMMANDS.items():
            cwd = tmp_path_factory.mktemp(name)
            for file_name, text in files.items():
                (cwd / file_name).write_text(text, encoding="utf-8")
            started[name] = (cwd, start_audit_cli(cwd, *args))
        finished = {}
        for name, (cwd, process) in started.items():
            stdout, stderr = process.communicate(timeout=COMMAND_TIMEOUT)
            finished[name] = Finished(cwd, process.returncode, stdout, stderr)
        return finished
    finally:
        for _, process in started.values():
            if process.poll() is None:
                process.kill()
                process.communicate()


def test_unknown_config_key_is_one_line(quick: dict[str, Finished]) -> None:
    line = assert_one_line_error(quick["unknown-key"])
    assert line.startswith("audit: bad.yaml: crawl.concurency: unknown key")
    assert "did you mean 'concurrency'?" in line


def test_invalid_yaml_is_one_line(quick: dict[str, Finished]) -> None:
    line = assert_one_line_error(quick["invalid-yaml"])
    assert line.startswith("audit: bad.yaml:3:6: invalid YAML: ")


def test_missing_config_file_is_one_line(quick: dict[str, Finished]) -> None:
    line = assert_one_line_error(quick["missing-config"])
    assert line.startswith("audit: missing.yaml: cannot read the config file")


def test_bad_flag_value_is_one_line(quick: dict[str, Finished]) -> None:
    result = quick["bad-flag"]
    line = assert_one_line_error(result)
    assert "crawl.max_pages" in line
    assert line.endswith("expected a value of at least 1, got 0")
    assert not (result.cwd / "reports").exists()


def test_non_http_url_argument_is_one_line(quick: dict[str, Finished]) -> None:
    line = assert_one_line_error(quick["non-http-url"])
    assert "site.start_urls" in line
    assert "'ftp://example.com/'" in line


def test_no_start_url_and_no_config(quick: dict[str, Finished]) -> None:
    result = quick["no-start-url"]
    line = assert_one_line_error(result)
    assert "start_urls" in line
    assert "URL" in line
    assert not (result.cwd / "reports").exists()


def test_config_yaml_in_cwd_is_read_when_no_url(quick: dict[str, Finished]) -> None:
    line = assert_one_line_error(quick["cwd-config"])
    assert line.startswith("audit: config.yaml: crawl.max_pagez: unknown key")


def test_version(quick: dict[str, Finished]) -> None:
    result = quick["version"]
    assert result.returncode == 0
    assert result.stdout.strip() == f"site-audit {audit.__version__}"
    assert "Traceback" not in result.stderr


# --- complete runs ----------------------------------------------------------------------------


def test_demo_writes_a_complete_run_folder(tmp_path: Path) -> None:
    out = tmp_path / "OUT"
    result = run_audit_cli(tmp_path, "demo", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    (run_dir,) = run_dirs(out, "demo-clinic")
    assert RUN_DIR_NAME.fullmatch(run_dir.name)
    assert {path.name for path in run_dir.iterdir()} == {
        *(
            f"{table}.{ext}"
            for table in ("summary", "findings", "pages", "structured_data", "links")
            for ext in ("csv", "parquet")
        ),
        "run.json",
        "report.html",
        "report.xlsx",
    }

    findings_header = (run_dir / "findings.csv").read_text(encoding="utf-8").splitlines()[0]
    assert findings_header.startswith("id,url,rule,code,severity,category,message,evidence,")
    assert findings_header == ",".join(FINDING_COLUMNS)

    columns, pages = read_csv(run_dir / "pages.csv")
    assert columns == list(PAGE_COLUMNS)
    assert pages, "the demo crawl found no pages"
    start = pages[0]
    assert start["url"].startswith("http://127.0.0.1:")
    assert start["status"] == "200"

    meta = read_run_json(run_dir)
    assert meta["status"] == "complete"
    assert meta["counts"]["pages"] == len(pages)  # type: ignore[index]
    assert meta["config"]["site"]["name"] == "demo-clinic"  # type: ignore[index]
    assert f"Run folder: {run_dir}" in result.stderr.replace("\n", "")


def test_two_crawls_never_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "OUT"
    with serve_site(DEMO_SITE) as (origin, requested):
        first = run_audit_cli(tmp_path, "crawl", f"{origin}/", "--out", str(out))
        second = run_audit_cli(tmp_path, "crawl", f"{origin}/", "--out", str(out))
    assert first.returncode == 0, first.stderr
    assert second.returncode == 0, second.stderr
    assert "/" in requested
    site = origin.removeprefix("http://").replace(":", "_")
    folders = run_dirs(out, site)
    assert len(folders) == 2
    assert folders[0] != folders[1]
    for folder in folders:
        assert RUN_DIR_NAME.fullmatch(folder.name)
        assert read_run_json(folder)["status"] == "complete"
        _, pages = read_csv(folder / "pages.csv")
        assert pages
    # Both runs saw the same site, so they list the same URLs (the order may differ).
    first_urls, second_urls = (
        sorted(row["url"] for row in read_csv(folder / "pages.csv")[1]) for folder in folders
    )
    assert first_urls == second_urls


# --- interrupts -------------------------------------------------------------------------------


class SlowFanOutSite:
    """A loopback site whose pages each take ``delay`` seconds and link to 20 new pages."""

    def __init__(self, delay: float = 0.5) -> None:
        self.delay = delay
        self.lock = threading.Lock()
        self.page_requests = 0
        self.next_id = 0
        self.stopping = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                if self.path in ("/robots.txt", "/sitemap.xml"):
                    self._send(404, b"not found", "text/plain")
                    return
                with site.lock:
                    site.page_requests += 1
                    first = site.next_id
                    site.next_id += 20
                site.stopping.wait(site.delay)
                links = "".join(f'<a href="/page/{first + i}">p{first + i}</a>' for i in range(20))
                body = (
                    f"<!doctype html><html><head><title>Page {self.path}</title></head>"
                    f"<body>{links}</body></html>"
                ).encode()
                self._send(200, body, "text/html; charset=utf-8")

            def _send(self, status: int, body: bytes, mime: str) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", mime)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:
                    pass  # the crawler hung up (interrupted)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"

    def requests(self) -> int:
        with self.lock:
            return self.page_requests


@pytest.fixture
def slow_site() -> Iterator[SlowFanOutSite]:
    site = SlowFanOutSite()
    thread = threading.Thread(target=site.server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        site.stopping.set()
        site.server.shutdown()
        site.server.server_close()
        thread.join(timeout=5)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupt_keeps_what_was_collected(
    tmp_path: Path, slow_site: SlowFanOutSite, signum: signal.Signals
) -> None:
    out = tmp_path / "OUT"
    process = start_audit_cli(
        tmp_path, "crawl", f"{slow_site.origin}/", "--out", str(out), "--concurrency", "2"
    )
    try:
        for _ in range(600):  # at most ~30 s (a loaded machine starts Python slowly)
            if slow_site.requests() >= 3 or process.poll() is not None:
                break
            time.sleep(0.05)
        assert process.poll() is None, "the crawl ended before it could be interrupted"
        assert slow_site.requests() >= 3, "the crawl never reached the test site"
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()

    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert "Traceback" not in stdout
    site = slow_site.origin.removeprefix("http://").replace(":", "_")
    (run_dir,) = run_dirs(out, site)
    columns, pages = read_csv(run_dir / "pages.csv")
    assert columns == list(PAGE_COLUMNS)
    assert len(pages) >= 1
    assert pages[0]["url"] == f"{slow_site.origin}/"
    assert pages[0]["status"] == "200"
    # Far fewer pages than the site would offer: the crawl really stopped early.
    assert len(pages) < 50
    meta = read_run_json(run_dir)
    assert meta["status"] == "interrupted"
    assert meta["counts"]["pages"] == len(pages)  # type: ignore[index]
    assert meta["counts"]["not_crawled"] > 0  # type: ignore[index]
    assert (run_dir / "findings.csv").is_file()
