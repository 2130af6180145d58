"""The page asks search engines not to index it.

## What it does
Reports a `noindex` (or `none`, which means noindex and nofollow) directive
from any of these sources, one finding per source:

- `<meta name="robots">` (every search engine);
- `<meta name="googlebot">` or `<meta name="bingbot">` (one search engine);
- the `X-Robots-Tag` HTTP header, including the user-agent form
  `X-Robots-Tag: googlebot: noindex`.

The message names the source, so the team knows whether to look in the page
template, the SEO plugin or the server configuration. Values such as
`max-image-preview: none` are not noindex and are ignored.

## Why is this bad?
A noindex page is dropped from search results. That is right for a staff
area, a thank-you page or internal search results, and a frequent accident
elsewhere: a "discourage search engines" box left ticked after a redesign, a
staging template copied to production. This is a notice, to check that every
noindex page is meant to be hidden.

## Example
```html
<html lang="en"><head><title>Acne Scar Revision | Harbor Light Skin Clinic</title>
<meta name="robots" content="noindex, follow">
</head><body><h1>Acne scar revision</h1></body></html>
```

Use instead:
```html
<html lang="en"><head><title>Acne Scar Revision | Harbor Light Skin Clinic</title>
<meta name="robots" content="index, follow, max-image-preview: none">
</head><body><h1>Acne scar revision</h1></body></html>
```

## Options
None.

## References
- [Google: Block search indexing with noindex](https://developers.google.com/search/docs/crawling-indexing/block-indexing)
- [Google: Robots meta tag and X-Robots-Tag specifications](https://developers.google.com/search/docs/crawling-indexing/robots-meta-tag)
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta

META = RuleMeta(code="S009", name="noindex", category="seo", severity=Severity.NOTICE)
Options = NoOptions
_META_SELECTOR = 'meta[name="robots" i], meta[name="googlebot" i], meta[name="bingbot" i]'
_NOINDEX = frozenset({"noindex", "none"})
# Directives that take a value after a colon; any other "word: …" prefix is a user agent.
_VALUE_DIRECTIVES = frozenset(
    {"max-snippet", "max-image-preview", "max-video-preview", "unavailable_after"}
)
_WORDS = re.compile(r"[^\s,;]+")
_AGENT = re.compile(r"\s*([A-Za-z][\w.-]*)\s*:\s*(.*)", re.DOTALL)


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per meta tag or header that says noindex."""
    for node in page.tree.css(_META_SELECTOR):
        content = node.attributes.get("content") or ""
        if not _says_noindex(content):
            continue
        name = (node.attributes.get("name") or "").strip().lower()
        who = "search engines" if name == "robots" else name.capitalize()
        yield META.finding(
            page,
            f'The page is marked noindex by <meta name="{name}" content="{content.strip()}">: '
            f"{who} will leave it out of search results.",
            evidence=node.html or "",
            selector=page.selector(node),
            fix=f'If this page should appear in search results, remove "noindex" from the '
            f'{name} meta tag (often an SEO plugin setting such as "discourage search '
            'engines").',
        )
    header = page.headers.get("x-robots-tag", "")
    for agent in _header_noindex_agents(header):
        who = "search engines" if agent is None else agent
        yield META.finding(
            page,
            f'The page is marked noindex by the X-Robots-Tag HTTP header "{header.strip()}": '
            f"{who} will leave it out of search results.",
            evidence=f"X-Robots-Tag: {header.strip()}",
            selector="",
            fix="If this page should appear in search results, ask the web developer or "
            'host to remove "noindex" from the X-Robots-Tag header in the server settings.',
        )


def _says_noindex(content: str) -> bool:
    for directive in content.split(","):
        name, colon, _ = directive.partition(":")
        if colon:
            continue  # max-image-preview: none, unavailable_after: …
        if any(word.lower() in _NOINDEX for word in _WORDS.findall(name)):
            return True
    return False


def _header_noindex_agents(header: str) -> list[str | None]:
    """The user agents (None for all) that an X-Robots-Tag value tells not to index."""
    agents: list[str | None] = []
    agent: str | None = None
    for part in header.split(","):
        directive = part
        match = _AGENT.match(part)
        if match and match.group(1).lower() not in _VALUE_DIRECTIVES:
            agent, directive = match.group(1), match.group(2)
        elif match:
            continue
        if _says_noindex(directive) and agent not in agents:
            agents.append(agent)
    return agents
