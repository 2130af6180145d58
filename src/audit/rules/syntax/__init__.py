"""Structured-data syntax rules: strict JSON-LD parsing, wrappers, extraction, @id conflicts."""

from __future__ import annotations

from audit.rules.syntax import (
    duplicate_id,
    extraction_failed,
    jsonld_empty,
    jsonld_invalid,
    jsonld_wrapped,
    jsonld_wrong_type,
)

MODULES = (
    jsonld_invalid,
    jsonld_wrapped,
    jsonld_empty,
    jsonld_wrong_type,
    extraction_failed,
    duplicate_id,
)
