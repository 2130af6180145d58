"""A health page's structured data does not say who wrote it, who reviewed it or when.

## What it does
Looks at the health content of the page: every MedicalWebPage node, and every
top-level article (Article, BlogPosting, NewsArticle, …, or the WebPage's
`mainEntity`) that is about a medical topic: its `about` is a MedicalEntity
(MedicalCondition, Drug, MedicalProcedure, …), it has a `specialty` or
`medicalAudience`, or the page also has a MedicalWebPage. Their properties are
read together (an author on the article and `lastReviewed` on the MedicalWebPage
are fine) and one finding is reported per missing item:

- no `author` with a `url` or credentials (`hasCredential`, `jobTitle`,
  `honorificSuffix` or `sameAs`): warning;
- no `lastReviewed` date: warning;
- no `reviewedBy`: notice;
- no `datePublished`, no `dateModified`: a notice each.

## Why is this bad?
Health pages are "Your Money or Your Life" content: search engines and AI
assistants hold them to the highest standard of experience, expertise,
authoritativeness and trust (E-E-A-T). They look for who wrote the page and why
that person is qualified, whether a medical professional checked it, and how
current it is. Markup that leaves these out makes a carefully reviewed article
look anonymous and undated, and it may be ranked or quoted below one that says so.

## Example
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalWebPage",
 "headline": "Rosacea care", "author": {"@type": "Person", "name": "Dr. Liu"}}
</script>
```

Use instead:
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalWebPage",
 "headline": "Rosacea care",
 "author": {"@type": "Physician", "name": "Dr. Liu", "url": "https://clinic.example/dr-liu"},
 "reviewedBy": {"@type": "Person", "name": "Dr. Chen", "jobTitle": "Dermatologist"},
 "lastReviewed": "2026-03-01", "datePublished": "2026-02-28", "dateModified": "2026-03-01"}
</script>
```

## Options
None.

## References
- [Google: Creating helpful, reliable, people-first content (E-E-A-T, YMYL)](https://developers.google.com/search/docs/fundamentals/creating-helpful-content)
- [schema.org: MedicalWebPage](https://schema.org/MedicalWebPage)
- [Google: Article structured data (author best practices)](https://developers.google.com/search/docs/appearance/structured-data/article#author-bp)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.parity._text import has_type, id_index, quote, resolve
from audit.structured.extract import StructuredData
from audit.structured.nodes import Node, Value

META = RuleMeta(
    code="D304",
    name="medical-page-incomplete",
    category="structured-data",
    severity=Severity.WARNING,
)
Options = NoOptions

CREDENTIALS = ("url", "hasCredential", "jobTitle", "honorificSuffix", "sameAs")
# (property, severity, why it matters, fix)
ITEMS = (
    (
        "lastReviewed",
        Severity.WARNING,
        "Readers and search engines cannot tell whether the medical information is still current",
        "Add lastReviewed (the date a medical professional last checked the page, e.g. "
        '"2026-03-01") to the MedicalWebPage markup, and update it after each review.',
    ),
    (
        "reviewedBy",
        Severity.NOTICE,
        "The markup does not show that a medical professional checked the content",
        "Add reviewedBy with the reviewing doctor (a Person or Physician with name, jobTitle "
        "and a profile url) to the MedicalWebPage markup.",
    ),
    (
        "datePublished",
        Severity.NOTICE,
        "Search engines have to guess when the health information was first published",
        'Add datePublished (ISO 8601, e.g. "2026-02-28") to the markup.',
    ),
    (
        "dateModified",
        Severity.NOTICE,
        "Search engines cannot see when the health information was last updated",
        "Add dateModified (ISO 8601) to the markup and update it whenever the content changes.",
    ),
)


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per trust signal the health page's markup lacks."""
    data = page.structured
    index = id_index(data)
    subjects = _health_nodes(data, index)
    if not subjects:
        return
    main = subjects[0]
    what = f"This health page's {main.label} markup ({main.location})"
    title = main.first_text("headline") or main.first_text("name") or main.label
    authors = [author for node in subjects for author in node.values("author")]
    if not any(_qualified(author, index) for author in authors):
        names = [_name(author, index) for author in authors]
        named = ", ".join(f'"{quote(name, 40)}"' for name in names if name)
        problem = (
            f"{what} gives no url or credentials (hasCredential, jobTitle, honorificSuffix, "
            f"sameAs) for its author {named or '(unnamed)'}"
            if authors
            else f"{what} names no author"
        )
        yield META.finding(
            page,
            f"{problem}. Health pages are judged on the expertise of who wrote them (E-E-A-T "
            'for "Your Money or Your Life" topics): show who the author is and why they are '
            "qualified.",
            evidence=named or title,
            selector=main.location,
            fix="Give the author a url to their profile page and their credentials (jobTitle "
            'such as "Dermatologist", hasCredential or sameAs links to a medical register).',
            severity=Severity.WARNING,
        )
    for prop, severity, why, fix in ITEMS:
        if any(node.values(prop) for node in subjects):
            continue
        yield META.finding(
            page,
            f'{what} has no {prop}. {why}; for medical ("Your Money or Your Life") pages this '
            "weighs on trust (E-E-A-T).",
            evidence=title,
            selector=main.location,
            fix=fix,
            severity=severity,
        )


def _health_nodes(data: StructuredData, index: Mapping[str, list[Node]]) -> list[Node]:
    """MedicalWebPage nodes first, then the page's medical articles."""
    pages = [node for node in data.nodes if has_type(node, "MedicalWebPage")]
    pages.sort(key=lambda node: node.parent is not None)  # top-level nodes first
    articles = []
    for node in data.nodes:
        if not has_type(node, "Article") or has_type(node, "MedicalWebPage"):
            continue
        parent = node.parent
        if parent is not None and not (node.via == "mainEntity" and has_type(parent, "WebPage")):
            continue  # an article summarised in a list or a related-links block
        if (
            pages
            or node.values("specialty")
            or node.values("medicalAudience")
            or any(
                has_type(about, "MedicalEntity")
                for value in node.values("about")
                for about in resolve(value, index)
            )
        ):
            articles.append(node)
    return pages + articles


def _qualified(author: Value, index: Mapping[str, list[Node]]) -> bool:
    nodes = resolve(author, index)
    return any(node.values(prop) for node in nodes for prop in CREDENTIALS)


def _name(author: Value, index: Mapping[str, list[Node]]) -> str:
    if isinstance(author, str):
        return author
    nodes = resolve(author, index)
    return next((name for node in nodes if (name := node.first_text("name"))), "")
