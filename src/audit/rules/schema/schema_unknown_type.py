"""A structured-data node has a schema.org type that does not exist.

## What it does
Reports every `@type` (or microdata `itemtype`, RDFa `typeof`) in the schema.org
namespace that is neither a schema.org class nor an enumeration member of the
release in use (schema.org 30.0 unless configured otherwise), and suggests the
closest real types: the same name in another case, the real types a made-up
compound is built from (`PatientAudience` → `Patient`, which is a
`MedicalAudience`), or the nearest spelling.

Types of other vocabularies (`gs1:Organization`, a full IRI outside schema.org)
are never judged. Unknown types are errors where schema.org is the context
(JSON-LD with a schema.org `@context`, microdata, RDFa); where a JSON-LD block
only uses schema.org terms through a prefix or full IRIs under another context,
they are warnings; and a JSON-LD block that also loads a remote context of another
vocabulary (such as `https://www.w3.org/ns/credentials/v2`) is not judged, since
that context may define the type. The `type` alias of schema.org's own context
counts as `@type`; an object that has both `"@type"` and `"type"` gets a warning
that names the collision instead (JSON-LD processors reject such an object).

## Why is this bad?
Search engines and other consumers only understand the types schema.org defines.
A made-up type is ignored together with the meaning it was meant to carry, and
the properties written for it lose their context: the markup looks complete in
the page source but says nothing to the reader it was written for.

## Example
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalWebPage",
 "medicalAudience": {"@type": "PatientAudience", "audienceType": "Patient"}}
</script>
```

Use instead:
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalWebPage",
 "medicalAudience": {"@type": "Patient", "audienceType": "Patient"}}
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
from audit.rules.schema._context import open_context, schema_nodes, strict, types_of
from audit.rules.schema._source import type_snippet
from audit.rules.schema._suggest import closest_types, or_list
from audit.structured.nodes import Node

META = RuleMeta(
    code="D101", name="schema-unknown-type", category="structured-data", severity=Severity.ERROR
)
Options = NoOptions


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per unknown schema.org type per node."""
    for vocabulary, facts, node in schema_nodes(page):
        if open_context(facts, node):
            continue
        if node.syntax == "json-ld" and node.types:
            # "type" beside "@type": the core keeps @type, the alias is left as a property.
            for name in node.texts("type"):
                yield _colliding(page, node, name)
        for name in types_of(node):
            if vocabulary.is_type(name):
                continue
            suggestions = closest_types(vocabulary, name)
            hint = f"; did you mean {or_list(suggestions)}?" if suggestions else "."
            fix = (
                f'Replace "{name}" with a real schema.org type such as {or_list(suggestions)}.'
                if suggestions
                else f'Replace "{name}" with a type listed at schema.org (check its spelling '
                "and capitalisation), or remove it."
            )
            yield META.finding(
                page,
                f'"{name}" at {node.path} is not a schema.org type (release '
                f"{vocabulary.release}){hint}",
                evidence=type_snippet(page, node, name),
                selector=node.location,
                fix=fix,
                severity=None if strict(node) else Severity.WARNING,
            )


def _colliding(page: Page, node: Node, name: str) -> Finding:
    """``"type"`` beside ``"@type"``: schema.org's context makes it a second @type."""
    return META.finding(
        page,
        f'The object at {node.path} has both "@type" and "type"; schema.org\'s context reads '
        f'"type" as "@type", so "{name}" is taken as its type (JSON-LD processors reject '
        "the object: two keys for one keyword).",
        evidence=type_snippet(page, node, name),
        selector=node.location,
        fix='Rename "type" to a schema.org property that holds this text (such as '
        '"category" or "additionalType"), or remove it; keep the real type in "@type".',
        severity=Severity.WARNING,
    )
