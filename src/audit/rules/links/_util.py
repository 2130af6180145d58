"""Private helpers shared by the link rules (not a rule: no META, no check()).

- :func:`status_text`, :func:`answer`, :func:`how_found`: a URL's answer and how the
  crawler found it, in words;
- :func:`broken_targets`: every crawled URL a visitor cannot reach, with the reason;
- :func:`redirect_walk`: the redirects from a URL through the recorded rows, and the loop
  it ends in, if any;
- :func:`hops_text`: a redirect chain hop by hop (capped), for messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING

from audit.models import Hop, PageSummary

if TYPE_CHECKING:
    from audit.site import Site

LIST_CAP = 10
NO_ANCHOR = "(no anchor text)"


def status_text(status: int | None, error: str | None = None) -> str:
    """``HTTP 404 Not Found``, or the network error when no answer arrived."""
    if status is None:
        return error or "no response"
    try:
        return f"HTTP {status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"HTTP {status}"


def answer(status: int | None, error: str | None = None) -> str:
    """``answers HTTP 404 Not Found``, or ``does not answer (timed out …)``."""
    if status is None:
        return f"does not answer ({error or 'no response'})"
    if error:
        return f"answers {status_text(status)} but cannot be read ({error})"
    return f"answers {status_text(status)}"


def how_found(row: PageSummary, inlinks: int = 0) -> str:
    """How the crawler came to request ``row`` (its ``source`` and ``found_on``), in words."""
    if row.source == "start":
        found = "it is a start URL of the crawl"
    elif row.source == "sitemap":
        found = f"it is listed in the sitemap {row.found_on}"
    elif row.source == "redirect":
        found = f"it was reached by a redirect from {row.found_on}"
    else:
        found = f"it was found through a link on {row.found_on}"
    if inlinks:
        found += f"; {plural(inlinks, 'crawled page')} {'links' if inlinks == 1 else 'link'} to it"
    return found


def plural(count: int, noun: str) -> str:
    """``1 page`` / ``3 pages``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def hops_text(chain: Sequence[Hop], cap: int = LIST_CAP) -> str:
    """``A (301) → B (302) → C``: each hop with its status, then where the last one points."""
    hops = [f"{hop.url} ({hop.status})" for hop in chain]
    if len(hops) > cap:
        hops = [*hops[: cap - 1], f"… {len(hops) - cap} more …", hops[-1]]
    return " → ".join([*hops, chain[-1].location]) if chain else ""


def anchor_text(anchor: str) -> str:
    """The anchor text in quotes, or a note that the link has none (an image link)."""
    anchor = " ".join(anchor.split())
    return f"“{anchor}”" if anchor else NO_ANCHOR


def broken_targets(site: Site) -> dict[str, str]:
    """Each crawled URL a visitor cannot reach, and why (``answers HTTP 404 Not Found``).

    A URL is unreachable when it answered 4xx/5xx or failed at the network
    level, when its redirects never end (a loop, too many hops, a target that is
    not a web address), or when its redirects end on such a URL. URLs blocked by
    robots.txt were never requested: their status is unknown, not broken.
    """
    broken: dict[str, str] = {}
    for row in site.pages:
        if row.url in broken or row.blocked:
            continue
        if row.redirect_chain:
            if row.error:
                broken[row.url] = f"never reaches a page ({row.error})"
                continue
            walk = redirect_walk(site, row.url)
            if walk.loop:
                broken[row.url] = f"never reaches a page (redirect loop: {walk.loop_text()})"
                continue
            _, final = site.final_status(row.url)
            end = site.by_url.get(final)
            if end is not None and end.failed:
                why = (
                    f"never reaches a page ({end.error})"
                    if end.redirect_chain
                    else answer(end.status, end.error)
                )
                broken[row.url] = f"redirects to {final}, which {why}"
        elif row.failed:
            broken[row.url] = answer(row.status, row.error)
    return broken


WALK_CAP = 100


@dataclass(frozen=True, slots=True)
class RedirectWalk:
    """The redirects from one URL, hop by hop through the rows of the crawl.

    ``hops`` starts at the URL; ``loop`` is the index in ``hops`` where a loop
    starts (the last hop points back there), or None when the walk ends on a
    URL that does not redirect, was not crawled, or after ``WALK_CAP`` hops.
    """

    hops: tuple[Hop, ...]
    loop_start: int | None

    @property
    def loop(self) -> tuple[Hop, ...]:
        """The hops of the loop (empty when there is none)."""
        return () if self.loop_start is None else self.hops[self.loop_start :]

    def loop_text(self) -> str:
        """``A → B → A``: the loop's URLs, back to the first."""
        urls = [hop.url for hop in self.loop]
        return " → ".join([*urls, urls[0]]) if urls else ""


def redirect_walk(site: Site, url: str) -> RedirectWalk:
    """Follow ``url``'s redirects through the recorded rows, one hop per row.

    A loop whose URLs were crawled separately (each one linked from a page, so
    each redirect stopped at an address already crawled) is only visible here,
    across rows: no single fetch saw it come back.
    """
    hops: list[Hop] = []
    position: dict[str, int] = {}
    row = site.by_url.get(url)
    while row is not None and row.redirect_chain and len(hops) < WALK_CAP:
        if row.url in position:
            return RedirectWalk(tuple(hops), position[row.url])
        position[row.url] = len(hops)
        hop = row.redirect_chain[0]
        hops.append(hop)
        row = site.by_url.get(hop.location)
    return RedirectWalk(tuple(hops), None)
