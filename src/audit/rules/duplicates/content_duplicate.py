"""Several indexable pages carry exactly the same main text.

## What it does
Compares the main text of every indexable HTML page that answered 200 (pages
with `noindex` are left out): the visible text outside `<nav>`, `<header>`,
`<footer>` and `<aside>`, so a shared menu and footer do not make pages
alike. Pages whose main text is word for word the same (same words in the
same order; case, punctuation and spacing do not count) are reported, one
finding per page listing the others (the first 10, then "and N more").

Only pages with at least `min_words` words of main text take part: short
pages (a contact form, an empty category) are alike by nature. Pages whose
canonical link names the same URL, or names one of the other pages, count
as one page, which is the right way to keep a copy (a print view, a URL with
tracking parameters). Copies that differ in a few words are reported by
`content-near-duplicate`.

## Why is this bad?
Search engines index one copy of duplicated text and pick it themselves; the
other URLs are dropped from results, links pointing at them are split
between copies, and crawl time is wasted on pages that add nothing.

## Example
`/articles/rosacea-care/` and `/blog/2024/rosacea-care/` show the same
800-word article (for example the CMS publishes every post under two paths),
and neither declares a canonical link.

```html
<!-- /blog/2024/rosacea-care/ -->
<html lang="en"><head><title>Rosacea care</title></head>
<body><main><h1>Rosacea care</h1><p>The same 800 words …</p></main></body></html>
```

Use instead:
```html
<!-- /blog/2024/rosacea-care/ -->
<html lang="en"><head><title>Rosacea care</title>
<link rel="canonical" href="https://clinic.example/articles/rosacea-care/"></head>
<body><main><h1>Rosacea care</h1><p>The same 800 words …</p></main></body></html>
```

## Options
- `min_words`: pages with fewer words of main text than this are not
  compared (default 50).

## References
- [Google: Consolidate duplicate URLs](https://developers.google.com/search/docs/crawling-indexing/consolidate-duplicate-urls)
- [Google: Duplicate content](https://developers.google.com/search/docs/advanced/guidelines/duplicate-content)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from audit.models import Finding, Severity
from audit.rules.base import RuleMeta, RuleScope
from audit.rules.duplicates._util import (
    duplicate_groups,
    indexable_pages,
    ordered_facts,
    plural,
    url_list,
)
from audit.site import PageFacts, Site

META = RuleMeta(
    code="K104",
    name="content-duplicate",
    category="content",
    severity=Severity.WARNING,
    scope=RuleScope.SITE,
)


@dataclass(frozen=True)
class Options:
    """Settings of content-duplicate."""

    min_words: int = 50


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per indexable page whose main text another indexable page repeats."""

    def pages() -> Iterator[PageFacts]:
        pages = indexable_pages(ordered_facts(site, "title", "text_hash", "words"))
        return (page for page in pages if page.words >= opts.min_words)

    for _, group in duplicate_groups(pages, lambda page: page.text_hash):
        count = len(group) - 1
        for page in group:
            others = (other.url for other in group if other is not page)
            yield META.at(
                page.url,
                f"The main text of this page ({plural(page.words, 'word')}) is identical on "
                f"{plural(count, 'other indexable page')}: {url_list(others, count)}.",
                evidence=f"<title>{page.title or ''}</title>, {page.words} words",
                fix="Keep one page for this text: redirect the copies to it (301), or add a "
                "canonical link on each copy that points at the page you want in search.",
            )
