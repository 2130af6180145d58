"""A URL property has a value that cannot be a URL.

## What it does
Reports a value of a schema.org property whose range has `URL` (and not `Text`,
which takes any string), such as `url`, `sameAs`, `image` or `logo`, when it
cannot be a URL even after resolving it against the page address:

- an empty value, a `javascript:` or `vbscript:` link, or a `data:` URI;
- spaces or `<`, `>`, `"` inside it (often a name typed into the wrong field);
- full-width characters such as `：` or `／` (an input method left on);
- a malformed scheme (`http//`, `https:/`) or no host (`https:///about`);
- `www.example.com` without `https://`, which reads as a path on this site.

Where the range also takes an entity (`image` takes an `ImageObject`,
`gameLocation` a `Place`), a string with spaces may name that entity, which
schema.org allows, so only the other defects are reported there.
Relative URLs (`/doctors/dr-lin`, `janedoe.jpg`) are legal in JSON-LD and
resolve against the page, so they pass; so do other schemes (`mailto:`, `tel:`,
`urn:`), which are valid IRIs even where a web page is meant. Non-ASCII paths
(`https://clinic.example/文章/`) are valid IRIs too.

## Why is this bad?
Consumers follow these values as links: to the entity's page, its social
profiles (`sameAs`), its image or logo. A value that is not a URL is dropped, and
a missing scheme quietly points at a page of your own site that does not exist.

## Example
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalClinic",
 "name": "Harbor Light Clinic", "url": "www.harborlight.example",
 "sameAs": "Harbor Light on Facebook"}
</script>
```

Use instead:
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalClinic",
 "name": "Harbor Light Clinic", "url": "https://www.harborlight.example/",
 "sameAs": "https://www.facebook.com/harborlight.example"}
</script>
```

## Options
None.

## References
- [schema.org: URL](https://schema.org/URL)
- [Google: Organization structured data (url, sameAs, logo)](https://developers.google.com/search/docs/appearance/structured-data/organization)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.schema._context import properties_of, schema_nodes
from audit.rules.schema._source import value_snippet
from audit.rules.schema._values import accepts_any_text, string_values, url_problem

META = RuleMeta(
    code="D108", name="schema-invalid-url", category="structured-data", severity=Severity.WARNING
)
Options = NoOptions


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per URL value that cannot be a URL."""
    for vocabulary, facts, node in schema_nodes(page):
        for prop, values in properties_of(node, facts):
            found = vocabulary.properties.get(prop)
            if found is None or "URL" not in found.ranges or accepts_any_text(found):
                continue
            names_allowed = bool(found.ranges - {"URL"})
            for text in string_values(values):
                problem = url_problem(text, page.base_url, names_allowed=names_allowed)
                if problem is None:
                    continue
                yield META.finding(
                    page,
                    f'"{prop}" on {node.label} at {node.path} is "{text.strip()[:120]}", '
                    f"which {problem}.",
                    evidence=value_snippet(page, node, prop, text),
                    selector=node.location,
                    fix=f'Put the full address of the page or file in "{prop}", starting with '
                    '"https://"; move any name or description into a text property.',
                )
