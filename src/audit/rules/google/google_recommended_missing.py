"""Markup for a live Google rich result lacks properties Google recommends for it.

## What it does
Judges the same rich-result candidates as `google-required-missing` (top-level
nodes and what they present through `mainEntity` / `breadcrumb`; nested parts
such as an Article's `publisher` are not judged on their own) against the
properties Google *recommends* for the feature, from the data file
`audit/structured/google_features.yaml`. To keep the noise sane there is one
finding per node, listing every missing recommended property; nested ones name
the node that lacks them (`author.url` on the Person at `$.author`).

Properties that would be bad advice are left out of the data on purpose: a
local business is not told to add `aggregateRating` or `review`, because Google
ignores self-serving reviews of a business on its own site.

## Why is this bad?
Items without the recommended properties still qualify, but they show less:
an article without `image` or `datePublished` gets a plainer result, a clinic
without `telephone` or `openingHoursSpecification` leaves Google to guess them.

## Example
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "BlogPosting",
 "headline": "Living with rosacea in a humid summer"}
</script>
```

Use instead:
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "BlogPosting",
 "headline": "Living with rosacea in a humid summer",
 "image": "https://clinic.example/img/summer.jpg",
 "datePublished": "2026-06-01", "dateModified": "2026-06-20",
 "author": {"@type": "Person", "name": "Dr. Lin", "url": "https://clinic.example/team/lin"}}
</script>
```

## Options
None.

## References
- [Google: Structured data search gallery](https://developers.google.com/search/docs/appearance/structured-data/search-gallery)
- [Google: Article structured data](https://developers.google.com/search/docs/appearance/structured-data/article)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.google._match import PageGraph, candidates
from audit.rules.google._text import evidence

META = RuleMeta(
    code="D202",
    name="google-recommended-missing",
    category="structured-data",
    severity=Severity.WARNING,
)
Options = NoOptions


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per rich-result candidate that lacks recommended properties."""
    structured = page.structured
    if not structured.nodes:
        return
    graph = PageGraph(structured)
    for candidate in candidates(graph, live=True):
        node, feature = candidate.node, candidate.feature
        missing: list[str] = []
        for path in feature.recommended:
            for miss in graph.misses(node, path):
                if miss.node is node:
                    missing.append(path.text if miss.what.startswith("one of") else miss.what)
                else:
                    missing.append(f"{path.text} (the {miss.node.label} at {miss.node.location})")
        if not missing:
            continue
        listed = ", ".join(dict.fromkeys(missing))
        yield META.finding(
            page,
            f"{node.label} at {node.location} lacks properties Google recommends for the "
            f'"{feature.feature}" rich result: {listed}.',
            evidence=evidence(node),
            selector=node.location,
            fix=(
                f"Add whichever of these the page can truthfully state to the {node.label} "
                f"markup: {listed}. Google's list: {feature.source}"
            ),
        )
