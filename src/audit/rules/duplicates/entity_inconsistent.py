"""The same organisation or person is described differently on different pages.

## What it does
Collects every organisation and person described in the structured data of
the crawled HTML pages (JSON-LD, microdata, RDFa, and JSON-LD printed as
visible text by a broken template): the page's own node and nested ones such
as the `publisher` or `author` of an article. Descriptions are matched by
`@id` when they have one, else by name (compared without case and extra
spaces). When the same entity is given a different `@type`, `url`, `logo`
or `sameAs` list on different pages, the entity is reported: one finding per
entity and differing property, listing each variant and the pages where it
appears (the first 5 pages of each, then "and N more").

A property that one page leaves out and another gives is not a conflict; only
two different values are. The finding goes on the first page that shows a
less common variant (when the variants are equally common, on the first page
that differs from the first one). Pages are taken in order of click depth,
then URL, so the same site gives the same findings on every run.

## Why is this bad?
Search engines merge what pages say about an organisation into one entity
(for the knowledge panel, publisher and author information). Conflicting
descriptions, a clinic typed `Organization` on one page and `MedicalClinic`
on the next, or two different logos, make the entity look like two, weaken
both, and can keep the richer description from being used at all.

## Example
Two articles on one site, each naming the clinic as publisher:

```html
<!-- /articles/rosacea/ -->
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Article",
 "headline": "Rosacea", "publisher": {"@type": "Organization", "name": "Liusmed Clinic"}}</script>
<!-- /articles/acne/ -->
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Article",
 "headline": "Acne", "publisher": {"@type": "MedicalClinic", "name": "Liusmed Clinic"}}</script>
```

Use instead: the same description everywhere, best with one `@id`.
```html
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Article",
 "headline": "Rosacea", "publisher": {"@type": "MedicalClinic",
 "@id": "https://liusmed.example/#clinic", "name": "Liusmed Clinic"}}</script>
```

## Options
None.

## References
- [Google: Organization structured data](https://developers.google.com/search/docs/appearance/structured-data/organization)
- [schema.org: sameAs](https://schema.org/sameAs)
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from audit.models import Finding, Severity
from audit.rules.base import NoOptions, RuleMeta, RuleScope
from audit.rules.duplicates._util import ordered_facts, short_url
from audit.site import EntityMention, Site

META = RuleMeta(
    code="K109",
    name="entity-inconsistent",
    category="structured-data",
    severity=Severity.WARNING,
    scope=RuleScope.SITE,
)
Options = NoOptions
MAX_PAGES = 5
MAX_VARIANTS = 10
_ATTRIBUTES = ("@type", "url", "logo", "sameAs")
_VERBS = {"@type": "is typed", "url": "has url", "logo": "has logo", "sameAs": "has sameAs"}
_NOUNS = {"@type": "@type", "url": "url", "logo": "logo", "sameAs": "sameAs list"}
_SYNTAX = {"json-ld": "", "visible-text": " in visible text", "microdata": " in microdata"}


@dataclass
class _Variant:
    """Where one value of one property of one entity appears."""

    order: int
    first_url: str
    pages: int = 0
    last: str = ""
    places: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class _Property:
    pages: int = 0
    last: str = ""
    variants: dict[tuple[str, ...], _Variant] = field(default_factory=dict)


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per entity and property described with different values."""
    names: dict[str, str] = {}
    properties: dict[tuple[str, str], _Property] = {}
    for order, page in enumerate(ordered_facts(site, "entities")):
        for mention in page.entities:
            names.setdefault(mention.key, mention.name)
            for attribute in _ATTRIBUTES:
                value = _value(mention, attribute)
                if value:
                    prop = properties.setdefault((mention.key, attribute), _Property())
                    _record(prop, value, order, page.url, mention.where)
    for (key, attribute), prop in properties.items():
        if len(prop.variants) > 1 and prop.pages > 1:
            yield _finding(names[key], attribute, prop.variants)


def _value(mention: EntityMention, attribute: str) -> tuple[str, ...]:
    if attribute == "@type":
        return mention.types
    if attribute == "sameAs":
        return mention.same_as
    value = mention.url if attribute == "url" else mention.logo
    return (value,) if value else ()


def _record(prop: _Property, value: tuple[str, ...], order: int, url: str, where: str) -> None:
    if prop.last != url:
        prop.pages += 1
        prop.last = url
    variant = prop.variants.get(value)
    if variant is None:
        variant = prop.variants[value] = _Variant(order, url)
    if variant.last != url:
        variant.pages += 1
        variant.last = url
        if len(variant.places) < MAX_PAGES:
            variant.places[url] = []
    places = variant.places.get(url)
    if places is not None and where not in places:
        places.append(where)


def _finding(name: str, attribute: str, variants: dict[tuple[str, ...], _Variant]) -> Finding:
    ranked = sorted(variants.items(), key=lambda item: (-item[1].pages, item[1].order))
    minority = min((variant for _, variant in ranked[1:]), key=lambda variant: variant.order)
    value = next(value for value, variant in ranked if variant is minority)
    at = minority.first_url
    in_order = sorted(variants.items(), key=lambda item: item[1].order)
    parts = [f"{_show(attribute, value)} on {_places(variant, at)}" for value, variant in in_order]
    if len(parts) > MAX_VARIANTS:
        parts[MAX_VARIANTS - 1 :] = [f"{len(parts) - MAX_VARIANTS + 1} other values elsewhere"]
    listed = parts[0] + " but " + (", ".join(parts[1:-1]) + " and " if len(parts) > 2 else "")
    listed += parts[-1] if len(parts) > 1 else ""
    where = ", ".join(minority.places.get(at, []))
    shown = ", ".join(f'"{item}"' for item in value)
    return META.at(
        at,
        f'"{name}" {_VERBS[attribute]} {listed}.',
        evidence=f'{where}: "{attribute}": {shown if len(value) == 1 else f"[{shown}]"}',
        fix=f'Describe "{name}" the same way on every page: give it one {_NOUNS[attribute]} '
        '(ideally define it once with an "@id" and refer to that @id from the other pages).',
    )


def _show(attribute: str, value: tuple[str, ...]) -> str:
    if attribute == "@type":
        return "/".join(value)
    return "[" + ", ".join(value) + "]" if attribute == "sameAs" else value[0]


def _places(variant: _Variant, relative_to: str) -> str:
    shown = [
        f"{short_url(url, relative_to)} ({', '.join(_where(where) for where in wheres)})"
        for url, wheres in variant.places.items()
    ]
    more = variant.pages - len(shown)
    return ", ".join(shown) + (f" and {more} more page{'s' if more > 1 else ''}" if more else "")


def _where(where: str) -> str:
    """``"publisher (json-ld)"`` → ``"publisher"``; other syntaxes are named."""
    via, _, syntax = where.rpartition(" (")
    syntax = syntax.rstrip(")")
    return f"{via or where}{_SYNTAX.get(syntax, f' in {syntax}')}"
