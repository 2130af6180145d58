"""The `<html>` element has no `lang` attribute, or an empty or invalid one.

## What it does
Reads the `lang` attribute of the `<html>` element and reports a page where it
is missing, empty or not a valid BCP 47 language tag. A valid tag is a
language (ISO 639-1 such as `en`, `ja`, `zh`, or another ISO 639 code such as
`yue`), optionally a script (`zh-Hant`), a region (`en-GB`, `zh-TW`,
`es-419`) and variants (`zh-Hant-TW`, `de-CH-1996`); case does not matter.
Frequent mistakes are named with the fix: `jp` (Japanese is `ja`), `en-UK`
(`en-GB`), `en_US` (`en-US`), `zh-CHT` (`zh-Hant`), `eng` (`en`).

An `xml:lang` attribute alone does not count: HTML documents read `lang`.

## Why is this bad?
Screen readers choose their voice and pronunciation from `lang`, browsers use
it to pick fonts (Traditional or Simplified Chinese glyphs, Japanese kanji)
and to offer translation, and search engines take it as one signal of the
page's language. WCAG 2 success criterion 3.1.1 requires it.

## Example
```html
<html><head><title>酒糟肌治療 - 港光皮膚科診所</title></head>
<body><h1>酒糟肌治療</h1></body></html>
```

Use instead:
```html
<html lang="zh-Hant-TW"><head><title>酒糟肌治療 - 港光皮膚科診所</title></head>
<body><h1>酒糟肌治療</h1></body></html>
```

## Options
None.

## References
- [WCAG 2: Understanding 3.1.1 Language of Page](https://www.w3.org/WAI/WCAG22/Understanding/language-of-page.html)
- [W3C: Choosing a language tag](https://www.w3.org/International/questions/qa-choosing-language-tags)
- [BCP 47: Tags for Identifying Languages](https://www.rfc-editor.org/info/bcp47)
"""

from __future__ import annotations

from collections.abc import Iterator

from audit.dom import clip
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.seo._language import check_language_tag

META = RuleMeta(code="S011", name="lang-missing", category="seo", severity=Severity.WARNING)
Options = NoOptions
_FIX = (
    'Set the page language on the <html> element, for example <html lang="en"> or '
    '<html lang="zh-Hant-TW">.'
)


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield a finding when ``<html lang>`` is absent, empty or not a language tag."""
    lang = page.lang
    root = page.tree.root
    evidence = _start_tag(root.attributes or {}) if root is not None else ""
    if lang is None:
        has_xml_lang = root is not None and "xml:lang" in (root.attributes or {})
        yield META.finding(
            page,
            "The <html> element has no lang attribute"
            + (" (it has xml:lang, which HTML ignores)." if has_xml_lang else "."),
            evidence=evidence,
            selector="html",
            fix=_FIX,
        )
        return
    problem = check_language_tag(lang, hreflang=False)
    if problem is None:
        return
    yield META.finding(
        page,
        "The <html> lang attribute is empty."
        if not lang
        else f'The <html> lang="{clip(lang, 40)}" is not a valid language code: {problem.reason}.',
        evidence=evidence,
        selector="html",
        fix=f'Change it to <html lang="{problem.suggestion}">.' if problem.suggestion else _FIX,
    )


def _start_tag(attributes: dict[str, str | None]) -> str:
    """``<html lang="en_US">``, rebuilt from the attributes (serialising the root is slow)."""
    parts = "".join(
        f' {name}="{value}"' if value is not None else f" {name}"
        for name, value in attributes.items()
    )
    return f"<html{parts}>"
