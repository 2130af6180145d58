"""JSON-LD sits in a script with the wrong MIME type, so consumers never read it.

## What it does
Reports a `<script>` that holds a JSON-LD object (an object with `"@context"`
and `"@type"` or `"@graph"`) but whose `type` is not `application/ld+json`:
`application/json`, misspellings such as `text/ld+json`, `application/ld-json`
or `application/json+ld`, and scripts without a type or typed as JavaScript.
Parameters after a semicolon (`application/ld+json; charset=utf-8`) and letter
case are fine and not reported.

## Why is this bad?
Search engines and other consumers pick structured data by the exact script
type `application/ld+json`. Under any other type the markup is invisible to
them, however correct it is, and a browser even tries to run an untyped script
as JavaScript.

## Example
```html
<script type="application/json">
{"@context": "https://schema.org", "@type": "MedicalClinic", "name": "港光皮膚科診所"}
</script>
```

Use instead:
```html
<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "MedicalClinic", "name": "港光皮膚科診所"}
</script>
```

## Options
None.

## References
- [JSON-LD 1.1: Embedding JSON-LD in HTML documents](https://www.w3.org/TR/json-ld11/#embedding-json-ld-in-html-documents)
- [Google: Introduction to structured data markup](https://developers.google.com/search/docs/appearance/structured-data/intro-structured-data)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.models import Finding, Severity
from audit.page import JSONLD_TYPE, Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.syntax._util import jsonld_type

META = RuleMeta(
    code="D004", name="jsonld-wrong-type", category="structured-data", severity=Severity.ERROR
)
Options = NoOptions

# Types a browser runs as script (an absent or empty type is JavaScript too).
_SCRIPT_TYPES = frozenset(
    {"", "text/javascript", "application/javascript", "application/x-javascript",
     "text/ecmascript", "application/ecmascript", "text/jscript", "module"}
)  # fmt: skip
FIX = 'Change the script\'s type attribute to exactly type="application/ld+json".'


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per non-ld+json script whose text is JSON-LD."""
    for node in page.tree.css("script"):
        raw_type = node.attributes.get("type")
        kind = (raw_type or "").split(";")[0].strip().lower()
        if kind == JSONLD_TYPE or (kind not in _SCRIPT_TYPES and "json" not in kind):
            continue
        text = node.text()
        found = jsonld_type(text)
        if found is None:
            continue
        tag = "<script>" if raw_type is None else f'<script type="{raw_type}">'
        what = f"JSON-LD ({found})" if found else "JSON-LD"
        consequence = (
            "browsers try to run it as JavaScript and search engines ignore it"
            if kind in _SCRIPT_TYPES
            else 'search engines read JSON-LD only from <script type="application/ld+json">'
        )
        yield META.finding(
            page,
            f"A {tag} holds {what}, but {consequence}, so the markup is lost.",
            evidence=f"{tag}{text.strip()[:80]}",
            selector=page.selector(node),
            fix=FIX
            if raw_type is not None
            else 'Add type="application/ld+json" to the <script> tag.',
        )
