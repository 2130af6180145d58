"""A schema.org type or property has been superseded by another term.

## What it does
Reports every schema.org type and property that the release marks as superseded
(`supersededBy`), naming the term that replaces it: for example the type `Season`
(use `CreativeWorkSeason`), `UserComments` (use `InteractionCounter`) or the
property `serviceAudience` (use `audience`).

## Why is this bad?
Superseded terms stay in the vocabulary only so that old markup keeps a meaning;
new consumers and search features are built on the replacement, and the old term
may be dropped from a later release. Switching now is cheap.

## Example
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "Service",
 "name": "Rosacea consultation", "serviceAudience": {"@type": "Patient"}}
</script>
```

Use instead:
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "Service",
 "name": "Rosacea consultation", "audience": {"@type": "Patient"}}
</script>
```

## Options
None.

## References
- [schema.org: supersededBy](https://schema.org/supersededBy)
- [schema.org: release notes](https://schema.org/docs/releases.html)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.schema._context import properties_of, schema_nodes, types_of
from audit.rules.schema._source import property_snippet, type_snippet

META = RuleMeta(
    code="D105", name="schema-superseded", category="structured-data", severity=Severity.WARNING
)
Options = NoOptions


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per superseded type or property per node."""
    for vocabulary, facts, node in schema_nodes(page):
        for name in types_of(node):
            known = vocabulary.classes.get(name)
            if known is not None and known.superseded_by:
                yield META.finding(
                    page,
                    f'The type "{name}" at {node.path} is superseded by '
                    f'"{known.superseded_by}" in schema.org {vocabulary.release}.',
                    evidence=type_snippet(page, node, name),
                    selector=node.location,
                    fix=f'Change the type "{name}" to "{known.superseded_by}" (check that its '
                    "properties still apply).",
                )
        for prop, _values in properties_of(node, facts):
            found = vocabulary.properties.get(prop)
            if found is not None and found.superseded_by:
                yield META.finding(
                    page,
                    f'The property "{prop}" on {node.label} at {node.path} is superseded by '
                    f'"{found.superseded_by}" in schema.org {vocabulary.release}.',
                    evidence=property_snippet(page, node, prop),
                    selector=node.location,
                    fix=f'Rename "{prop}" to "{found.superseded_by}".',
                )
