"""Structured-data syntax rules: strict JSON-LD parsing, wrappers, extraction, @id conflicts."""

from __future__ import annotations

MODULES = ()
