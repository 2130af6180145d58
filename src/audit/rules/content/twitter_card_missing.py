"""The page has no usable `twitter:card`, so links shared on X get a poorer preview or none.

## What it does
Reports a page whose `twitter:card` is missing, empty or not one of `summary`,
`summary_large_image`, `app` or `player`, unless X would show the same preview
anyway. X (Twitter) falls back to Open Graph: when `twitter:card` is absent but
`og:type`, `og:title` and `og:description` are present, it renders a small
`summary` card. So a missing `twitter:card` is reported when:

- the page has an image to share (`og:image` or `twitter:image`), because the
  fallback is the small summary card, never the large image card; or
- the Open Graph fallback is incomplete (including a page with no social tags
  at all), because then X shows the bare link with no card.

A page with a complete `og:type`/`og:title`/`og:description` fallback and no
image is not reported: `twitter:card="summary"` would change nothing.
`og-incomplete` reports missing Open Graph tags separately.

## Why is this bad?
Posts with a large image card stand out in the feed and get more clicks than
a bare link or a small thumbnail. Without the tag, a carefully chosen share
image is shrunk to a thumbnail, or the post shows only the URL.

## Example
```html
<head><title>Rosacea treatment | Harbor Light</title>
<meta property="og:type" content="article">
<meta property="og:title" content="Rosacea treatment">
<meta property="og:description" content="How shallow micro-injections calm rosacea.">
<meta property="og:image" content="https://clinic.example/img/rosacea-share.jpg"></head>
```

Use instead:
```html
<head><title>Rosacea treatment | Harbor Light</title>
<meta name="twitter:card" content="summary_large_image">
<meta property="og:type" content="article">
<meta property="og:title" content="Rosacea treatment">
<meta property="og:description" content="How shallow micro-injections calm rosacea.">
<meta property="og:image" content="https://clinic.example/img/rosacea-share.jpg"></head>
```

## Options
None.

## References
- [X Developer Platform: Cards markup (twitter:card and Open Graph fallback)](https://developer.x.com/en/docs/x-for-websites/cards/overview/markup)
- [X Developer Platform: Summary card with large image](https://developer.x.com/en/docs/x-for-websites/cards/overview/summary-card-with-large-image)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.dom import clip
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta

META = RuleMeta(
    code="C010", name="twitter-card-missing", category="social", severity=Severity.NOTICE
)
Options = NoOptions

CARD_TYPES = frozenset({"summary", "summary_large_image", "app", "player"})
_FALLBACK = ("og:type", "og:title", "og:description")
_IMAGES = ("og:image", "og:image:url", "og:image:secure_url", "twitter:image")


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding when X would show a poorer card than ``twitter:card`` could give."""
    twitter, og = page.twitter, page.open_graph
    card = twitter.get("twitter:card")
    has_image = any(og.get(name) or twitter.get(name) for name in _IMAGES)
    suggested = "summary_large_image" if has_image else "summary"
    fix = f'Add <meta name="twitter:card" content="{suggested}"> to the page\'s <head>.'
    if card is not None:
        if card.lower() in CARD_TYPES:
            return
        node = page.tree.css_first('meta[name="twitter:card" i], meta[property="twitter:card" i]')
        yield META.finding(
            page,
            "twitter:card is empty."
            if not card
            else f'twitter:card "{clip(card, 40)}" is not a card type X knows '
            "(summary, summary_large_image, app or player).",
            evidence=(node.html or "") if node is not None else card,
            selector=page.selector(node) if node is not None else "head",
            fix=f'Set the content of twitter:card to "{suggested}".',
        )
        return
    missing = [name for name in _FALLBACK if not og.get(name)]
    if not missing and not has_image:
        return
    if not missing:
        message = (
            "The page has no twitter:card, so X shows its share image only as a small "
            "thumbnail (summary card) instead of a large image card."
        )
    elif not og and not twitter:
        message = (
            "The page has no twitter:card and no Open Graph tags, so a link to it shared on X "
            "shows no preview card."
        )
    else:
        message = (
            "The page has no twitter:card and lacks the Open Graph tags X falls back to "
            f"({', '.join(missing)}), so a link to it shared on X shows no preview card."
        )
    first = page.tree.css_first('meta[property^="og:" i], meta[name^="twitter:" i]')
    yield META.finding(
        page,
        message,
        evidence=(first.html or "") if first is not None else "",
        selector="head",
        fix=fix,
    )
