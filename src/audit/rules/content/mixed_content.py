"""An HTTPS page loads a file, or sends a form, over plain HTTP.

## What it does
On a page served over `https://`, reports every subresource whose address
resolves to `http://`: `<img src>` and `srcset`, `<picture>`/`<video>`/`<audio>`
`<source src>` and `srcset`, `<video src>` and `poster`, `<audio src>`,
`<track src>`, `<script src>`, `<link href>` for stylesheets, icons, preloads
and manifests, `<iframe src>`, `<embed src>`, `<object data>` and
`<input type="image" src>`. A `<form action>` (or `formaction`) that submits to
`http://` is reported as an insecure form. Relative addresses are resolved
against `<base href>`, so an `http://` base makes them insecure too. Ordinary
links (`<a href="http://…">`) only navigate away and are not mixed content.
Pages served over `http://` get no findings: the whole page is insecure
there, which is a different problem. One finding per resource; after
`max_findings` one summary finding says how many more there are.

## Why is this bad?
Browsers block scripts, stylesheets and frames loaded over HTTP on an HTTPS
page, so menus, forms, videos or the whole layout break. Images and media are
retried over HTTPS and dropped when that fails, and the padlock can turn into a
"not secure" warning. Forms that submit to HTTP trigger a warning before
sending and expose what visitors type (names, phone numbers, symptoms).

## Example
```html
<head><script src="http://cdn.clinic.example/booking.js"></script></head>
<body><img src="http://clinic.example/img/dr-lin.jpg" alt="Dr. Lin Wei-Chen"></body>
```

Use instead:
```html
<head><script src="https://cdn.clinic.example/booking.js"></script></head>
<body><img src="/img/dr-lin.jpg" alt="Dr. Lin Wei-Chen">
<a href="http://partner.example/">Our partner pharmacy</a></body>
```

## Options
- `max_findings`: the most resources reported one by one on a page (default 20);
  the rest are counted in one summary finding. `0` reports every resource.

## References
- [MDN: Mixed content](https://developer.mozilla.org/en-US/docs/Web/Security/Mixed_content)
- [web.dev: What is mixed content?](https://web.dev/articles/what-is-mixed-content)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin

from selectolax.lexbor import LexborNode

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import RuleMeta

META = RuleMeta(code="C009", name="mixed-content", category="security", severity=Severity.ERROR)


@dataclass(frozen=True)
class Options:
    """Settings of mixed-content."""

    max_findings: int = 20


# (tag, attribute, what the resource is); srcset attributes hold several addresses.
_SOURCES = (
    ("img", "src", "an image"),
    ("img", "srcset", "an image"),
    ("source", "src", "a media file"),
    ("source", "srcset", "an image"),
    ("video", "src", "a video"),
    ("video", "poster", "a video poster image"),
    ("audio", "src", "an audio file"),
    ("track", "src", "a subtitle track"),
    ("script", "src", "a script"),
    ("link", "href", "a stylesheet"),
    ("iframe", "src", "an embedded frame"),
    ("frame", "src", "an embedded frame"),
    ("embed", "src", "an embedded plugin"),
    ("object", "data", "an embedded plugin"),
    ("input", "src", "an image button"),
    ("form", "action", "FORM"),
    ("button", "formaction", "FORM"),
    ("input", "formaction", "FORM"),
)
_BLOCKED = frozenset({"a script", "a stylesheet", "an embedded frame", "an embedded plugin"})
_LINK_KINDS = {
    "stylesheet": "a stylesheet",
    "icon": "an icon",
    "apple-touch-icon": "an icon",
    "mask-icon": "an icon",
    "preload": "a preloaded file",
    "modulepreload": "a script",
    "manifest": "the web app manifest",
}
# Attribute-only clauses match faster than tag-qualified ones; _addresses checks the tag.
_FAST_SELECTOR = ", ".join(
    f'[{attribute}*="http:" i]' for attribute in dict.fromkeys(attr for _, attr, _ in _SOURCES)
)
_ALL_SELECTOR = ", ".join(f"{tag}[{attribute}]" for tag, attribute, _ in _SOURCES)


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield a finding per insecure resource or form on an HTTPS page, capped."""
    if not page.url.lower().startswith("https://"):
        return
    try:
        base = page.base_url
    except ValueError:  # a malformed <base href>; browsers then use the page URL
        base = page.url
    # Relative addresses stay on HTTPS unless <base href> points at plain HTTP.
    selector = _ALL_SELECTOR if base.lower().startswith("http:") else _FAST_SELECTOR
    found: list[tuple[LexborNode, str, str]] = []
    seen: set[tuple[int, str]] = set()
    for node in page.tree.css(selector):
        for raw, kind in _addresses(node):
            try:
                absolute = urljoin(base, raw)
            except ValueError:
                continue
            key = (node.mem_id, absolute)
            if absolute[:5].lower() == "http:" and key not in seen:
                seen.add(key)
                found.append((node, raw, kind))
    shown = found if opts.max_findings <= 0 else found[: opts.max_findings]
    for node, raw, kind in shown:
        yield _finding(page, node, raw, kind)
    rest = found[len(shown) :]
    if rest:
        yield META.finding(
            page,
            f"… and {len(rest)} more insecure resource{'s' if len(rest) > 1 else ''} on this page "
            f"(only the first {len(shown)} are listed).",
            evidence=" ".join(raw for _, raw, _ in rest[:5]),
            selector=page.selector(rest[0][0]),
            fix="Change every http:// address of a file this page loads to https://.",
        )


def _addresses(node: LexborNode) -> Iterator[tuple[str, str]]:
    """Each (address as written, kind) that ``node`` loads or submits to."""
    tag = node.tag
    attributes = node.attributes
    for source_tag, attribute, kind in _SOURCES:
        if source_tag != tag or attribute not in attributes:
            continue
        value = (attributes.get(attribute) or "").strip()
        if tag == "link":
            rel = (attributes.get("rel") or "").lower().split()
            kind = next((_LINK_KINDS[token] for token in rel if token in _LINK_KINDS), "")
            if not kind:
                continue
        elif (
            tag == "input"
            and attribute == "src"
            and (attributes.get("type") or "").strip().lower() != "image"
        ):
            continue
        if attribute == "srcset":
            for address in _srcset(value):
                yield address, kind
        elif value:
            yield value, kind


def _srcset(value: str) -> list[str]:
    """The addresses in a ``srcset`` (commas inside an address are kept, as browsers do)."""
    addresses = []
    position, end = 0, len(value)
    while position < end:
        while position < end and (value[position].isspace() or value[position] == ","):
            position += 1
        start = position
        while position < end and not value[position].isspace():
            position += 1
        address = value[start:position]
        if address.endswith(","):
            address = address.rstrip(",")
        else:
            # Skip the descriptor ("2x", "640w") up to the next comma.
            while position < end and value[position] != ",":
                position += 1
        if address:
            addresses.append(address)
    return addresses


def _finding(page: Page, node: LexborNode, raw: str, kind: str) -> Finding:
    if kind == "FORM":
        return META.finding(
            page,
            f"Insecure form: it sends what visitors type to a plain HTTP address ({raw}); "
            "browsers warn before submitting and the data travels unencrypted.",
            evidence=raw,
            selector=page.selector(node),
            fix="Point the form at an https:// address (ask the developer or form provider).",
        )
    effect = (
        "browsers block it, so whatever it powers breaks"
        if kind in _BLOCKED
        else "browsers retry it over HTTPS or drop it, and may mark the page not secure"
    )
    return META.finding(
        page,
        f"The HTTPS page loads {kind} over plain HTTP ({raw}); {effect}.",
        evidence=raw,
        selector=page.selector(node),
        fix=(
            "Change the address to https:// (check that it still loads), or host the file on "
            "this site and link it with a relative path."
        ),
    )
