"""Content parity and health-page rules: markup against what the page shows."""

from __future__ import annotations

MODULES = ()
