"""Several indexable pages share the same title.

## What it does
Compares the `<title>` of every indexable HTML page that answered 200 (pages
with `noindex` are left out) and reports each page whose title another
indexable page repeats. Titles are compared after Unicode NFKC
normalisation, case folding and collapsing whitespace, so `Rosacea Care` and
`rosacea  care` are the same title, as are full-width and half-width forms.
Each finding lists the other pages (the first 10, then "and N more").

Pages whose canonical link names the same URL, or names one of the other
pages, count as one page: a print version that declares the article as its
canonical is not a duplicate of it. Empty titles are left to `title-missing`.

## Why is this bad?
The title is the headline of a page in search results. Two pages with the
same title compete for the same searches, and search engines pick one of
them, often not the one the clinic wants, or rewrite both titles.

## Example
Two articles on one site:

```html
<!-- /articles/rosacea-laser/ -->
<html lang="zh-Hant"><head><title>酒糟肌治療｜杜松灣皮膚科</title></head>
<body><h1>酒糟肌的雷射治療</h1></body></html>
<!-- /articles/rosacea-diet/ -->
<html lang="zh-Hant"><head><title>酒糟肌治療｜杜松灣皮膚科</title></head>
<body><h1>酒糟肌的飲食建議</h1></body></html>
```

Use instead:
```html
<!-- /articles/rosacea-laser/ -->
<html lang="zh-Hant"><head><title>酒糟肌雷射治療｜杜松灣皮膚科</title></head>
<body><h1>酒糟肌的雷射治療</h1></body></html>
<!-- /articles/rosacea-diet/ -->
<html lang="zh-Hant"><head><title>酒糟肌飲食建議｜杜松灣皮膚科</title></head>
<body><h1>酒糟肌的飲食建議</h1></body></html>
```

## Options
None.

## References
- [Google: Influencing your title links](https://developers.google.com/search/docs/appearance/title-link)
- [Google: Consolidate duplicate URLs](https://developers.google.com/search/docs/crawling-indexing/consolidate-duplicate-urls)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.rules.base import NoOptions, RuleMeta, RuleScope
from audit.rules.duplicates._util import value_duplicates
from audit.site import Site

META = RuleMeta(
    code="K101",
    name="title-duplicate",
    category="seo",
    severity=Severity.WARNING,
    scope=RuleScope.SITE,
)
Options = NoOptions


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per indexable page whose title another indexable page repeats."""
    yield from value_duplicates(
        META,
        site,
        "title",
        "title",
        "Give each page its own title that names what only that page covers; if the pages "
        "really are the same, keep one and redirect the other to it.",
    )
