"""A property that takes a fixed list of values has a value outside the list.

## What it does
Reports a string value of a schema.org property whose range is an enumeration
(`availability` takes an `ItemAvailability`, `specialty` a `Specialty` such as
`MedicalSpecialty`) when the string does not name a member of it. A member may be
written as its short name (`"Dermatology"`, `"InStock"`), its full URL
(`"https://schema.org/InStock"`, `http://` too) or with the `schema:` prefix; RDFa
and microdata links to the member's URL count as well.

Names are case-sensitive, as for Google: `"instock"` or `"In Stock"` is reported
with a message naming the exact spelling. Not judged: properties whose range
also takes text, a data type, or a class that is not an enumeration (a string may
then name such an entity, e.g. `medicalAudience`); enumerations without listed
members (`QualitativeValue`); and absolute URLs outside schema.org (values from
another vocabulary, such as GS1 codes).

## Why is this bad?
Consumers match enumeration values by name: a value they do not recognise is
dropped, so an offer shows no availability and a clinic no specialty. Free text
such as "有現貨" or "Skin doctor" carries no meaning to them at all.

## Example
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalWebPage",
 "name": "玫瑰斑治療", "specialty": "皮膚科"}
</script>
```

Use instead:
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalWebPage",
 "name": "玫瑰斑治療", "specialty": "Dermatology"}
</script>
```

## Options
None.

## References
- [schema.org: Enumeration](https://schema.org/Enumeration)
- [schema.org: MedicalSpecialty](https://schema.org/MedicalSpecialty)
- [Google: Product structured data (availability values)](https://developers.google.com/search/docs/appearance/structured-data/product-snippet)
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.schema._context import properties_of, schema_nodes
from audit.rules.schema._source import value_snippet
from audit.rules.schema._suggest import or_list
from audit.rules.schema._values import (
    enumeration_ranges,
    members_of,
    schema_name,
    string_values,
)

META = RuleMeta(
    code="D106", name="schema-enum-value", category="structured-data", severity=Severity.WARNING
)
Options = NoOptions
_SHOWN = 4


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per string that names no member of the expected enumeration."""
    for vocabulary, facts, node in schema_nodes(page):
        for prop, values in properties_of(node, facts):
            found = vocabulary.properties.get(prop)
            enums = enumeration_ranges(vocabulary, found) if found is not None else frozenset()
            if not enums:
                continue
            members = {member for enum in enums for member in members_of(vocabulary, enum)}
            allowed = sorted(members)
            expected = or_list(sorted(enums))
            for text in string_values(values):
                name = schema_name(text)
                if name is None and text.strip():
                    continue  # an IRI of another vocabulary
                if name in members:
                    continue
                other = vocabulary.members.get(name or "", frozenset())
                problem, fix = _explain(other, name, allowed)
                yield META.finding(
                    page,
                    f'"{prop}" on {node.label} at {node.path} takes a value of {expected}; '
                    f'"{text.strip()}" {problem}.',
                    evidence=value_snippet(page, node, prop, text),
                    selector=node.location,
                    fix=fix,
                )


def _explain(enums: frozenset[str], name: str | None, allowed: list[str]) -> tuple[str, str]:
    """``(what is wrong with the value, the fix)``."""
    if not name:
        return "is empty", f"Fill in one of {or_list(allowed[:_SHOWN])}, or remove the property."
    folded = name.casefold().replace(" ", "").replace("_", "").replace("-", "")
    exact = [member for member in allowed if member.casefold() == folded]
    if exact:
        return (
            f'is not spelt exactly as the member "{exact[0]}" (names are case-sensitive)',
            f'Write the value exactly as "{exact[0]}" (or "https://schema.org/{exact[0]}").',
        )
    # Members renamed with their enumeration's name: TaxCredit → IncentiveTypeTaxCredit.
    close = [m for m in allowed if len(folded) > 3 and folded in m.casefold()][:2]
    close = close or difflib.get_close_matches(name, allowed, n=2, cutoff=0.7) or allowed[:_SHOWN]
    problem = f"is a value of {or_list(sorted(enums))} instead" if enums else "is not one of them"
    return (
        problem,
        f"Use one of the schema.org names, such as {or_list(close)}; keep the wording for "
        "people in a text property such as description.",
    )
