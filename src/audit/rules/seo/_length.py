"""The length check shared by title-length and meta-description-length (not a rule)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from selectolax.lexbor import LexborNode

from audit.dom import clip
from audit.models import Finding
from audit.page import Page
from audit.rules.base import RuleMeta
from audit.rules.seo._language import describe_length, display_length


class LengthOptions(Protocol):
    """The options both length rules have."""

    min_chars: int
    max_chars: int
    cjk_weight: float


def length_findings(
    page: Page,
    meta: RuleMeta,
    text: str,
    opts: LengthOptions,
    *,
    what: str,
    node: LexborNode | None,
    fallback_selector: str,
    shorten: str,
    lengthen: str,
) -> Iterator[Finding]:
    """One finding when ``text`` is outside the limits (wide CJK characters weighted).

    ``shorten`` and ``lengthen`` finish the fix hints ("… with the key point first.").
    """
    length, wide = display_length(text, opts.cjk_weight)
    if length > opts.max_chars:
        bound = f"limit {opts.max_chars}"
        double = " (Chinese, Japanese and Korean characters count double)" if wide else ""
        fix = f"Shorten the {what} to {opts.max_chars} characters or fewer{double}, {shorten}"
    elif length < opts.min_chars:
        bound = f"minimum {opts.min_chars}"
        fix = f"Lengthen the {what} to at least {opts.min_chars} characters: {lengthen}"
    else:
        return
    described = describe_length(length, wide, len(text), opts.cjk_weight, bound)
    yield meta.finding(
        page,
        f'The {what} is {described}: "{clip(text, 100)}"',
        evidence=(node.html or "") if node is not None else text,
        selector=page.selector(node) if node is not None else fallback_selector,
        fix=fix,
    )
