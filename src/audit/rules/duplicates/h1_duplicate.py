"""Several indexable pages share the same main heading (`<h1>`).

## What it does
Compares the first `<h1>` of every indexable HTML page that answered 200
(pages with `noindex` are left out) and reports each page whose main heading
another indexable page repeats. Headings are compared after Unicode NFKC
normalisation, case folding and collapsing whitespace. Each finding lists
the other pages (the first 10, then "and N more").

Pages whose canonical link names the same URL, or names one of the other
pages, count as one page. Pages without an `<h1>` are left to `h1-missing`.

## Why is this bad?
The main heading tells readers and search engines what a page is about. Two
pages with the same heading look like the same topic twice: they compete
with each other, and visitors arriving from search cannot tell them apart.

## Example
Two pages:

```html
<!-- /doctors/dr-lin/ -->
<html lang="en"><head><title>Dr. Lin</title></head><body><h1>Our doctors</h1></body></html>
<!-- /doctors/dr-kao/ -->
<html lang="en"><head><title>Dr. Kao</title></head><body><h1>Our doctors</h1></body></html>
```

Use instead:
```html
<!-- /doctors/dr-lin/ -->
<html lang="en"><head><title>Dr. Lin</title></head>
<body><h1>Dr. Lin, dermatologist</h1></body></html>
<!-- /doctors/dr-kao/ -->
<html lang="en"><head><title>Dr. Kao</title></head>
<body><h1>Dr. Kao, plastic surgeon</h1></body></html>
```

## Options
None.

## References
- [Google: SEO Starter Guide (headings)](https://developers.google.com/search/docs/fundamentals/seo-starter-guide)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.rules.base import NoOptions, RuleMeta, RuleScope
from audit.rules.duplicates._util import value_duplicates
from audit.site import Site

META = RuleMeta(
    code="K103",
    name="h1-duplicate",
    category="seo",
    severity=Severity.WARNING,
    scope=RuleScope.SITE,
)
Options = NoOptions


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per indexable page whose <h1> another indexable page repeats."""
    yield from value_duplicates(
        META,
        site,
        "h1",
        "<h1>",
        "Give each page a main heading (<h1>) that names its own topic.",
    )
