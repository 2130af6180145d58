"""The canonical link is relative, repeated with different targets, malformed or off-site.

## What it does
Checks every `<link rel="canonical">` of the page and reports, one finding per
problem:

- **malformed**: the `href` is empty, only a `#fragment`, contains a space or
  line break, cannot be parsed, has no host, or uses a scheme other than
  `http:`/`https:` (`javascript:`, `mailto:`, `ftp:`, …);
- **relative**: the `href` is a path (`/page/`) or protocol-relative
  (`//clinic.example/page/`) instead of a full `https://` address; a value
  such as `www.clinic.example/page/` is relative too, and points somewhere
  unintended;
- **off-site**: the canonical URL is on another host than the page
  (`www.clinic.example` and `clinic.example` count as the same site);
- **several**: the page has more than one canonical link and they name
  different URLs (the same URL twice is harmless and not reported).

A page without any canonical link is left to `canonical-missing`.

## Why is this bad?
A canonical link that search engines cannot use is ignored, and they pick the
main URL themselves. Google accepts relative canonical URLs but recommends
absolute ones, because a relative path silently changes meaning on a copy of
the page served from another host or under a `<base href>`. Conflicting
canonical links are all ignored. An off-site canonical asks search engines to
index the other site's page instead of this one: right for syndicated
articles, a disaster when it comes from a staging domain or a copied template.

## Example
```html
<html lang="en"><head><title>Acne Scar Revision | Harbor Light Skin Clinic</title>
<link rel="canonical" href="/page/">
</head><body><h1>Acne scar revision</h1></body></html>
```

Use instead:
```html
<html lang="en"><head><title>Acne Scar Revision | Harbor Light Skin Clinic</title>
<link rel="canonical" href="https://clinic.example/page/">
</head><body><h1>Acne scar revision</h1></body></html>
```

## Options
None.

## References
- [Google: How to specify a canonical URL](https://developers.google.com/search/docs/crawling-indexing/consolidate-duplicate-urls)
- [RFC 6596: The Canonical Link Relation](https://www.rfc-editor.org/rfc/rfc6596)
"""

from __future__ import annotations

from collections.abc import Iterator

from selectolax.lexbor import LexborNode

from audit.dom import clip
from audit.models import Finding, Severity
from audit.page import Page
from audit.rules.base import NoOptions, RuleMeta
from audit.rules.seo._urls import absolute_form, read_href, relative_kind, site_host

META = RuleMeta(code="S008", name="canonical-invalid", category="seo", severity=Severity.ERROR)
Options = NoOptions


def check(page: Page, opts: Options) -> Iterator[Finding]:
    """Yield one finding per malformed, relative or off-site canonical, then one if they differ."""
    if not page.canonicals:
        return
    own_site = site_host(page.url)
    targets: dict[str, LexborNode] = {}  # first node naming each URL, in order
    for raw, node in page.canonicals:
        href = read_href(raw, page.base_url)
        evidence = node.html or ""
        selector = page.selector(node)
        if href.url is None:
            yield META.finding(
                page,
                f'The canonical URL "{clip(raw, 100)}" {href.problem}.',
                evidence=evidence,
                selector=selector,
                fix=f"Set the canonical href to the page's full address, such as {page.url}.",
            )
            continue
        targets.setdefault(href.url, node)
        if href.relative:
            yield META.finding(
                page,
                f'The canonical URL "{clip(raw, 100)}" is {relative_kind(raw)}; '
                f"it resolves to {href.url}.",
                evidence=evidence,
                selector=selector,
                fix='Write the full address, starting with "https://": '
                f"{absolute_form(raw, href.url)}",
            )
        target_site = site_host(href.url)
        # A page read from a file or stdin has no site of its own to compare with.
        if own_site and target_site != own_site:
            yield META.finding(
                page,
                f"The canonical URL points to another site ({target_site}, this page is on "
                f"{own_site}): search engines will index {href.url} instead of this page.",
                evidence=evidence,
                selector=selector,
                fix="Point the canonical link at this site's own address for the page, unless "
                "the page really is a copy of that other site's page.",
            )
    if len(targets) > 1:
        second = list(targets.values())[1]
        yield META.finding(
            page,
            f"The page has {len(page.canonicals)} canonical links naming {len(targets)} "
            f"different URLs ({clip(', '.join(targets), 200)}); search engines may ignore "
            "them all.",
            evidence=second.html or "",
            selector=page.selector(second),
            fix="Keep one canonical link and remove the others (check the theme and SEO "
            "plugins: each may add its own).",
        )
