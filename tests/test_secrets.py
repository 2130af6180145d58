"""Credentials from the config reach the site, and nothing else: no table, report or log."""

from __future__ import annotations

import base64
import logging
import zipfile
from pathlib import Path

import httpx
import pytest

from audit.config import load_config
from audit.runner import run_audit
from mock_http import respond

PASSWORD = "pw-s3cret-9341"
TOKEN = "tok-s3cret-5521"
COOKIE = "session=ck-s3cret-7730"
SECRETS = (PASSWORD, TOKEN, "ck-s3cret-7730")


def every_text(run_dir: Path) -> str:
    """All bytes of every file in the run folder, the workbook unzipped."""
    parts = []
    for path in run_dir.rglob("*"):
        if path.is_file():
            parts.append(path.read_bytes().decode("utf-8", "replace"))
            if path.suffix == ".xlsx":
                with zipfile.ZipFile(path) as archive:
                    parts += [
                        archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
                    ]
    return "\n".join(parts)


def test_credentials_are_sent_to_the_site_and_never_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("AUDIT_TEST_TOKEN", TOKEN)
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/":
            body = (
                "<html lang=en><head><title>Home</title></head><body><h1>Home</h1>"
                f'<a href="/a/">a</a><a href="http://user:{PASSWORD}@clinic.test/b/">b</a>'
                '<a href="http://elsewhere.test/">out</a></body></html>'
            )
            return respond(200, {"content-type": "text/html"}, body.encode())
        if request.url.path in ("/a/", "/b/"):
            return respond(500)  # an error row, so URLs appear in findings too
        return respond(404)

    settings = {
        "site.start_urls": [f"http://user:{PASSWORD}@clinic.test/"],
        "site.sitemaps": "off",
        "report.out_dir": tmp_path,
        "crawl.retries": 0,
        "crawl.headers": {"X-Api-Key": "${AUDIT_TEST_TOKEN}", "Cookie": COOKIE},
    }
    caplog.set_level(logging.DEBUG)
    outcome = run_audit(load_config(None, settings), transport=httpx.MockTransport(handler))

    expected = "Basic " + base64.b64encode(f"user:{PASSWORD}".encode()).decode()
    pages = [request for request in seen if request.url.path != "/robots.txt"]
    assert {request.url.path for request in pages} == {"/", "/a/", "/b/"}
    for request in seen:
        assert request.url.userinfo == b""  # never in the request line
        assert request.headers["authorization"] == expected
        assert request.headers["x-api-key"] == TOKEN
    written = every_text(outcome.run_dir)
    assert "clinic.test/a/" in written  # the check below reads real content
    for secret in SECRETS:
        assert secret not in written, secret
        assert secret not in caplog.text, secret
