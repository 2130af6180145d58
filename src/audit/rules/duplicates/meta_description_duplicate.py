"""Several indexable pages share the same meta description.

## What it does
Compares the `<meta name="description">` of every indexable HTML page that
answered 200 (pages with `noindex` are left out) and reports each page whose
description another indexable page repeats. Descriptions are compared after
Unicode NFKC normalisation, case folding and collapsing whitespace. Each
finding lists the other pages (the first 10, then "and N more").

Pages whose canonical link names the same URL, or names one of the other
pages, count as one page. Empty descriptions are left to
`meta-description-missing`.

## Why is this bad?
The description is the snippet under the title in search results. When many
pages share one (typically a site-wide default left in the template), the
results look alike, say nothing about each page, and search engines replace
them with text picked from the page.

## Example
Two treatment pages:

```html
<!-- /treatments/acne-scar/ -->
<html lang="en"><head><title>Acne scar treatment</title>
<meta name="description" content="Welcome to Harbor Light Skin Clinic."></head></html>
<!-- /treatments/rosacea/ -->
<html lang="en"><head><title>Rosacea treatment</title>
<meta name="description" content="Welcome to Harbor Light Skin Clinic."></head></html>
```

Use instead:
```html
<!-- /treatments/acne-scar/ -->
<html lang="en"><head><title>Acne scar treatment</title>
<meta name="description" content="How we treat acne scars with lasers and subcision."></head></html>
<!-- /treatments/rosacea/ -->
<html lang="en"><head><title>Rosacea treatment</title>
<meta name="description" content="Calming rosacea flares with barrier repair."></head></html>
```

## Options
None.

## References
- [Google: Control your snippets in search results](https://developers.google.com/search/docs/appearance/snippet)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.rules.base import NoOptions, RuleMeta, RuleScope
from audit.rules.duplicates._util import value_duplicates
from audit.site import Site

META = RuleMeta(
    code="K102",
    name="meta-description-duplicate",
    category="seo",
    severity=Severity.WARNING,
    scope=RuleScope.SITE,
)
Options = NoOptions


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per indexable page whose description another indexable page repeats."""
    yield from value_duplicates(
        META,
        site,
        "meta_description",
        "meta description",
        "Write a description for each page that summarises what only that page offers "
        "(about 70 to 155 characters), instead of one shared sentence.",
    )
