"""Markup for a live Google rich result lacks a property Google requires for it.

## What it does
Judges every rich-result candidate on the page against Google's requirements
for the feature its type belongs to (the data file
`audit/structured/google_features.yaml`: Local business, Breadcrumb, Event,
Product snippet, Review snippet, Profile page, Site name, Video, …; subtypes
count, so a `MedicalClinic` or `Physician` is judged as a local business). One
finding per missing property per node, naming the feature, the type, the
property and where the node is; nested requirements (`itemListElement.position`)
point at the nested node that lacks the property.

Only candidates are judged: top-level nodes (including `@graph` items) and nodes
a candidate presents as its subject through `mainEntity` or `breadcrumb`. A node
nested under any other property is part of its parent's item: an Article's
`publisher` typed `MedicalClinic` is judged with the Article, not as a
local-business listing, so it is never asked for an `address`. Reviews and
ratings nested through `review` / `aggregateRating` are judged without their
standalone requirements (`itemReviewed`).

Severity: error when the item shows on the page, i.e. its name (or headline;
for an unnamed item, the names of the nodes it holds) appears in the page's
title, headings or visible text, compared case-, width- and
punctuation-insensitively so that Traditional Chinese and English names both
match. Google shows rich results only for content readers can see, so an item
that appears nowhere on the page (schema.org's own vocabulary examples, a
template's stray entity) is not a rich-result candidate, and its misses are
graded as warnings: valid schema.org that merely does not qualify.

## Why is this bad?
Google shows a rich result only for items that carry every required property:
a clinic without an `address` gets no local-business treatment, a breadcrumb
trail without positions shows as a plain URL. Search Console reports these items
as invalid.

## Example
```html
<h1>Harbor Light Clinic</h1>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalClinic", "@id": "https://clinic.example/#clinic",
 "name": "Harbor Light Clinic", "url": "https://clinic.example/"}
</script>
```

Use instead:
```html
<h1>Harbor Light Clinic</h1>
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalClinic", "@id": "https://clinic.example/#clinic",
 "name": "Harbor Light Clinic", "url": "https://clinic.example/",
 "address": {"@type": "PostalAddress", "streetAddress": "12 Harbor Road",
             "addressLocality": "Taipei", "postalCode": "100", "addressCountry": "TW"}}
</script>
```

## Options
- `grade_by_visibility` (default `true`): grade a miss as an error only for an
  item that shows on the page and as a warning otherwise (see above); `false`
  makes every miss an error.

## References
- [Google: Structured data search gallery](https://developers.google.com/search/docs/appearance/structured-data/search-gallery)
- [Google: General structured data guidelines](https://developers.google.com/search/docs/appearance/structured-data/sd-policies)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import RuleMeta
from audit.rules.google._match import Candidate, PageGraph, candidates
from audit.rules.google._text import evidence, what_to_add
from audit.rules.google._visible import Visibility
from audit.structured.nodes import Node

META = RuleMeta(
    code="D201", name="google-required-missing", category="structured-data", severity=Severity.ERROR
)


@dataclass(frozen=True)
class Options:
    """Settings of google-required-missing."""

    grade_by_visibility: bool = True


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per required property a rich-result candidate lacks."""
    structured = page.structured
    if not structured.nodes:
        return
    graph = PageGraph(structured)
    visibility = Visibility(page)
    for candidate in candidates(graph, live=True):
        paths = candidate.feature.required
        if candidate.standalone:
            paths += candidate.feature.standalone
        misses = [(path, miss) for path in paths for miss in graph.misses(candidate.node, path)]
        if not misses:
            continue
        severity = None
        if opts.grade_by_visibility and not visibility.shows(graph, candidate.node):
            severity = Severity.WARNING
        for path, miss in misses:
            yield _finding(page, candidate, path.text, miss.node, miss.what, severity)


def _finding(
    page: Page,
    candidate: Candidate,
    requirement: str,
    where: Node,
    what: str,
    severity: Severity | None,
) -> Finding:
    node, feature = candidate.node, candidate.feature
    subject = f'{node.label} at {node.location} lacks "{requirement}"'
    purpose = f'which Google requires for the "{feature.feature}" rich result'
    if where is node:
        message = f"{subject}, {purpose}."
        target = f"the {node.label} markup"
    else:
        message = f'{subject}, {purpose}: the {where.label} at {where.location} has no "{what}".'
        target = f"the {where.label} at {where.location}"
    return META.finding(
        page,
        message,
        evidence=evidence(where),
        selector=where.location,
        fix=(
            f"Add {what_to_add(what)} to {target} so that the page can show Google's "
            f"{feature.feature} rich result. Requirements: {feature.source}"
        ),
        severity=severity,
    )
