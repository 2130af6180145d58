"""After-run notification: a JSON summary POSTed to a webhook (Slack-compatible).

The payload carries the counts, the diff against the previous run and the
report path, plus a one-paragraph ``text`` that Slack (and Mattermost, Teams
workflows, …) show as the message. A failed notification is logged and never
fails the run: the reports are already written.
"""

from __future__ import annotations

import logging
from typing import Any

import httpx

log = logging.getLogger(__name__)

TIMEOUT = httpx.Timeout(10.0, connect=5.0)


def build_payload(
    *,
    site: str,
    run: str,
    status: str,
    pages: int,
    severities: dict[str, int],
    changes: dict[str, int] | None,
    report: str,
) -> dict[str, Any]:
    """The JSON body: machine-readable counts and a human ``text``."""
    text = (
        f"Site audit of {site} ({run}, {status}): {pages} URLs, "
        f"{severities.get('error', 0)} errors, {severities.get('warning', 0)} warnings, "
        f"{severities.get('notice', 0)} notices."
    )
    if changes is not None:
        text += (
            f" Since the previous run: {changes.get('new', 0)} new, "
            f"{changes.get('resolved', 0)} resolved."
        )
    text += f" Report: {report}"
    return {
        "site": site,
        "run": run,
        "status": status,
        "pages": pages,
        "findings": severities,
        "diff": changes,
        "report": report,
        "text": text,
    }


def send_webhook(
    url: str, payload: dict[str, Any], *, transport: httpx.BaseTransport | None = None
) -> bool:
    """POST ``payload``; True on a 2xx answer. Never raises."""
    try:
        with httpx.Client(timeout=TIMEOUT, transport=transport) as client:
            response = client.post(url, json=payload)
    except httpx.HTTPError as exc:
        log.warning("webhook failed: %s", exc)
        return False
    if not response.is_success:
        log.warning("webhook answered HTTP %s", response.status_code)
        return False
    return True
