"""Content parity and health-page rules: markup against what the page shows."""

from __future__ import annotations

from audit.rules.parity import (
    faq_without_markup,
    medical_page_incomplete,
    schema_content_mismatch,
    structured_data_missing,
)

MODULES = (
    schema_content_mismatch,
    structured_data_missing,
    faq_without_markup,
    medical_page_incomplete,
)
