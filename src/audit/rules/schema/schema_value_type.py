"""A nested node's type is not one the property expects.

## What it does
Reports a typed nested node given as the value of a schema.org property when none
of its types (nor their supertypes) is in the property's range: `"author":
{"@type": "MedicalCondition"}` where a `Person` or an `Organization` is expected.

Only typed nodes are judged. Text or a URL where an entity is expected is legal
in schema.org (`"author": "Dr. Lin"`), and so are untyped objects, references
(`{"@id": "#clinic"}`) and Role nodes (`OrganizationRole`, … stand in for the
value they wrap). An enumeration member given as a node (`{"@type":
"Dermatology"}`) is checked against the enumerations in the range. Nodes with an
unknown type are left to `schema-unknown-type`.

## Why is this bad?
A value of the wrong type usually means the nesting went wrong (a node placed
under the wrong property) or the type was guessed; consumers that validate the
range drop the value, and the relationship the markup was meant to state is lost.

## Example
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalWebPage",
 "author": {"@type": "MedicalCondition", "name": "Rosacea"}}
</script>
```

Use instead:
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalWebPage",
 "author": {"@type": "Person", "name": "Dr. Lin"},
 "about": {"@type": "MedicalCondition", "name": "Rosacea"}}
</script>
```

## Options
None.

## References
- [schema.org: data model (domains and ranges)](https://schema.org/docs/datamodel.html)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.schema._context import is_role, properties_of, schema_nodes, types_of
from audit.rules.schema._source import property_snippet
from audit.rules.schema._suggest import or_list
from audit.rules.schema._values import kinds
from audit.structured.nodes import Node

META = RuleMeta(
    code="D104", name="schema-value-type", category="structured-data", severity=Severity.WARNING
)
Options = NoOptions
_SHOWN = 4


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per typed nested node outside its property's range."""
    for vocabulary, facts, node in schema_nodes(page):
        for prop, values in properties_of(node, facts):
            found = vocabulary.properties.get(prop)
            if found is None or not found.ranges:
                continue
            for value in values:
                if not isinstance(value, Node):
                    continue
                types = types_of(value)
                if not types or not all(vocabulary.is_type(kind) for kind in types):
                    continue
                if is_role(vocabulary, types):
                    continue
                if any(found.ranges & kinds(vocabulary, kind) for kind in types):
                    continue
                ranges = sorted(found.ranges)
                shown = or_list(ranges[:_SHOWN]) + (" …" if len(ranges) > _SHOWN else "")
                label = "/".join(types)
                yield META.finding(
                    page,
                    f'"{prop}" at {value.path} holds a node of type {label}, but schema.org '
                    f"expects {shown} there.",
                    evidence=property_snippet(page, node, prop),
                    selector=value.location,
                    fix=f'Give the value of "{prop}" one of the expected types ({shown}), or '
                    "move this node under the property it really describes.",
                )
