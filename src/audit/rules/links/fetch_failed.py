"""A crawled URL gave no usable answer: the connection failed or the response was not valid HTTP.

## What it does
Reports every URL the crawl requested that produced no usable response:
the connection was refused, reset or dropped before an answer arrived, the
server's answer was not valid HTTP (a malformed status line, headers too
large to read), or the body could not be decoded (corrupt gzip or deflate
data, a compression the crawler did not ask for). Connection failures were
retried (`crawl.retries`) before they were reported. The message gives the
failure and how the crawler came to the URL. Timeouts are reported by
`fetch-timeout`, answers with a 4xx/5xx status by `http-error`, and a page
whose body was cut short but could still be read by `body-truncated`.

## Why is this bad?
What the crawler met is what visitors and search engines meet: a browser shows
"This site can't be reached" or "connection reset", and search engines treat
such URLs like server errors: they slow down crawling the whole site and drop
the URL from their results if it keeps failing. These failures often come from
a firewall, CDN or load balancer in front of the site rather than from the
site itself, so they can go unnoticed by its owners.

## Example
`/booking/` is linked from every page, but the server drops the connection
before answering:
```html
<a href="/booking/">Book a visit 預約門診</a>
```

Use instead:
Fix the server (or the firewall, CDN or proxy in front of it) so that
`/booking/` answers 200 with the page, then run the audit again:
```html
<a href="/booking/">Book a visit 預約門診</a>
```

## Options
None.

## References
- [Google: How HTTP status codes and network errors affect Google Search](https://developers.google.com/search/docs/crawling-indexing/http-network-errors)
- [RFC 9112: HTTP/1.1 message syntax](https://www.rfc-editor.org/rfc/rfc9112)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from audit.models import ErrorKind, Finding, PageSummary, Severity
from audit.rules.base import NoOptions, RuleMeta, RuleScope
from audit.rules.links._util import how_found

if TYPE_CHECKING:
    from audit.site import Site

META = RuleMeta(
    code="K010",
    name="fetch-failed",
    category="links",
    severity=Severity.ERROR,
    scope=RuleScope.SITE,
)
Options = NoOptions

# Failures other rules report, or that are not failures of the site.
NOT_OURS = frozenset(
    {
        ErrorKind.TIMEOUT,
        ErrorKind.ROBOTS,
        ErrorKind.REDIRECT_LOOP,
        ErrorKind.TOO_MANY_REDIRECTS,
        ErrorKind.REDIRECT_NOT_HTTP,
    }
)
WHAT = {
    ErrorKind.CONNECTION: "the connection failed before any answer arrived",
    ErrorKind.PROTOCOL: "the server's answer is not valid HTTP",
    ErrorKind.BODY_CORRUPT: "its body could not be decoded",
    ErrorKind.INTERNAL: "the crawler failed on it (an internal error)",
}
FIX = {
    ErrorKind.CONNECTION: (
        "Check that the server, and any firewall, CDN or load balancer in front of it, accepts "
        "connections for this URL and does not reset them; its error log says why, then run "
        "the audit again."
    ),
    ErrorKind.PROTOCOL: (
        "Ask your web developer or host to look at the raw response for this URL (for example "
        "with `curl -v`): the status line and headers must be valid HTTP and of a reasonable "
        "size (a few kilobytes)."
    ),
    ErrorKind.BODY_CORRUPT: (
        "Fix the server's compression for this URL (gzip or deflate output that decompresses "
        "cleanly, and only an encoding the request's Accept-Encoding allows), or switch it off."
    ),
    ErrorKind.INTERNAL: (
        "This is a bug in site-audit, not in your site: please report it with this URL. The "
        "rest of the crawl is not affected."
    ),
}
GENERIC_FIX = (
    "Check that the server answers this URL reliably (hosting, firewall, certificate), then "
    "run the audit again."
)


def check(site: Site, opts: Options) -> Iterator[Finding]:
    """Yield one finding per crawled URL that failed without a usable response."""
    seen: set[str] = set()
    for row in site.pages:
        if row.url in seen or not _failed(row):
            continue
        seen.add(row.url)
        kind = row.error_kind
        what = WHAT.get(kind, "it could not be fetched") if kind else "it could not be fetched"
        yield META.at(
            row.url,
            f"The URL gave no usable answer: {what} ({row.error}); "
            f"{how_found(row, site.inlinks[row.url])}.",
            evidence=f"{row.error} {row.url}",
            fix=FIX.get(kind, GENERIC_FIX) if kind else GENERIC_FIX,
        )


def _failed(row: PageSummary) -> bool:
    # Redirect hops carry their chain's problem; 4xx/5xx answers are http-error's.
    if row.error is None or row.redirect_chain or (row.status or 0) >= 400:
        return False
    return row.error_kind not in NOT_OURS and not row.blocked
