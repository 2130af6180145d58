"""Unit tests for ``audit.crawl.decoding.decode_html``: labels a page controls never crash it."""

from __future__ import annotations

import pytest

from audit.crawl.decoding import decode_html


@pytest.mark.parametrize(
    "label", ["hex", "rot13", "base64", "zlib", "bz2", "uu", "quopri", "idna", "undefined"]
)
@pytest.mark.parametrize("where", ["meta", "header"])
def test_a_label_naming_no_text_codec_is_ignored(label: str, where: str) -> None:
    # Python's codec registry knows these names, but they are not text encodings (or refuse
    # errors="replace"): decoding with them raised LookupError or UnicodeError.
    meta = f'<meta charset="{label}">' if where == "meta" else ""
    body = f"{meta}<title>Café 診所</title>".encode()
    text, encoding = decode_html(body, label if where == "header" else None)
    assert encoding == "utf-8"
    assert "Café 診所" in text


def test_a_bad_header_label_falls_back_to_the_meta_charset() -> None:
    body = '<meta charset="big5"><title>診所</title>'.encode("big5")
    text, encoding = decode_html(body, "hex")
    assert encoding == "big5"
    assert "診所" in text
