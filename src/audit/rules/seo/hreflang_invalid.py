"""The hreflang links use invalid language codes or URLs, conflict, or omit the page itself.

## What it does
Checks the `<link rel="alternate" hreflang="…" href="…">` links of a page and
reports, one finding per problem:

- an **hreflang value** that is not `x-default` or a language code that search
  engines read: a two-letter ISO 639-1 language (`ja`, not `jp`), optionally a
  four-letter ISO 15924 script (`zh-Hant`) and optionally an ISO 3166-1 region
  or a UN M.49 area (`en-GB`, not `en-UK`; `zh-TW`; `es-419`), with `-`
  (not `_`) between the parts; case does not matter;
- an **href** that is relative (hreflang URLs must be absolute), empty, only a
  `#fragment`, contains spaces, cannot be parsed or is not `http(s)`;
- the same hreflang value used for **different URLs**;
- no **self-reference**: the page lists alternates but none of them points to
  the page itself (or to its canonical URL).

## Why is this bad?
Search engines ignore an hreflang link they cannot read, and then show the
wrong language version to searchers: the English page to readers in Taiwan,
or the Traditional Chinese page in the UK. Google requires every language
version to list itself as well as the others; without the self-reference the
whole set may be ignored. Two URLs for one language leave search engines to
pick one at random.

## Example
```html
<html lang="en"><head><title>Rosacea Treatment | Harbor Light Skin Clinic</title>
<link rel="alternate" hreflang="en-UK" href="https://clinic.example/page/">
<link rel="alternate" hreflang="zh-Hant" href="https://clinic.example/zh-hant/page/">
</head><body><h1>Rosacea treatment</h1></body></html>
```

Use instead:
```html
<html lang="en"><head><title>Rosacea Treatment | Harbor Light Skin Clinic</title>
<link rel="alternate" hreflang="en-GB" href="https://clinic.example/page/">
<link rel="alternate" hreflang="zh-Hant" href="https://clinic.example/zh-hant/page/">
<link rel="alternate" hreflang="x-default" href="https://clinic.example/page/">
</head><body><h1>Rosacea treatment</h1></body></html>
```

## Options
None.

## References
- [Google: Tell Google about localized versions of your page](https://developers.google.com/search/docs/specialty/international/localized-versions)
- [BCP 47: Tags for Identifying Languages](https://www.rfc-editor.org/info/bcp47)
- [ISO 3166-1 alpha-2 country codes](https://www.iso.org/iso-3166-country-codes.html)
"""

from __future__ import annotations

from collections.abc import Iterator

from selectolax.lexbor import LexborNode

from audit.crawl.urls import normalize_url
from audit.dom import clip
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.seo._language import check_language_tag
from audit.rules.seo._urls import absolute_form, read_href, relative_kind

META = RuleMeta(code="S010", name="hreflang-invalid", category="seo", severity=Severity.WARNING)
Options = NoOptions
_CODE_FIX = (
    "Use a two-letter ISO 639-1 language code, optionally followed by a script and an "
    "ISO 3166-1 country code (for example en, en-GB, zh-Hant, zh-TW), or x-default."
)


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per bad value or URL, per conflicting value, and for no self-link."""
    alternates = page.hreflang_alternates
    if not alternates:
        return
    by_value: dict[str, dict[str, LexborNode]] = {}
    for alternate in alternates:
        value, node = alternate.hreflang, alternate.node
        evidence, selector = node.html or "", page.selector(node)
        problem = check_language_tag(value, hreflang=True)
        if problem is not None:
            yield META.finding(
                page,
                f'hreflang="{clip(value, 40)}" is not a valid language code: {problem.reason}.',
                evidence=evidence,
                selector=selector,
                fix=f'Change hreflang="{value}" to hreflang="{problem.suggestion}".'
                if problem.suggestion
                else _CODE_FIX,
            )
        href = read_href(alternate.href, page.base_url)
        label = f'The hreflang="{clip(value, 40)}" link\'s URL "{clip(alternate.href, 100)}"'
        if href.url is None:
            yield META.finding(
                page,
                f"{label} {href.problem}.",
                evidence=evidence,
                selector=selector,
                fix="Set href to the full address of the page in that language, "
                'starting with "https://".',
            )
            continue
        if href.relative:
            yield META.finding(
                page,
                f"{label} is {relative_kind(alternate.href)}; hreflang URLs must be absolute "
                f"(it resolves to {href.url}).",
                evidence=evidence,
                selector=selector,
                fix='Write the full address, starting with "https://": '
                f"{absolute_form(alternate.href, href.url)}",
            )
        by_value.setdefault(value.lower(), {}).setdefault(href.url, node)
    for targets in by_value.values():
        if len(targets) > 1:
            yield _conflict(page, targets)
    if by_value and not _links_to_itself(page, by_value):
        yield META.finding(
            page,
            f"The page lists {len(alternates)} hreflang alternates but none points to the page "
            f"itself ({page.url}).",
            evidence=alternates[0].node.html or "",
            selector="head",
            fix=f'Add <link rel="alternate" hreflang="…" href="{page.url}"> with this page\'s '
            "own language: every language version must list itself and all the others.",
        )


def _conflict(page: Page, targets: dict[str, LexborNode]) -> Finding:
    first, second = list(targets.values())[:2]
    value = first.attributes.get("hreflang") or ""
    return META.finding(
        page,
        f'hreflang="{clip(value.strip(), 40)}" is given for {len(targets)} different URLs '
        f"({clip(', '.join(targets), 200)}); search engines cannot tell which one is meant.",
        evidence=second.html or "",
        selector=page.selector(second),
        fix="Keep one link per hreflang value, pointing at the page in that language.",
    )


def _links_to_itself(page: Page, by_value: dict[str, dict[str, LexborNode]]) -> bool:
    own = {normalize_url(page.url)}
    for raw, _ in page.canonicals[:1]:
        own.add(read_href(raw, page.base_url).url)
    own.discard(None)
    return any(url in own for targets in by_value.values() for url in targets)
