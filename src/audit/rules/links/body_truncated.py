"""A page's body was cut short: too large to read whole, or the connection ended mid-page.

## What it does
Reports every page the crawler audited from a partial body, for one of two
reasons:

- the body is larger than `crawl.max_body_bytes` (10 MB by default), before or
  after decompression: the crawler stopped reading there, so links and
  problems further down the page were not seen (a "gzip bomb" that inflates
  without end ends up here too);
- the connection ended before the whole body arrived: the server declared a
  longer `Content-Length` than it sent, or closed or reset the connection in
  the middle of the page (reported as an error: visitors get a broken page).
  The request was retried first (`crawl.retries`).

## Why is this bad?
A page cut off in transfer is broken for visitors too: the browser shows half a
page, scripts and styles at its end never load, and search engines index only
what arrived. A page larger than 10 MB is very slow on a phone, and Googlebot
reads only the first 15 MB of an HTML file: what follows is never indexed.

## Example
The treatment page embeds every photo of the gallery as inline base64 data,
which makes its HTML 40 MB long:
```html
<img src="data:image/jpeg;base64,/9j/4AAQSkZJRgABAQEASABIAAD/…">
```

Use instead:
Serve images as files and keep the HTML small, so the whole page arrives:
```html
<img src="/images/gallery/acne-scar-before.jpg" alt="Acne scars before treatment">
```

## Options
None.

## References
- [Google: Googlebot reads the first 15 MB of an HTML file](https://developers.google.com/search/docs/crawling-indexing/googlebot)
- [RFC 9112 §6.3: Message body length](https://www.rfc-editor.org/rfc/rfc9112#section-6.3)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from audit.models import ErrorKind, Finding, Severity
from audit.rules.base import NoOptions, RuleMeta, RuleScope
from audit.rules.links._util import how_found

if TYPE_CHECKING:
    from audit.site import Site

META = RuleMeta(
    code="K012",
    name="body-truncated",
    category="links",
    severity=Severity.WARNING,
    scope=RuleScope.SITE,
)
Options = NoOptions


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per page audited from a partial body."""
    seen: set[str] = set()
    for row in site.pages:
        if row.url in seen or not row.truncated or row.error is not None:
            continue
        seen.add(row.url)
        found = how_found(row, site.inlinks[row.url])
        size = f"{row.bytes:,} bytes"
        if row.error_kind == ErrorKind.BODY_INCOMPLETE:
            yield META.at(
                row.url,
                f"The connection ended before the whole page arrived (after {size}), so the "
                f"page was audited from a partial body; {found}.",
                evidence=f"HTTP {row.status}, body cut off after {size}: {row.url}",
                fix=(
                    "Ask your web developer or host to check the server and any proxy or CDN "
                    "in front of it: the response is cut off mid-page (a crash while "
                    "rendering, a wrong Content-Length, a proxy timeout)."
                ),
                severity=Severity.ERROR,
            )
        else:
            yield META.at(
                row.url,
                "The page is larger than the crawler's size limit (crawl.max_body_bytes, "
                f"before or after decompression; {size} downloaded), so only its beginning "
                f"was audited; {found}.",
                evidence=f"HTTP {row.status}, body over the size limit: {row.url}",
                fix=(
                    "Make the page smaller (move inline images, data and scripts into files, "
                    "paginate long lists); if it must be this large, raise "
                    "crawl.max_body_bytes."
                ),
            )
