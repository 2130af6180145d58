"""A date, date-time or time property has a value that is not in ISO 8601 form.

## What it does
Reports a string value of a schema.org property whose range is `Date`,
`DateTime` or `Time` (and not also `Text`, which takes any string) when it is not
an ISO 8601 value, or names a day or time that does not exist. Accepted:

- dates `2026-02-28`, with reduced precision `2026-02` and `2026`, week dates
  `2026-W09-6` and ordinal dates `2026-059`;
- date-times `2026-02-28T09:30`, with seconds and fractions (`09:30:15.250`) and
  an offset (`Z`, `+08:00`, `+0800`), or none;
- times `09:30`, `09:30:00+08:00` where the range has `Time`.

A `<time>` element whose `datetime` (or `content`) holds the ISO value is fine
even where the extractor read its text instead (extruct reads the text for RDFa,
and nothing for microdata `<time>` elements without `datetime`).

`28/02/2026`, `2026年2月28日`, `Feb 28, 2026` and `2026-02-28 09:30` are reported
(with the ISO form when it can be read unambiguously), and so are `2026-02-30`
and `25:00`.

## Why is this bad?
schema.org and Google read dates only in ISO 8601. Any other form (a local
convention such as day/month/year, or a date written in Chinese) is ambiguous or
unreadable, so the date of an event, article or review is dropped or misread.

## Example
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalWebPage",
 "name": "玫瑰斑治療", "datePublished": "2026年2月28日"}
</script>
```

Use instead:
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalWebPage",
 "name": "玫瑰斑治療", "datePublished": "2026-02-28"}
</script>
```

## Options
None.

## References
- [schema.org: Date](https://schema.org/Date) and [DateTime](https://schema.org/DateTime)
- [ISO 8601 (Wikipedia)](https://en.wikipedia.org/wiki/ISO_8601)
- [Google: Article structured data (datePublished)](https://developers.google.com/search/docs/appearance/structured-data/article)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.dom import collapse
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.schema._context import properties_of, schema_nodes
from audit.rules.schema._source import value_snippet
from audit.rules.schema._values import DATE_TYPES, date_problem
from audit.structured.nodes import Node

META = RuleMeta(
    code="D107", name="schema-invalid-date", category="structured-data", severity=Severity.WARNING
)
Options = NoOptions
# A year given as a number is fine where the range also takes one.
_ALSO_ALLOWED = frozenset({"Number", "Integer", "Float"})
_FORMS = {"Date": "YYYY-MM-DD", "DateTime": "YYYY-MM-DDThh:mm:ss+08:00", "Time": "hh:mm:ss"}


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per date value that is not ISO 8601."""
    for vocabulary, facts, node in schema_nodes(page):
        for prop, values in properties_of(node, facts):
            found = vocabulary.properties.get(prop)
            if found is None or not found.ranges & DATE_TYPES:
                continue
            if not found.ranges <= DATE_TYPES | _ALSO_ALLOWED:
                continue
            for value in values:
                if not isinstance(value, str):
                    continue
                problem = date_problem(value, found.ranges)
                if problem is None or _time_element(page, node, prop, value, found.ranges):
                    continue
                what, guess = problem
                forms = " or ".join(_FORMS[kind] for kind in sorted(found.ranges & DATE_TYPES))
                fix = (
                    f'Write the value as "{guess}" (ISO 8601).'
                    if guess
                    else f"Write the value in ISO 8601 form: {forms}."
                )
                yield META.finding(
                    page,
                    f'"{prop}" on {node.label} at {node.path} is "{value.strip()}", which {what}.'
                    if value.strip()
                    else f'"{prop}" on {node.label} at {node.path} is empty.',
                    evidence=value_snippet(page, node, prop, value),
                    selector=node.location,
                    fix=fix,
                )


def _time_element(page: Page, node: Node, prop: str, value: str, ranges: frozenset[str]) -> bool:
    """True when ``value`` comes from a microdata/RDFa ``<time>`` that holds an ISO value."""
    if node.syntax == "json-ld":
        return False
    text = collapse(value)
    for element in page.tree.css("time"):
        attributes = element.attributes
        names = f"{attributes.get('itemprop') or ''} {attributes.get('property') or ''}".split()
        if not any(name == prop or name.endswith(("/" + prop, ":" + prop)) for name in names):
            continue
        content = collapse(element.text())
        if text and content != text:
            continue
        candidates = (attributes.get("datetime"), attributes.get("content"), content)
        if any(item and date_problem(item, ranges) is None for item in candidates):
            return True
    return False
