"""Markup for a Google rich result that Google has retired: harmless, but it no longer shows.

## What it does
Reports each rich-result candidate (a top-level node, or one a page presents
through `mainEntity`) whose markup exists for a Google Search feature that
Google has retired, per the data file `audit/structured/google_features.yaml`:
FAQ rich results (`FAQPage`, since 2026-05-07), How-to (`HowTo`; `Recipe`, a
subtype, is still live), the sitelinks search box (a `WebSite` with a
`SearchAction` in `potentialAction`), Book actions, Fact check (`ClaimReview`),
Estimated salary (`Occupation`), Special announcement and Vehicle listing. The
message gives the date Google stopped showing the result.

This is a notice, never an error: the markup is valid schema.org, it does not
hurt the page, and other consumers (other search engines, assistants, AI
crawlers, Google's Fact Check Explorer for ClaimReview) may still read it.

## Why is this bad?
It is not bad as such. It matters when someone expects the rich result: a team
that adds FAQ markup today to win FAQ snippets in Google spends effort on a
result Google no longer shows, and reports that count FAQ rich results will
drop to zero.

## Example
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "FAQPage", "mainEntity": [
 {"@type": "Question", "name": "Does laser treatment hurt?",
  "acceptedAnswer": {"@type": "Answer", "text": "Most patients feel a mild warmth."}}]}
</script>
```

Use instead:
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalWebPage",
 "name": "Laser treatment: questions and answers", "lastReviewed": "2026-10-01"}
</script>
```

## Options
None.

## References
- [Google: FAQ structured data (deprecation notice)](https://developers.google.com/search/docs/appearance/structured-data/faqpage)
- [Google: Changes to HowTo and FAQ rich results](https://developers.google.com/search/blog/2023/08/howto-faq-changes)
- [Google: Simplifying the search results page](https://developers.google.com/search/blog/2025/06/simplifying-search-results)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.google._match import PageGraph, candidates
from audit.rules.google._text import describe, evidence

META = RuleMeta(
    code="D203", name="google-feature-retired", category="structured-data", severity=Severity.NOTICE
)
Options = NoOptions


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one notice per candidate whose markup serves a retired Google feature."""
    structured = page.structured
    if not structured.nodes:
        return
    graph = PageGraph(structured)
    for candidate in candidates(graph, live=False):
        node, feature = candidate.node, candidate.feature
        with_part = f" with {describe(feature.when)}" if feature.when else ""
        note = f" {feature.note}" if feature.note else ""
        yield META.finding(
            page,
            f"{node.label} at {node.location}{with_part} is markup for Google's "
            f'"{feature.feature}" rich result, which Google no longer shows since '
            f"{feature.retired_on}. The markup is harmless and other consumers may still "
            f"read it.{note}",
            evidence=evidence(node),
            selector=node.location,
            fix=(
                f"Nothing to repair: keep the markup if other consumers use it, or remove it "
                f"to simplify the page, but do not expect a {feature.feature} rich result in "
                f"Google. Details: {feature.source}"
            ),
        )
