"""The page lacks one of the basic Open Graph tags, or its og:image or og:url is not a full URL.

## What it does
Reports, in one finding, which of `og:title`, `og:description`, `og:image` and
`og:url` are missing or empty (`og:image:url` and `og:image:secure_url` stand in
for `og:image`). Then reports `og:image` and `og:url` when their value is not an
absolute `http://` or `https://` URL: a relative path (`/img/share.jpg`), a
protocol-relative one (`//cdn.example/share.jpg`) or another scheme (`data:`).

## Why is this bad?
Facebook, LinkedIn, WhatsApp, Slack, LINE and most chat apps build the preview
of a shared link from these four tags. Without them the preview falls back to a
guessed title, a random image from the page or no card at all, and shared links
get fewer clicks. The crawlers of these networks do not resolve relative URLs,
so a relative `og:image` shows no picture.

## Example
```html
<head><title>Rosacea treatment | Harbor Light</title>
<meta property="og:title" content="Rosacea treatment">
<meta property="og:image" content="/img/rosacea-share.jpg"></head>
```

Use instead:
```html
<head><title>Rosacea treatment | Harbor Light</title>
<meta property="og:title" content="Rosacea treatment">
<meta property="og:description" content="How shallow micro-injections calm rosacea.">
<meta property="og:image" content="https://clinic.example/img/rosacea-share.jpg">
<meta property="og:url" content="https://clinic.example/treatments/rosacea/"></head>
```

## Options
- `required`: the Open Graph properties every page must have (default `og:title`,
  `og:description`, `og:image`, `og:url`).

## References
- [The Open Graph protocol](https://ogp.me/)
- [Meta for Developers: Webmasters, sharing](https://developers.facebook.com/docs/sharing/webmasters/)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import RuleMeta

META = RuleMeta(code="C005", name="og-incomplete", category="social", severity=Severity.WARNING)


@dataclass(frozen=True)
class Options:
    """Settings of og-incomplete."""

    required: tuple[str, ...] = ("og:title", "og:description", "og:image", "og:url")


_ALIASES = {"og:image": ("og:image", "og:image:url", "og:image:secure_url")}
_URL_PROPERTIES = ("og:image", "og:image:url", "og:image:secure_url", "og:url")


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding for the missing tags, then one per tag that is not an absolute URL."""
    tags = page.open_graph
    missing = []
    for name in opts.required:
        key = name.strip().lower()
        names = _ALIASES.get(key, (key,))
        if not any(tags.get(alias) for alias in names):
            empty = any(alias in tags for alias in names)
            missing.append(f"{key} (empty)" if empty else key)
    if missing:
        first = page.tree.css_first('meta[property^="og:" i]')
        listed = ", ".join(missing)
        image_missing = any(name.startswith("og:image") for name in missing)
        yield META.finding(
            page,
            f"Open Graph tags missing: {listed}."
            if first is not None
            else f"The page has no Open Graph tags (missing: {listed}).",
            evidence=(first.html or "") if first is not None else "",
            selector=page.selector(first) if first is not None else "head",
            fix=(
                f"Fill in {listed.replace(' (empty)', '')} in the page's <head> (most SEO plugins "
                "have a 'social' section for this)"
                + ("; use a share image of at least 1200 by 630 pixels." if image_missing else ".")
            ),
        )
    for name in _URL_PROPERTIES:
        value = tags.get(name, "")
        problem = _url_problem(value) if value else None
        if problem is None:
            continue
        node = page.tree.css_first(f'meta[property="{name}" i]')
        absolute = ""
        if problem in (_RELATIVE, _PROTOCOL_RELATIVE):
            try:
                absolute = urljoin(page.base_url, value)
            except ValueError:  # a malformed <base href>: no suggestion then
                absolute = ""
        better = f" such as {absolute}" if absolute.startswith(("http://", "https://")) else ""
        yield META.finding(
            page,
            f'{name} is {problem} ("{value[:80]}"); social networks need a full http(s) address.',
            evidence=(node.html or "") if node is not None else value,
            selector=page.selector(node) if node is not None else "head",
            fix=f"Write {name} as a full address starting with https://{better}.",
        )


_RELATIVE = "a relative URL"
_PROTOCOL_RELATIVE = "a protocol-relative URL"


def _url_problem(value: str) -> str | None:
    """Why ``value`` is not an absolute http(s) URL; None when it is one."""
    if value.startswith("//"):
        return _PROTOCOL_RELATIVE
    try:
        parts = urlsplit(value)
    except ValueError:
        return "not a valid URL"
    scheme = parts.scheme.lower()
    if scheme in ("http", "https"):
        return None if parts.netloc else "an http(s) URL without a host name"
    return f"a {scheme}: URL, not http(s)" if scheme else _RELATIVE
