"""A page is more clicks away from the start page than the configured limit.

## What it does
Reports each page that answered 200 with HTML and whose click depth (the
fewest links to follow from a start URL, counted by the crawl) is above
`max_depth`. The message gives the depth and the last steps of the path the
crawler took to reach the page. Pages reached only through a sitemap have no
click depth and are not reported (see `orphan-page`).

## Why is this bad?
Visitors rarely click more than a few levels deep, and search engines crawl
deep pages less often and give them less weight: a page the site itself buries
is treated as unimportant. Deep pages are usually the end of a long
pagination or a chain of "related" links.

## Example
The article is reachable only through the fifth page of the article list:
`/` → `/articles/` → `/articles/page/2/` → … → `/articles/page/5/` →
`/articles/laser-aftercare/`.
```html
<!-- /articles/page/5/ -->
<a href="/articles/laser-aftercare/">雷射術後保養 Laser aftercare</a>
```

Use instead:
Link to important pages from a menu, a hub page or related treatment pages
close to the home page:
```html
<!-- /treatments/laser-toning/ -->
<a href="/articles/laser-aftercare/">雷射術後保養 Laser aftercare</a>
```

## Options
- `max_depth`: the largest acceptable click depth; the start page is depth 0
  and pages it links to are depth 1 (default 4).

## References
- [Google: Make your links crawlable](https://developers.google.com/search/docs/crawling-indexing/links-crawlable)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from audit.models import Finding, Severity
from audit.rules.base import RuleMeta, RuleScope

if TYPE_CHECKING:
    from audit.site import Site

META = RuleMeta(
    code="K009",
    name="depth-too-deep",
    category="links",
    severity=Severity.NOTICE,
    scope=RuleScope.SITE,
)

PATH_STEPS = 4


@dataclass(frozen=True)
class Options:
    """Settings of depth-too-deep."""

    max_depth: int = 4


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per 200 HTML page deeper than ``opts.max_depth``."""
    seen: set[str] = set()
    for row in site.pages:
        if row.depth is None or row.depth <= opts.max_depth or row.url in seen:
            continue
        if row.status != 200 or not row.is_html:
            continue
        seen.add(row.url)
        path = _path(site, row.url)
        yield META.at(
            row.url,
            f"This page is {row.depth} clicks from the start page (the limit is "
            f"{opts.max_depth}); the crawler reached it from {row.found_on}.",
            evidence=path,
            fix=(
                "Link to this page from a menu, a hub page or a page closer to the home page, "
                f"so that it is at most {opts.max_depth} clicks away."
            ),
        )


def _path(site: Site, url: str) -> str:
    """The last steps of the crawl path to ``url``: ``… → /a/ → /b/ → url``."""
    steps = [url]
    row = site.by_url.get(url)
    while row is not None and row.found_on and len(steps) <= PATH_STEPS:
        if row.found_on in steps:
            break
        steps.append(row.found_on)
        row = site.by_url.get(row.found_on)
    more = row is not None and row.found_on is not None and row.found_on not in steps
    return " → ".join((["…"] if more else []) + steps[::-1])
