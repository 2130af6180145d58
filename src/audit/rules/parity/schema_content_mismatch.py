"""The structured data says something other than the page: headline, description, FAQ or URL.

## What it does
Compares the page-level structured data with what the page shows, and reports
one finding per mismatch with both values in the message:

- the `headline` and `name` of the main WebPage node (any WebPage type, such as
  MedicalWebPage) and of the main Article node (Article, BlogPosting,
  NewsArticle, …) against the `<title>` and the first `<h1>`: reported only when
  the text matches neither. Texts are compared after NFKC normalisation (full-width
  characters), case folding and removal of punctuation and spaces; one containing
  the other is a match (titles often end in " | Clinic name"), and so is a token
  overlap of at least `min_similarity` (Chinese and Japanese text is compared by
  character pairs);
- the `description` of those nodes against the meta description, the same way;
- every FAQPage question (`Question.name`) and answer (`acceptedAnswer.text`,
  HTML tags stripped) that does not appear in the visible text of the page;
- the `mainEntityOfPage`, `url` and `@id` of those nodes against the canonical
  URL (relative values resolved against the page; a fragment such as `#webpage`
  is ignored; blank-node and non-web identifiers are skipped).

The main Article is the WebPage's `mainEntity`, else the only top-level Article,
else the first one naming a `mainEntityOfPage`.

## Why is this bad?
Google's structured data guidelines require markup to describe the content that
visitors see; markup that contradicts the page is treated as misleading and can
cost the page its rich results or earn a manual action. A stale headline or URL
usually means the page was renamed or moved and the markup was not updated, so
search engines and AI assistants quote an old title or point to a wrong address.

## Example
```html
<head><title>Rosacea treatment | Harbor Light Clinic</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalWebPage",
 "headline": "Acne scar laser packages"}
</script></head>
<body><h1>Rosacea treatment</h1></body>
```

Use instead:
```html
<head><title>Rosacea treatment | Harbor Light Clinic</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalWebPage",
 "headline": "Rosacea treatment"}
</script></head>
<body><h1>Rosacea treatment</h1></body>
```

## Options
- `min_similarity` (float, default 0.5): the smallest share of words (or CJK
  character pairs) of the shorter text that must also occur in the other one
  for a headline, name or description to count as the same text.

## References
- [Google: General structured data guidelines (content)](https://developers.google.com/search/docs/appearance/structured-data/sd-policies#content)
- [Google: Article structured data](https://developers.google.com/search/docs/appearance/structured-data/article)
- [schema.org: mainEntityOfPage](https://schema.org/mainEntityOfPage)
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from audit.crawl.urls import normalize_url
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import RuleMeta
from audit.rules.parity._faq import faq_mismatches
from audit.rules.parity._text import normalize, primary_nodes, quote, similar
from audit.structured.nodes import Node, Ref

META = RuleMeta(
    code="D301",
    name="schema-content-mismatch",
    category="structured-data",
    severity=Severity.WARNING,
)

_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")


@dataclass(frozen=True)
class Options:
    """Settings of schema-content-mismatch."""

    min_similarity: float = 0.5


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per structured-data value that contradicts the page."""
    data = page.structured
    if not data.typed_nodes:
        return
    primary = primary_nodes(data)
    yield from _titles(page, primary, opts)
    yield from _descriptions(page, primary, opts)
    yield from faq_mismatches(page, data, META)
    yield from _urls(page, primary)


def _titles(page: Page, nodes: list[Node], opts: Options) -> Iterator[Finding]:
    title = page.title or ""
    h1 = next((heading.text for heading in page.headings if heading.level == 1), "")
    shown = [text for text in (title, h1) if text]
    if not shown:
        return
    reported: set[str] = set()
    for node in nodes:
        for prop in ("headline", "name"):
            texts = node.texts(prop)
            key = normalize(texts[0]) if texts else ""
            if not key or key in reported:
                continue
            if any(similar(text, seen, opts.min_similarity) for text in texts for seen in shown):
                continue
            reported.add(key)
            against = (
                f'matches neither the <title> "{quote(title)}" nor the first <h1> "{quote(h1)}"'
                if title and h1
                else f'does not match the <title> "{quote(title)}" (the page has no <h1>)'
                if title
                else f'does not match the <h1> "{quote(h1)}" (the page has no <title>)'
            )
            yield META.finding(
                page,
                f'The {node.label} {prop} "{quote(texts[0])}" ({node.location}) {against}.',
                evidence=texts[0],
                selector=node.location,
                fix=f"Make the {prop} in the structured data repeat the page's visible "
                "heading (the <h1>, or the <title> without the site name), or update the "
                "page title if the markup is right.",
            )


def _descriptions(page: Page, nodes: list[Node], opts: Options) -> Iterator[Finding]:
    meta = (page.meta_description or "").strip()
    if not meta:
        return
    reported: set[str] = set()
    for node in nodes:
        texts = node.texts("description")
        key = normalize(texts[0]) if texts else ""
        if not key or key in reported:
            continue
        if any(similar(text, meta, opts.min_similarity) for text in texts):
            continue
        reported.add(key)
        yield META.finding(
            page,
            f'The {node.label} description "{quote(texts[0])}" ({node.location}) does not '
            f'match the meta description "{quote(meta)}".',
            evidence=texts[0],
            selector=node.location,
            fix="Use the same summary in the structured data's description and the meta "
            "description (one of them is probably out of date).",
        )


def _urls(page: Page, nodes: list[Node]) -> Iterator[Finding]:
    canonical = next(
        (
            (raw, url)
            for raw, _ in page.canonicals
            if raw and (url := normalize_url(raw, page.base_url)) is not None
        ),
        None,
    )
    if canonical is None:
        return
    raw_canonical, canonical_url = canonical
    for node in nodes:
        for prop, value in _url_values(node):
            url = _as_url(value, page.url)
            if url is None or url == canonical_url:
                continue
            yield META.finding(
                page,
                f'The {node.label} {prop} "{quote(value)}" ({node.location}) is not the '
                f'canonical URL "{quote(raw_canonical)}".',
                evidence=value,
                selector=node.location,
                fix=f"Set {prop} to the page's canonical address ({canonical_url}), or fix the "
                "canonical link if that is the one that is out of date.",
            )


def _url_values(node: Node) -> Iterator[tuple[str, str]]:
    for value in node.values("mainEntityOfPage"):
        if isinstance(value, str):
            yield "mainEntityOfPage", value
        elif isinstance(value, Ref):
            yield "mainEntityOfPage", value.id
        elif isinstance(value, Node):
            target = value.id or value.first_text("url")
            if target:
                yield "mainEntityOfPage", target
    for value in node.texts("url"):
        yield "url", value
    if node.id:
        yield "@id", node.id


def _as_url(value: str, base: str) -> str | None:
    """The normalised URL a value names; None for fragments, blank nodes and non-web ids."""
    value = value.strip()
    if not value or value.startswith(("#", "_:")) or " " in value:
        return None
    if _SCHEME.match(value):
        if not value.lower().startswith(("http://", "https://")):
            return None
    elif not value.startswith(("/", "./", "../")) and "/" not in value:
        return None  # a bare word such as "webpage" is a local id, not a page address
    return normalize_url(value, base)
