"""A structured-data node has a schema.org property that does not exist.

## What it does
Reports every property in the schema.org namespace (a JSON-LD key under a
schema.org `@context`, a microdata `itemprop`, an RDFa `property`) that is not a
property of the release in use, and suggests the closest real ones: the same name
in another case (`DatePublished` → `datePublished`), the property a compound
starts with (`telephoneNumber` → `telephone`), or the nearest spelling. A type
name used as a property (`"Person": {…}`) is called out as such.

Terms of other vocabularies (`gs1:value`, `unece:MeasureTypeCode`) are never
judged. Unknown properties are errors where schema.org is the context (JSON-LD
with a schema.org `@context`, microdata, RDFa) and warnings where a JSON-LD block
only reaches schema.org through a prefix or full IRIs. Not judged: a JSON-LD block
that also loads a remote context of another vocabulary (such as
`https://www.w3.org/ns/credentials/v2`, which defines `credentialSubject` and
`proof`); the `type` and `id` aliases of schema.org's own context; the
`<property>-input` / `<property>-output` annotations of schema.org Actions
(`query-input` on a `SearchAction`); microdata items typed only in another
vocabulary (their `itemprop` names belong to it); and untyped
objects keyed by language tags (`{"en": …, "zh-Hant": …}`, a JSON-LD language map).

## Why is this bad?
A property that schema.org does not define is ignored by search engines and
other consumers, so the information it holds is lost, usually because of a typo
or a name guessed rather than looked up.

## Example
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalClinic",
 "name": "Harbor Light Clinic", "telephoneNumber": "+886-2-2345-6789"}
</script>
```

Use instead:
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalClinic",
 "name": "Harbor Light Clinic", "telephone": "+886-2-2345-6789"}
</script>
```

## Options
None.

## References
- [schema.org: full type hierarchy](https://schema.org/docs/full.html)
- [Google: General structured data guidelines](https://developers.google.com/search/docs/appearance/structured-data/sd-policies)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.schema._context import (
    language_map,
    open_context,
    properties_of,
    schema_nodes,
    strict,
)
from audit.rules.schema._source import property_snippet
from audit.rules.schema._suggest import closest_properties, or_list
from audit.structured.vocabulary import Vocabulary

META = RuleMeta(
    code="D102", name="schema-unknown-property", category="structured-data", severity=Severity.ERROR
)
Options = NoOptions


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per unknown schema.org property per node."""
    for vocabulary, facts, node in schema_nodes(page):
        if open_context(facts, node) or language_map(node):
            continue
        for prop, _values in properties_of(node, facts):
            if prop in vocabulary.properties or _annotation(prop, vocabulary):
                continue
            suggestions = closest_properties(vocabulary, prop)
            hint = f"; did you mean {or_list(suggestions)}?" if suggestions else "."
            detail = f'"{prop}" is not a schema.org property'
            if suggestions:
                fix = f'Rename "{prop}" to {or_list(suggestions)}, whichever is meant.'
            else:
                fix = (
                    f'Replace "{prop}" with a property listed for {node.label} at schema.org, '
                    "or remove it."
                )
            if vocabulary.is_type(prop):
                detail, hint = f'"{prop}" is a schema.org type, not a property', "."
                fix = (
                    f"Put the {prop} under a property that says how it relates to the "
                    f'{node.label} (such as "author", "about" or "employee") instead of '
                    "using the type name as a key."
                )
            yield META.finding(
                page,
                f"{detail} (on {node.label} at {node.path}){hint}",
                evidence=property_snippet(page, node, prop),
                selector=node.location,
                fix=fix,
                severity=None if strict(node) else Severity.WARNING,
            )


def _annotation(prop: str, vocabulary: Vocabulary) -> bool:
    """True for an Action's ``query-input`` / ``result-output`` shorthand (schema.org Actions)."""
    base, dash, suffix = prop.rpartition("-")
    return bool(dash) and suffix in ("input", "output") and base in vocabulary.properties
