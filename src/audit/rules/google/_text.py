"""Wording shared by the Google feature rules."""

from __future__ import annotations

from audit.rules.google._features import Path
from audit.structured.nodes import Node


def evidence(node: Node) -> str:
    """Text a person can search for in the page source: the node's name, @id or type."""
    for prop in ("name", "headline", "url"):
        text = node.first_text(prop)
        if text and text.strip():
            return text.strip()
    return node.id or node.label


def describe(path: Path) -> str:
    """A path for messages: ``potentialAction@SearchAction`` → ``potentialAction SearchAction``."""
    return " or ".join(choice.replace("@", " ") for choice in path.choices())


HINTS = {
    "address": "a PostalAddress with streetAddress, addressLocality, postalCode and addressCountry",
    "name": "the name exactly as the page shows it",
    "position": "the item's place in the trail, counting from 1",
    "item": "the URL of that breadcrumb's page",
    "startDate": "an ISO 8601 date and time such as 2026-12-05T19:00+08:00",
    "location": "a Place with an address, or a VirtualLocation with a url for an online event",
    "itemReviewed": "the thing reviewed, with its name",
    "reviewRating": "a Rating with a ratingValue",
    "ratingValue": "the rating as a number",
    "url": "the canonical URL",
    "thumbnailUrl": "the URL of a thumbnail image",
    "uploadDate": "an ISO 8601 date such as 2026-05-01",
    "mainEntity": "the Person or Organization the profile is about",
}


def what_to_add(what: str) -> str:
    """The missing property for a fix hint, with a plain-language note where one helps."""
    if what.startswith("one of "):
        return what
    hint = HINTS.get(what.rsplit(".", 1)[-1])
    return f'"{what}" ({hint})' if hint else f'"{what}"'
