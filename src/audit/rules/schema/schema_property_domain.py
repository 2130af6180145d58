"""A schema.org property is used on a type it does not belong to.

## What it does
Reports a known schema.org property on a node none of whose types (nor their
supertypes) is in the property's domain: `openingHours` belongs to
`LocalBusiness`, so it is fine on a `MedicalClinic` but not on an `Organization`.

- A node with several types passes when any of them accepts the property.
- Inheritance counts: a property of `Thing` fits every type.
- The Role pattern: a `Role` node (`OrganizationRole`, `PerformanceRole`, …)
  may carry the property it hangs from, beside its own (`roleName`, `startDate`):
  `"member": {"@type": "OrganizationRole", "member": {…}, "startDate": "2019"}`.
- Untyped objects, nodes with an unknown type (reported by `schema-unknown-type`),
  nodes typed only in other vocabularies, and properties without a declared domain
  are skipped.
- Pending terms (schema.org's incubator area) count like any other: the release
  lists their domains, and consumers such as Google already read some of them.

## Why is this bad?
Consumers read a property in the context of its type: a property on a type that
does not have it is usually ignored, and often means the node has the wrong
`@type` (an `Organization` that should be a `MedicalClinic`) or the property sits
on the wrong node (a `datePublished` on the author instead of the article).

## Example
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "Organization",
 "name": "Harbor Light Clinic", "openingHours": "Mo-Fr 09:00-18:00"}
</script>
```

Use instead:
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalClinic",
 "name": "Harbor Light Clinic", "openingHours": "Mo-Fr 09:00-18:00"}
</script>
```

## Options
None.

## References
- [schema.org: data model (domains and ranges)](https://schema.org/docs/datamodel.html)
- [schema.org: Role](https://schema.org/Role)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.schema._context import (
    is_role,
    properties_of,
    role_properties,
    schema_nodes,
    types_of,
)
from audit.rules.schema._source import property_snippet
from audit.rules.schema._suggest import or_list

META = RuleMeta(
    code="D103",
    name="schema-property-domain",
    category="structured-data",
    severity=Severity.WARNING,
)
Options = NoOptions
_SHOWN = 4


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per property used outside its domain."""
    for vocabulary, facts, node in schema_nodes(page):
        types = types_of(node)
        if not types or not all(vocabulary.is_type(kind) for kind in types):
            continue
        role = is_role(vocabulary, types)
        for prop, _values in properties_of(node, facts):
            found = vocabulary.properties.get(prop)
            if found is None or not found.domains or vocabulary.applies_to(prop, types):
                continue
            if role and prop in role_properties(facts, node):
                continue
            domains = sorted(found.domains)
            shown = or_list(domains[:_SHOWN]) + (" …" if len(domains) > _SHOWN else "")
            label = "/".join(types)
            yield META.finding(
                page,
                f'"{prop}" is not a property of {label} (at {node.path}); schema.org defines '
                f"it for {shown} and their subtypes.",
                evidence=property_snippet(page, node, prop),
                selector=node.location,
                fix=f'Move "{prop}" to the node it describes, or give this node a type that '
                f"has it (such as {or_list(domains[:2])}) if that is what it is.",
            )
