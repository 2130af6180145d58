"""schema.org vocabulary rules: unknown terms, domains, ranges, superseded terms, value formats."""

from __future__ import annotations

MODULES = ()
